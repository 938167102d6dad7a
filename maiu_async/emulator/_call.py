"""
What a handler gets to work with, and the handler type.

Strictly private.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from . import _checks


if TYPE_CHECKING:
    from ._objects import ObjectChecker
    from ._state import EmulatorState
    from ._stats import Stats


__all__ = ["JSON", "Call", "Handler"]

JSON = dict[str, Any]


@attrs.frozen
class Call:
    """
    What a handler gets to work with.

    Attributes:
        state: The emulator's state.
        stats: The live counters.
        params: Decoded path parameters.
        query: Decoded query parameters.
        body: The raw request body.
        base_url: ``scheme://host`` the request came to.
        legacy: Whether the route is a ``video-assets`` alias.
        objects: The Object Storage check, when configured.

    """

    state: EmulatorState
    stats: Stats
    params: Mapping[str, str]
    query: Mapping[str, str]
    body: bytes
    base_url: str
    legacy: bool = False
    objects: ObjectChecker | None = None

    @property
    def workspace(self) -> str:
        """
        The workspace name from the path.
        """
        return self.params["ws"]

    @property
    def project_id(self) -> int:
        """
        The project id from the path.

        Raises:
            ServiceError: 10001 if it is not an integer.

        """
        return _checks.integer(self.params["pid"], "project id")

    @property
    def asset_id(self) -> int:
        """
        The asset id from the path.

        Raises:
            ServiceError: 10001 if it is not an integer.

        """
        return _checks.integer(self.params["aid"], "asset id")

    @property
    def index_id(self) -> int:
        """
        The index id from the path.

        Raises:
            ServiceError: 10001 if it is not an integer.

        """
        return _checks.integer(self.params["iid"], "index id")

    @property
    def scene_summary_id(self) -> int:
        """
        The scene-summary id from the path.

        Raises:
            ServiceError: 10001 if it is not an integer.

        """
        return _checks.integer(self.params["ssid"], "scene summary id")

    @property
    def search_id(self) -> str:
        """
        The search id from the path.
        """
        return self.params["search"]

    @property
    def person_id(self) -> int:
        """
        The person id from the path.

        Raises:
            ServiceError: 10001 if it is not an integer.

        """
        return _checks.integer(self.params["person"], "person id")

    @property
    def tag_id(self) -> int:
        """
        The person-tag id from the path.

        Raises:
            ServiceError: 10001 if it is not an integer.

        """
        return _checks.integer(self.params["tag"], "tag id")

    def asset_ref(self) -> tuple[str, int, int]:
        """
        The workspace, project id and asset id from the path.
        """
        return self.workspace, self.project_id, self.asset_id

    def index_ref(self) -> tuple[str, int, int, int]:
        """
        The asset's path parts plus the index id.
        """
        return (*self.asset_ref(), self.index_id)


Handler = Callable[[Call], JSON]
