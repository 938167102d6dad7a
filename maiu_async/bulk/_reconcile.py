"""
Finding out whether ambiguous keys became assets: what the job may own.

The API has no lookup by key: the project's asset list (``GET
.../assets?pageNum&pageSize``) is the only way to see what exists.  So
the job parks ambiguous keys and looks for them in batches, and it reads
only what could be theirs: the assets above each key's watermark
(``_watermark``), which are at the list's tail (``_tail``).  Cost
follows the assets created since the watermark, plus a logarithm of
the project's size.

Matching (`match`), for each parked key:

- candidates are the listed assets above the key's watermark, not
  registered by this job, whose ``fileName`` is the key (or, when the
  list shows base names, the key's base name);
- a candidate: registered, with the lowest such id;
- none, and the read was complete: absent, sent again within the
  attempt budget;
- none, and the read could not be proven complete: the key stays parked
  for another pass (`ReconcilePolicy.passes`);
- with base names, a base name shared by several parked keys cannot say
  whose asset it is: if such a candidate exists, those keys are reported
  unknown (never sent again to find out);
- a key sent with no watermark (the job could not read it, or ids do
  not grow on this server) cannot tell an asset its request created from
  an older one of the same name (another bucket's, say): if a candidate
  exists, the key is reported unknown, never registered as that asset.

Timing: a request can still be processed after its answer failed, up to
the request's own timeout (60 seconds by default, `Timeouts.total`).  A
pass therefore starts `ReconcilePolicy.delay` seconds after the keys it
looks for failed, by default that timeout plus one second: a key is sent
again only after a pass that began after that.  A request the server
processes later still is the remaining window for a duplicate.

Strictly private; `ReconcilePolicy` is re-exported by
``maiu_async.bulk``.
"""

from __future__ import annotations

import collections
import sys

from typing import TYPE_CHECKING, Final

import attrs

from .. import limits
from .._retry import RetryPolicy
from .._transport import Timeouts
from ..exceptions import JournalError, MaiuError
from ._tail import read_since
from ._watermark import NameStyle, base_name


if TYPE_CHECKING:
    from collections.abc import Sequence

    import anyio

    from ..models import AssetPage
    from ._pipeline import Pending, Pipeline
    from ._tail import Lister, Listing
    from ._watermark import Marks


__all__ = [
    "DEFAULT_DELAY",
    "NO_WATERMARK",
    "SHARED_BASE_NAME",
    "ReconcilePolicy",
    "match",
    "names_for",
    "read",
    "watermark_ready",
]

_LIST_RETRY = RetryPolicy(attempts=5)

#: The client's default total timeout plus a second: by then a request
#: whose answer was lost can no longer be processed, as far as the
#: client can tell.
DEFAULT_DELAY: Final = (Timeouts().total or 0.0) + 1.0


@attrs.frozen(kw_only=True)
class ReconcilePolicy:
    """
    How a bulk job resolves keys whose registration answer was lost.

    Attributes:
        batch: Ambiguous keys that start a pass over the asset list as
            soon as they are waiting (a pass also starts whenever nothing
            else is left to do).
        delay: Seconds from a key's failed attempt to the pass that looks
            for it.  A key is sent again only if a pass that began this
            late did not find it, so keep it above the client's total
            request timeout (`maiu_async.Timeouts.total`): the default is
            that timeout's default plus one second.
        passes: Failed or incomplete passes a key sits through before it
            is reported `~maiu_async.bulk.OutcomeStatus.UNKNOWN`.
        page_size: Assets per list page asked for (1 to 1000); the
            server may serve fewer.
        retry: Retry policy for each list page (``None``: no retries).

    .. versionadded:: 26.1.0
    .. versionchanged:: 26.1.0
       *delay* defaults to the request timeout plus one second.

    """

    batch: int = attrs.field(default=1000, validator=attrs.validators.ge(1))
    delay: float = attrs.field(
        default=DEFAULT_DELAY, validator=attrs.validators.ge(0)
    )
    passes: int = attrs.field(default=3, validator=attrs.validators.ge(1))
    page_size: int = attrs.field(
        default=limits.ASSET_PAGE_SIZE_MAX,
        validator=[
            attrs.validators.ge(1),
            attrs.validators.le(limits.ASSET_PAGE_SIZE_MAX),
        ],
    )
    retry: RetryPolicy | None = _LIST_RETRY


#: How a job that does not reconcile reads its watermark for the journal.
_RECORD_ONLY: Final = ReconcilePolicy()


def _lister(
    pipe: Pipeline, policy: ReconcilePolicy, *, paced: bool = True
) -> Lister:
    client = pipe.client
    target = pipe.target
    pacer = pipe.pacer if paced else None

    async def page(number: int) -> AssetPage:
        if pacer is not None:
            await pacer.acquire()
        return await client.assets.list(
            target.workspace,
            target.project_id,
            page_num=number,
            page_size=policy.page_size,
            retry=policy.retry,
        )

    return page


