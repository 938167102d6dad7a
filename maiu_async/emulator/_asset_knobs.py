"""
The asset knobs of issue 11: list order, late and odd registrations.

- `ordered`: the asset list in `EmulatorConfig.list_order`;
- `picked`: whether a per-key knob applies to a key (a keyed draw);
- `register_late`: answer 504 now, register later
  (`EmulatorConfig.late_processing`).

And those of issue 12, fixed when an asset is created:

- `forced_import`: the final import status a key's glob knob sets
  (`EmulatorConfig.import_failed`, `EmulatorConfig.import_invalid`).

Strictly private.
"""

from __future__ import annotations

import asyncio
import fnmatch
import random

from typing import TYPE_CHECKING

from maiu_async import _errorcodes as codes

from ._checks import ServiceError
from ._config import keyed_draw


if TYPE_CHECKING:
    from collections.abc import Callable

    from ._assets import AssetRecord
    from ._config import EmulatorConfig
    from ._http import Call


__all__ = ["forced_import", "ordered", "picked", "register_late"]


def forced_import(config: EmulatorConfig, key: str) -> str | None:
    """
    The final import status the glob knobs set for *key*, if any.

    ``FAILED`` wins over ``INVALID_METADATA`` when both globs match.
    """
    if config.import_failed and fnmatch.fnmatchcase(key, config.import_failed):
        return "FAILED"
    if config.import_invalid and fnmatch.fnmatchcase(
        key, config.import_invalid
    ):
        return "INVALID_METADATA"
    return None


def picked(call: Call, what: str, key: str, probability: float) -> bool:
    """
    Whether the knob *what*, of *probability*, applies to *key*.
    """
    return bool(probability) and (
        keyed_draw(call.config.seed, what, key) < probability
    )


def register_late(call: Call, create: Callable[[], object]) -> None:
    """
    Call *create* after the late-processing delay; answer 504 now.

    The gateway gives up on a slow backend, which still registers the
    key later: a 504 that the client must treat as ambiguous.

    Raises:
        ServiceError: Always: 504, gateway "Endpoint Timeout".

    """

    def land() -> None:
        try:
            create()
        except ServiceError:  # the project went meanwhile
            return

    asyncio.get_running_loop().call_later(
        call.config.late_processing_delay, land
    )
    raise ServiceError(codes.GW_ENDPOINT_TIMEOUT, "processed late")


def ordered(call: Call, assets: list[AssetRecord]) -> list[AssetRecord]:
    """
    Put *assets* (in ascending id order, a fresh list) in the list order.

    The shuffles are new for every request, drawn from the seed and the
    request's number.
    """
    order = call.config.list_order
    if order == "ascending":
        return assets
    if order == "descending":
        assets.reverse()
        return assets
    number = call.stats.by_route.get("list_assets", 0)
    # Not cryptography: only the repeatability of test runs matters.
    dice = random.Random(f"{call.config.seed}:{number}")  # noqa: S311
    if order == "unstable":
        dice.shuffle(assets)
        return assets
    draws = {a.asset_id: dice.random() for a in assets}
    assets.sort(key=lambda a: (a.created_time[:19], draws[a.asset_id]))
    return assets
