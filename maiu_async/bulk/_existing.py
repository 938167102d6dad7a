"""
Sync runs: the keys already in the project, read once at the start.

With `BulkOptions.skip_existing` the feeder reads the project's asset
list before it screens the first key: one pass, page after page,
following ``totalPage`` as each page reports it.  Of each asset it keeps
only a 64-bit fingerprint of its file name, in a `KeyTable` (13-27 bytes
an asset, no object per asset, as for the input's own duplicates).  A
key whose name is there is skipped, `ALREADY_IN_PROJECT`, and never
sent.

What is taken as present is what reconciling takes for a key's asset
(``_reconcile.names_for``), restricted to proof: an asset whose
``fileName`` is the key itself.  Whether the list shows full keys or
base names is not documented [?]; base names are not proof here (over a
whole project, ``2025/a.mp4`` and ``2026/a.mp4`` share one), so with a
service that shows base names a key under a prefix is never found and is
sent as without the option.  The list shows no bucket: an asset
registered from another bucket under the same key counts as present.

The pass also gives reconciling what it would otherwise read: when the
list proves ascending or descending by id and the ids counted match
``totalCount``, its highest id is the job's starting watermark, and a
name with a ``/`` shows that names are full keys.  So a sync run reads
``ceil(assets / page size)`` pages and nothing else before it sends.
The pass goes through the client (its rate budget and retry verdicts,
the job's retry policy) and the job's own pacer; any page that cannot be
read stops the job before a key is sent: sending blindly would create
the duplicates the option is there to avoid.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from .. import limits
from ._keys import KeyTable
from ._reconcile import names_for
from ._report import ALREADY_IN_PROJECT
from ._watermark import NameStyle


if TYPE_CHECKING:
    from ._pipeline import Pipeline


__all__ = ["ALREADY_IN_PROJECT", "Existing", "read_existing"]

#: Room made at once for the names of a project (more grows the table);
#: a bogus ``totalCount`` cannot make the job allocate more than this.
_EXPECT_MAX: Final = 1 << 22


class Existing:
    """
    The file names of a project's assets, as fingerprints.

    Strictly private.
    """

    __slots__ = ("_names",)

    def __init__(self, names: KeyTable) -> None:
        self._names = names

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, key: str) -> bool:
        names = self._names
        return any(n in names for n in names_for(key, NameStyle.FULL))


class _Order:
    """Whether the ids seen so far are strictly monotonic, and how."""

    __slots__ = ("direction", "monotonic", "previous")

    def __init__(self) -> None:
        self.previous: int | None = None
        self.direction = 0
        self.monotonic = True

    def see(self, asset_id: int) -> None:
        previous, self.previous = self.previous, asset_id
        if previous is None or not self.monotonic:
            return
        step = (asset_id > previous) - (asset_id < previous)
        if step == 0 or (self.direction and step != self.direction):
            self.monotonic = False
        self.direction = step


async def read_existing(pipe: Pipeline) -> Existing:
    """
    Read the project's asset names once; teach the job its watermark.

    Raises:
        MaiuError: A page could not be read.

    """
    client, target = pipe.client, pipe.target
    policy = pipe.options.reconcile
    size = policy.page_size if policy else limits.ASSET_PAGE_SIZE_MAX
    names = KeyTable()
    order = _Order()
    highest: int | None = None
    seen = total_count = 0
    slashed: dict[int, str | None] = {}
    number, total_page = 1, 1
    while number <= total_page:
        if pipe.pacer is not None:
            await pipe.pacer.acquire()
        page = await client.assets.list(
            target.workspace,
            target.project_id,
            page_num=number,
            page_size=size,
            retry=pipe.retry,
        )
        if number == 1:
            names.expect(min(page.total_count, _EXPECT_MAX))
        for asset in page.content:
            asset_id, name = asset.asset_id, asset.file_name
            seen += 1
            order.see(asset_id)
            if highest is None or asset_id > highest:
                highest = asset_id
            if name is not None:
                names.mark_seen(name)
                if not slashed and "/" in name:
                    slashed[asset_id] = name
        total_page, total_count = page.total_page, page.total_count
        number += 1
    marks = pipe.marks
    marks.learn_names(slashed)
    if order.monotonic and seen == total_count:
        marks.learn(highest or 0)
    return Existing(names)
