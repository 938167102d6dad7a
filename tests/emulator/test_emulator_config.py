"""EmulatorConfig and Faults: defaults and validation."""

from __future__ import annotations

import typing

import attrs
import pytest

from maiu_async.emulator import EmulatorConfig, Faults
from maiu_async.emulator._config import Knobs


def test_every_knob_defaults_off():
    """A config with only credentials has no latency, limit or faults."""
    config = EmulatorConfig(access_key="K", secret_key="S")

    assert (0.0, 0.0, None, 0.0, 0.0, 0.0, 0.0, None, "top-level") == (
        config.latency,
        config.jitter,
        config.rate_limit,
        config.faults.total(),
        config.import_delay,
        config.analysis_delay,
        config.summary_delay,
        config.max_workspaces,
        config.error_body_style,
    )


def test_repr_hides_the_secret():
    """The secret key never appears in the config's repr."""
    config = EmulatorConfig(access_key="K", secret_key="TOP-SECRET-VALUE")

    assert "TOP-SECRET-VALUE" not in repr(config)


@pytest.mark.parametrize(
    ("rate", "burst", "expected"),
    [
        pytest.param(None, None, 1, id="no-limit"),
        pytest.param(5.0, None, 1, id="small-rate"),
        pytest.param(200.0, None, 20, id="tenth"),
        pytest.param(200.0, 7, 7, id="explicit"),
    ],
)
def test_burst(rate, burst, expected):
    """The burst defaults to a tenth of the rate, at least 1."""
    config = EmulatorConfig(
        access_key="K", secret_key="S", rate_limit=rate, rate_limit_burst=burst
    )

    assert expected == config.burst


@pytest.mark.parametrize(
    "knobs",
    [
        pytest.param({"latency": -1}, id="latency"),
        pytest.param({"jitter": -0.1}, id="jitter"),
        pytest.param({"rate_limit": 0}, id="rate"),
        pytest.param({"rate_limit_burst": 0}, id="burst"),
        pytest.param({"rate_limit_retry_after": -1}, id="retry-after"),
        pytest.param({"import_delay": -1}, id="import-delay"),
        pytest.param({"analysis_delay": -1}, id="analysis-delay"),
        pytest.param({"summary_delay": -0.5}, id="summary-delay"),
        pytest.param({"max_workspaces": -1}, id="max-workspaces"),
        pytest.param({"error_body_style": "nested"}, id="style"),
        pytest.param({"faults": {"reset": 1.0}}, id="faults-type"),
    ],
)
def test_bad_knobs(knobs):
    """Knobs out of range are refused at construction."""
    with pytest.raises((ValueError, TypeError)):
        EmulatorConfig(access_key="K", secret_key="S", **knobs)


def test_empty_credentials():
    """Empty credentials are refused."""
    with pytest.raises(ValueError, match="secret_key"):
        EmulatorConfig(access_key="K", secret_key="")


def test_fault_probabilities_must_fit():
    """Probabilities above 1, below 0, or adding up past 1 are refused."""
    with pytest.raises(ValueError, match="add up"):
        Faults(error_500=0.6, reset=0.6)
    with pytest.raises(ValueError, match="error_502"):
        Faults(error_502=1.5)
    with pytest.raises(ValueError, match="reset"):
        Faults(reset=-0.1)
    assert 1 == round(Faults(error_500=0.1, error_502=0.2, reset=0.7).total())


def test_knobs_mirror_the_config():
    """The Emulator's keyword knobs are exactly the config's other fields."""
    fields = {f.name for f in attrs.fields(EmulatorConfig)}

    assert fields - {"access_key", "secret_key"} == set(
        typing.get_type_hints(Knobs)
    )
