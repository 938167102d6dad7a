"""
The public surface: complete, sorted, versioned.
"""

from __future__ import annotations

import importlib.metadata

import pytest

import maiu_async


def test_all_is_sorted_and_complete():
    """__all__ is sorted and names every public attribute of the package."""
    public = {
        name
        for name, value in vars(maiu_async).items()
        if not name.startswith("_")
        and not (isinstance(value, type(maiu_async)))
        and name not in {"annotations", "Any", "attrs"}
    }

    assert list(maiu_async.__all__) == sorted(
        maiu_async.__all__, key=lambda n: (not n.isupper(), n)
    )
    assert public == set(maiu_async.__all__)


def test_public_classes_live_in_the_facade():
    """Classes from private modules show as maiu_async.X in tracebacks."""
    for name in maiu_async.__all__:
        obj = getattr(maiu_async, name)
        if isinstance(obj, type) and obj.__module__.startswith("maiu_async"):
            assert not obj.__module__.split(".")[-1].startswith("_"), name


def test_version():
    """__version__ comes from the installed metadata."""
    assert importlib.metadata.version("maiu-async") == maiu_async.__version__


def test_unknown_attribute():
    """Unknown attributes raise AttributeError, not something else."""
    with pytest.raises(AttributeError, match="does_not_exist"):
        _ = maiu_async.does_not_exist


def test_py_typed_shipped():
    """The package ships its py.typed marker."""
    files = importlib.metadata.files("maiu-async") or []
    # Editable installs list no package files; fall back to the tree.
    from pathlib import Path  # noqa: PLC0415

    assert (
        any(f.name == "py.typed" for f in files)
        or (Path(maiu_async.__file__).parent / "py.typed").exists()
    )