async def watermark_ready(
    pipe: Pipeline, *, after: anyio.Event | None = None
) -> None:
    """
    Return once the job's starting watermark is known, or cannot be.

    A job needs it to reconcile, and records it in its journal (if it
    has one) for a later run to reconcile this one's keys.  The first
    task with a key to send reads it (the list's first and
    last pages when it is ordered, else a full pass; unknown if that is
    incomplete) and records it in the journal; the others wait.  That
    task is the preflight's (`_preflight`), which reads it alongside its
    own request and passes *after*: the watermark is recorded only once
    that is set, so a job its preflight refuses writes nothing.  A job
    that sends nothing reads nothing.  If the read fails, the watermark
    is learnt from the first answers instead, and keys sent before that
    are looked for in the whole project.
    """
    marks = pipe.marks
    if marks.probing:
        await marks.ready.wait()
        return
    marks.probing = True
    try:
        policy = pipe.options.reconcile
        if policy is None:
            if pipe.outbox.journal is None:
                return
            # Recorded for a later run that reconciles this one's keys:
            # without it, no asset could be proven theirs (`match`).
            policy = _RECORD_ONLY
        if marks.high is None:  # else a sync run's pass (``_existing``)
            try:
                listing = await read_since(
                    _lister(pipe, policy, paced=False), sys.maxsize
                )
            except MaiuError:
                listing = None
            if listing is not None and listing.complete:
                marks.learn(listing.highest or 0)
        if after is not None:
            await after.wait()
        journal = pipe.outbox.journal
        if journal is not None and marks.high is not None:
            try:
                await journal.mark(marks.high)
            except JournalError as exc:
                pipe.outbox.broken(exc)
    finally:
        marks.ready.set()


async def read(
    pipe: Pipeline, policy: ReconcilePolicy, batch: Sequence[Pending]
) -> Listing:
    """
    Read what could be the assets of *batch*.

    Raises:
        MaiuError: A page could not be read.

    """
    marks = pipe.marks
    lowest: int | None = None
    for item in batch:
        mark = marks.effective(item.watermark)
        if mark is None:
            lowest = None
            break
        lowest = mark if lowest is None else min(lowest, mark)
    return await read_since(_lister(pipe, policy), lowest)


def names_for(key: str, style: NameStyle) -> tuple[str, ...]:
    """
    The ``fileName`` values that may show *key*'s asset in the list.

    The key itself [?]; unless names are known to be full keys, also its
    base name, which proves less: several keys may share it.  Sync runs
    (``_existing``) take only the first as proof.
    """
    if style is NameStyle.FULL:
        return (key,)
    base = base_name(key)
    return (key,) if base == key else (key, base)


#: `match`: a listed asset may be this key's, or another parked key's.
SHARED_BASE_NAME: Final = (
    "the asset list shows base names, and this key's is shared with "
    "another key waiting to be reconciled: the asset may be this key's"
)
#: `match`: a listed asset may be this key's, or older than its request.
NO_WATERMARK: Final = (
    "an asset of this name exists, but the key was sent before the job "
    "knew the highest asset id (its watermark), so it may be an older "
    "one (from another bucket, say): the asset may be this key's"
)


def match(
    batch: Sequence[Pending], listing: Listing, marks: Marks
) -> tuple[dict[str, int], dict[str, str]]:
    """
    Match *listing* to *batch*: see the module.

    Returns:
        The asset id of each key found, and why each key that has a
        candidate no listing can prove its own is undecided
        (`SHARED_BASE_NAME`, `NO_WATERMARK`).

    """
    marks.learn_names(listing.assets)
    bases = marks.names is not NameStyle.FULL
    owned = marks.owned
    by_name: dict[str, list[int]] = {}
    for asset_id in sorted(listing.assets):
        name = listing.assets[asset_id]
        if name is not None and asset_id not in owned:
            by_name.setdefault(name, []).append(asset_id)
    shared = collections.Counter(base_name(i.key) for i in batch)
    found: dict[str, int] = {}
    undecided: dict[str, str] = {}
    for item in batch:
        key = item.key
        names = names_for(key, marks.names)
        mark = marks.effective(item.watermark)
        ids = [
            asset_id
            for name in names
            for asset_id in by_name.get(name, ())
            if mark is None or asset_id > mark
        ]
        if not ids:
            continue
        if mark is None:
            undecided[key] = NO_WATERMARK
        elif bases and shared[base_name(key)] > 1:
            undecided[key] = SHARED_BASE_NAME
        else:
            found[key] = min(ids)
    return found, undecided
