"""
docs/api.md, curated by hand, leaves out no public name.
"""

from __future__ import annotations

import importlib
import re
import types

from pathlib import Path

import pytest


API_PAGE = Path(__file__).resolve().parents[2] / "docs" / "api.md"
PUBLIC_MODULES = (
    "maiu_async",
    "maiu_async.bulk",
    "maiu_async.storage",
    "maiu_async.emulator",
    "maiu_async.exceptions",
    "maiu_async.limits",
    "maiu_async.testing",
    "maiu_async.distributed",
)


def _resolve(path: str) -> object:
    module_name, _, name = path.rpartition(".")
    try:
        return importlib.import_module(path)
    except ModuleNotFoundError:
        return getattr(importlib.import_module(module_name), name)


def _documented() -> list[object]:
    objects = []
    text = API_PAGE.read_text(encoding="utf-8")
    for path in re.findall(r"^::: (\S+)$", text, re.MULTILINE):
        obj = _resolve(path)
        objects.append(obj)
        if isinstance(obj, types.ModuleType):
            objects += [getattr(obj, name) for name in obj.__all__]
    return objects


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_public_name_is_in_the_api_page(module_name):
    """Each name of the module's __all__ is rendered somewhere in api.md."""
    module = importlib.import_module(module_name)
    documented = _documented()

    missing = [
        name
        for name in module.__all__
        if not any(getattr(module, name) is obj for obj in documented)
    ]

    assert [] == missing
