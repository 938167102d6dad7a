"""
BulkOptions: the one home of every bulk default, checked when built.
"""

from __future__ import annotations

import math

import attrs
import pytest

from bulk_support import keys_for

from maiu_async import RetryPolicy, UsageError
from maiu_async.bulk import (
    DEFAULT_RETRY,
    BulkOptions,
    BulkShortcuts,
    ReconcilePolicy,
    register_many,
    stream_register,
)
from maiu_async.emulator import Faults


def test_defaults():
    """The defaults are those the bulk engine has always had."""
    assert (
        BulkOptions(
            concurrency=64,
            rate=None,
            journal=None,
            retry=DEFAULT_RETRY,
            reconcile=ReconcilePolicy(),
            retry_ambiguous=False,
            settle_timeout=30.0,
            on_event=None,
        )
        == BulkOptions()
    )


def test_shortcuts_are_exactly_the_fields():
    """Every option can be a keyword shortcut, and nothing else can."""
    assert {f.name for f in attrs.fields(BulkOptions)} == set(
        BulkShortcuts.__annotations__
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("concurrency", 0, id="concurrency-zero"),
        pytest.param("concurrency", True, id="concurrency-bool"),
        pytest.param("concurrency", 2.5, id="concurrency-float"),
        pytest.param("concurrency", "8", id="concurrency-str"),
        pytest.param("rate", math.nan, id="rate-nan"),
        pytest.param("rate", math.inf, id="rate-inf"),
        pytest.param("rate", 0, id="rate-zero"),
        pytest.param("rate", -5.0, id="rate-negative"),
        pytest.param("rate", "10", id="rate-str"),
        pytest.param("settle_timeout", -1.0, id="settle-negative"),
        pytest.param("settle_timeout", math.nan, id="settle-nan"),
        pytest.param("settle_timeout", None, id="settle-none"),
        pytest.param("journal", 3, id="journal-int"),
        pytest.param("retry", 3, id="retry-int"),
        pytest.param("reconcile", "yes", id="reconcile-str"),
        pytest.param("retry_ambiguous", "yes", id="retry-ambiguous-str"),
        pytest.param("on_event", 1, id="on-event-not-callable"),
    ],
)
def test_bad_values_are_refused_by_name(field, value):
    """A bad value raises UsageError naming the field and the value."""
    with pytest.raises(UsageError, match=f"{field} must be .*{value!r}"):
        BulkOptions(**{field: value})


@pytest.mark.parametrize(
    "good",
    [
        pytest.param({"rate": 12}, id="rate-int"),
        pytest.param({"settle_timeout": 0}, id="settle-zero"),
        pytest.param({"settle_timeout": math.inf}, id="settle-forever"),
        pytest.param({"retry": None, "reconcile": None}, id="none-policies"),
        pytest.param({"journal": "import.journal"}, id="journal-str"),
    ],
)
def test_good_values_are_taken(good):
    """Values in range are kept as given."""
    assert good == {k: getattr(BulkOptions(**good), k) for k in good}


@pytest.mark.anyio
async def test_shortcuts_replace_the_records_values(launch, open_client):
    """A keyword shortcut wins over the record; the rest comes from it."""
    target = await launch(faults=Faults(error_503=1.0))
    client = await open_client(target)
    events = []
    options = BulkOptions(
        retry=RetryPolicy(attempts=1), on_event=events.append
    )

    async with stream_register(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=["a.mp4", "b.mp4"],
        options=options,
        retry=RetryPolicy(attempts=2, initial=0.0, maximum=0.0),
    ) as outcomes:
        attempts = {o.key: o.attempts async for o in outcomes}

    assert {"a.mp4": 2, "b.mp4": 2} == attempts
    assert ["a.mp4", "b.mp4"] == sorted(e.key for e in events)


@pytest.mark.anyio
@pytest.mark.parametrize(
    "call",
    [
        pytest.param({"options": BulkOptions(), "rate": "10"}, id="shortcut"),
        pytest.param({"options": {"rate": 10}}, id="not-a-record"),
        pytest.param({"concurency": 8}, id="unknown-shortcut"),
    ],
)
async def test_bad_options_fail_before_any_request(target, client, call):
    """Bad options raise UsageError before anything is sent."""
    with pytest.raises(UsageError):
        await register_many(
            client,
            target.workspace,
            target.project_id,
            bucket_name=target.bucket,
            keys=keys_for(3),
            **call,
        )

    assert 0 == target.emu.stats.requests
