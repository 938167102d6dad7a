"""
The emulator's in-memory world, rooted in `EmulatorState`.

Every operation is synchronous, so a handler that checks and then
changes the state cannot be interleaved with another request: caps and
uniqueness hold under any concurrency.
The same methods seed state directly from tests, without HTTP.

Workspaces, projects and assets are the tree everything hangs on; their
methods come from the ``_workspaces`` and ``_assets`` areas.  The other
areas keep their rules in "books" (`analyses`, `indexes`, `summaries`,
`searches`, `uploads`, `persons`, `person_tags`) whose records hang off
the asset and workspace records, so deleting those deletes them too.

Strictly private; `EmulatorState` is re-exported by
``maiu_async.emulator``.
"""

from __future__ import annotations

import time

from typing import TYPE_CHECKING

import attrs

from aiohttp import web

from ._analyses import AnalysisBook
from ._assets import (
    FIRST_ASSET_ID,
    OBJECT_FAILED,
    OBJECT_FOUND,
    OBJECT_MISSING,
    OBJECT_PENDING,
    AssetRecord,
    AssetRules,
)
from ._indexes import IndexBook
from ._person_tags import TagBook
from ._persons import PersonBook
from ._search import SearchBook
from ._summaries import SummaryBook
from ._uploads import UploadBook
from ._workspaces import FIRST_PROJECT_ID, ProjectRecord, WorkspaceRecord


if TYPE_CHECKING:
    from collections.abc import Callable


__all__ = [
    "FIRST_ASSET_ID",
    "FIRST_PROJECT_ID",
    "OBJECT_FAILED",
    "OBJECT_FOUND",
    "OBJECT_MISSING",
    "OBJECT_PENDING",
    "STATE",
    "AssetRecord",
    "EmulatorState",
    "ProjectRecord",
    "WorkspaceRecord",
]


@attrs.define(repr=False)
class EmulatorState(AssetRules):
    """
    Everything the emulator stores, with the service's rules.

    Methods raise `ServiceError` exactly where the API answers an error,
    so tests can seed state through them and meet the same rules.

    Attributes:
        max_workspaces: The account's workspace allowance, or ``None``.
        import_delay: Seconds an asset stays ``IN_PROGRESS``.
        analysis_delay: Seconds an analysis takes (waiting, then
            running); 0 completes it at once.
        summary_delay: Seconds a scene-summary run takes, likewise.
        clock: Monotonic seconds; replace it to move import, analysis
            and summary time along without sleeping.
        analyses: Analysis rules.
        indexes: Index rules.
        summaries: Scene-summary rules.
        searches: Search rules.
        uploads: Search-image and thumbnail upload keys.
        persons: Person and thumbnail rules.
        person_tags: Person-tag rules.

    .. versionchanged:: 26.1.0
       Index rules moved from *analyses* to *indexes*; tag rules from
       *persons* to *person_tags*; upload keys to *uploads*.

    """

    max_workspaces: int | None = None
    import_delay: float = 0.0
    analysis_delay: float = 0.0
    summary_delay: float = 0.0
    clock: Callable[[], float] = time.monotonic
    analyses: AnalysisBook = attrs.field(
        default=attrs.Factory(AnalysisBook, takes_self=True), init=False
    )
    indexes: IndexBook = attrs.field(
        default=attrs.Factory(IndexBook, takes_self=True), init=False
    )
    summaries: SummaryBook = attrs.field(
        default=attrs.Factory(SummaryBook, takes_self=True), init=False
    )
    searches: SearchBook = attrs.field(
        default=attrs.Factory(SearchBook, takes_self=True), init=False
    )
    uploads: UploadBook = attrs.field(
        default=attrs.Factory(UploadBook, takes_self=True), init=False
    )
    persons: PersonBook = attrs.field(
        default=attrs.Factory(PersonBook, takes_self=True), init=False
    )
    person_tags: TagBook = attrs.field(
        default=attrs.Factory(TagBook, takes_self=True), init=False
    )
    _workspaces: dict[str, WorkspaceRecord] = attrs.field(
        factory=dict, init=False
    )
    _next_project_id: int = attrs.field(default=FIRST_PROJECT_ID, init=False)
    _next_asset_id: int = attrs.field(default=FIRST_ASSET_ID, init=False)

    def __repr__(self) -> str:
        return f"<EmulatorState workspaces={len(self._workspaces)}>"


STATE = web.AppKey("state", EmulatorState)
