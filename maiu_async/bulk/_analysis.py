"""
Request the analysis of many assets: `request_analysis_many`.

Strictly private; the public names are re-exported by
``maiu_async.bulk`` and ``maiu_async``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Unpack

import attrs

from .. import limits
from .._validation import check_bool, check_choice, check_ids, check_int_range
from ..exceptions import UsageError
from ..models import SceneRange, SourceLanguage  # noqa: TC001 -- attrs reads
from ._analysis_job import AnalysisJob
from ._options import build_options
from ._report import clip


if TYPE_CHECKING:
    from collections.abc import AsyncIterable, Iterable, Sequence

    from .._client import MaiuClient
    from ._analysis_report import AnalysisHook, AnalysisReport
    from ._options import BulkOptions, BulkShortcuts


__all__ = ["AnalysisRequest", "request_analysis_many"]


def _person_count(_: object, __: object, value: Any) -> None:  # noqa: ANN401
    check_int_range(
        "person_count",
        value,
        limits.ANALYSIS_PERSON_COUNT_MIN,
        limits.ANALYSIS_PERSON_COUNT_MAX,
    )


def _scene_range(_: object, __: object, value: Any) -> None:  # noqa: ANN401
    if value is not None:
        check_choice("scene_range", value, limits.SCENE_RANGES)


def _tag_ids(_: object, __: object, value: Any) -> None:  # noqa: ANN401
    if value is not None:
        check_ids(
            "tag_ids",
            value,
            min_len=limits.ANALYSIS_TAG_IDS_MIN,
            max_len=limits.ANALYSIS_TAG_IDS_MAX,
        )


def _language(_: object, __: object, value: Any) -> None:  # noqa: ANN401
    if value is not None:
        check_choice("source_language", value, limits.SOURCE_LANGUAGES)


def _flag(_: object, __: object, value: Any) -> None:  # noqa: ANN401
    if value is not None:
        check_bool("detect_audio_effects", value)


def _tuple(value: Sequence[int] | None) -> tuple[int, ...] | None:
    return None if value is None else tuple(value)


@attrs.frozen(kw_only=True)
class AnalysisRequest:
    """
    What each analysis request asks for (``client.analysis.request``).

    Checked when built: a bad value raises
    `~maiu_async.exceptions.ValidationError` naming it.  Options left
    ``None`` are not sent, so the API's defaults apply.

    Attributes:
        person_count: Persons to analyse, 0 to 10; 0 skips person
            analysis, which is faster.
        scene_range: ``EXTRA_SHORT``, ``SHORT``, ``MEDIUM`` or ``LONG``.
        tag_ids: 1 to 30 person tags whose persons to look for.
        source_language: ``ENKO``, ``EN``, ``KO``, ``JA``, ``ZH-CN`` or
            ``ZH-TW``.
        detect_audio_effects: Detect applause, laughter and music.

    .. versionadded:: 26.1.0

    """

    person_count: int = attrs.field(validator=_person_count)
    scene_range: SceneRange | None = attrs.field(
        default=None, validator=_scene_range
    )
    tag_ids: tuple[int, ...] | None = attrs.field(
        default=None, converter=_tuple, validator=_tag_ids
    )
    source_language: SourceLanguage | None = attrs.field(
        default=None, validator=_language
    )
    detect_audio_effects: bool | None = attrs.field(
        default=None, validator=_flag
    )


async def request_analysis_many(  # noqa: PLR0913 -- the rest is keyword-only
    client: MaiuClient,
    workspace: str,
    project_id: int,
    asset_ids: Iterable[int] | AsyncIterable[int],
    *,
    person_count: int | None = None,
    request: AnalysisRequest | None = None,
    reanalyze: bool = False,
    imported_only: bool = False,
    options: BulkOptions | None = None,
    on_result: AnalysisHook | None = None,
    **shortcuts: Unpack[BulkShortcuts],
) -> AnalysisReport:
    """
    Request the analysis of every asset of *asset_ids*, at most once.

    This is the bulk form of ``client.analysis.request``.  It is a
    function of the bulk layer, not a method of ``client.analysis``:
    resources sit below the bulk engine and never import it.

    Each asset's analysis status is read first: an asset being analysed
    is skipped (and waited for, with *wait*), and so is one analysed
    already, unless *reanalyze*.  A request whose answer was lost (a
    timeout, a dropped connection, a 500) is never sent again blindly:
    after the reconcile delay (``reconcile=ReconcilePolicy(delay=...)``)
    the asset's analysis status is read and compared with the one read
    before the request.  With a *journal*, each asset is durably
    reserved, with that status, before its request is sent; a rerun with
    the same journal reports the assets requested before as resumed and
    resolves the ones a killed run may have sent before sending anything.

    Args:
        client: An open client.
        workspace: The workspace's name.
        project_id: The project's id.
        asset_ids: Asset ids, streamed; repeats are skipped.  An id that
            is not a positive integer stops the job with a
            `~maiu_async.exceptions.ValidationError` naming it.
        person_count: Persons to analyse, 0 to 10 (the one required
            setting); or give *request*.
        request: Every request setting, as one record.
        reanalyze: Analyse again assets analysed already.
        imported_only: Read each asset's import status first, and skip
            the assets whose import is not ``COMPLETED``.
        options: How the job runs (`BulkOptions`: concurrency, rate,
            journal, retry, reconcile, settle_timeout, on_event,
            preflight, wait); ``retry_ambiguous=True`` is refused.  With
            ``wait=PollPolicy(...)`` each analysis is waited for, polling
            its status: outcomes then carry the final analysis status
            and, once completed, the index id.
        on_result: Called once per asset with its `AnalysisOutcome`.
        **shortcuts: Any `BulkOptions` field, replacing *options*' value.

    Returns:
        The counts, once every outcome is delivered (and journaled).

    Raises:
        ValidationError: A setting, *workspace*, *project_id* or an asset
            id is invalid.
        UsageError: An option is invalid, or the client is not open.
        JournalError: The journal is another job's, corrupt or in use.
        AuthenticationFailed: The credentials were refused.
        NotFound: No such workspace or project.

    Whatever stopped the job is raised with the report so far as its
    ``report`` attribute (an `AnalysisReport`).

    .. versionadded:: 26.1.0

    """
    if (person_count is None) == (request is None):
        raise UsageError("pass exactly one of person_count and request")
    if request is None:
        assert person_count is not None  # noqa: S101 -- checked above
        request = AnalysisRequest(person_count=person_count)
    elif not isinstance(request, AnalysisRequest):
        raise UsageError(
            f"request must be an AnalysisRequest, got {clip(repr(request))}"
        )
    job = AnalysisJob(
        client,
        workspace,
        project_id,
        asset_ids,
        settings=request,
        options=build_options(options, shortcuts),
        reanalyze=check_bool("reanalyze", reanalyze),
        imported_only=check_bool("imported_only", imported_only),
        on_result=on_result,
    )
    return await job.run()
