"""The emulator's public surface."""

from __future__ import annotations

import inspect

import maiu_async.emulator as emulator_package


def test_all_is_sorted_and_complete():
    """__all__ is sorted and names every public attribute."""
    public = {
        name
        for name, value in vars(emulator_package).items()
        if not name.startswith("_")
        and not isinstance(value, type(emulator_package))
        and name != "annotations"
    }

    assert sorted(emulator_package.__all__) == list(emulator_package.__all__)
    assert public == set(emulator_package.__all__)


def test_public_objects_live_in_the_facade():
    """Classes and functions show as maiu_async.emulator.X."""
    for name in emulator_package.__all__:
        obj = getattr(emulator_package, name)
        if isinstance(obj, type) or inspect.isfunction(obj):
            assert "maiu_async.emulator" == obj.__module__, name
