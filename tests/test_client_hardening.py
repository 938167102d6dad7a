"""
Mistakes a person makes with the client, each refused or explained.

Bad *rate* values at construction, mixed-case workspace names on every
call before anything is sent, and a clock that is off (issue 13, items 11
and 12).
"""

from __future__ import annotations

import math

import pytest

from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async import (
    AuthenticationFailed,
    MaiuClient,
    UsageError,
    ValidationError,
)
from maiu_async.emulator import Emulator
from maiu_async.exceptions import duration
from maiu_async.testing import MockTransport, Request, Response


pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("rate", "shown"),
    [
        pytest.param(math.nan, "nan", id="nan"),
        pytest.param("10", "'10'", id="string"),
        pytest.param(0, "0", id="zero"),
        pytest.param(-1.5, "-1.5", id="negative"),
        pytest.param(math.inf, "inf", id="inf"),
        pytest.param(True, "True", id="bool"),
    ],
)
def test_bad_rate_refused_at_construction(rate, shown):
    """A rate that is not a positive finite number is refused, named."""
    with pytest.raises(UsageError) as info:
        MaiuClient(access_key=ACCESS_KEY, secret_key=SECRET_KEY, rate=rate)

    assert f"got {shown}" in str(info.value)


@pytest.mark.parametrize("rate", [None, 0.5, 10, 1e6])
def test_good_rate_accepted(rate):
    """None and positive finite numbers are accepted."""
    client = MaiuClient(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, rate=rate
    )

    assert "unopened" in repr(client)


def _calls_with_a_workspace(client: MaiuClient, ws: str) -> dict[str, object]:
    """One coroutine per kind of call that names a workspace."""
    return {
        "workspaces.get": client.workspaces.get(ws),
        "workspaces.delete": client.workspaces.delete(ws),
        "projects.list": client.projects.list(ws),
        "projects.create": client.projects.create(ws, "p"),
        "assets.register": client.assets.register(
            ws, 1, key="a.mp4", bucket_name="b"
        ),
        "assets.list": client.assets.list(ws, 1),
        "analysis.status": client.analysis.status(ws, 1, 2),
        "search.request": client.search.request(ws, text="sea"),
        "persons.list": client.persons.list(ws),
        "person_tags.list": client.person_tags.list(ws),
    }


async def test_mixed_case_workspace_refused_before_sending():
    """Every call naming a mixed-case workspace is refused, nothing sent."""
    sent: list[Request] = []

    def handler(request: Request) -> Response:
        sent.append(request)
        raise AssertionError("unreachable")

    refused = {}
    async with MaiuClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        transport=MockTransport(handler),
    ) as client:
        for name, call in _calls_with_a_workspace(client, "CLI-WS").items():
            try:
                await call  # type: ignore[misc]
            except ValidationError as exc:
                refused[name] = (exc.field, str(exc))

    assert [] == sent
    assert 10 == len(refused)
    for field, message in refused.values():
        assert "workspace" == field
        assert "'CLI-WS'" in message
        assert "did you mean 'cli-ws'?" in message


async def test_lower_case_workspace_still_sent(client, emu):
    """A lower-case name goes out as before (the check is not too wide)."""
    emu.state.add_workspace("cli-ws", "b")

    assert "cli-ws" == (await client.workspaces.get("cli-ws")).workspace_name


@pytest.mark.parametrize("offset", [360.0, -400.0])
async def test_clock_skew_says_it_is_the_clock_and_by_how_much(offset):
    """A 401 for the timestamp names the clock, the skew and the details."""
    async with (
        Emulator(
            access_key=ACCESS_KEY, secret_key=SECRET_KEY, clock_offset=offset
        ) as emu,
        MaiuClient(
            access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint=emu.url
        ) as client,
    ):
        with pytest.raises(AuthenticationFailed) as info:
            await client.workspaces.list()

    exc = info.value
    message = str(exc)
    assert exc.blames_clock
    assert exc.clock_skew is not None
    # The Date header is cut to the second and read after it was sent:
    # the skew is the offset, at most a second less, plus any stall.
    assert -offset <= exc.clock_skew + 1
    assert abs(exc.clock_skew) > 300
    assert "Timestamp is too far from the server clock" == exc.api_details
    assert "Timestamp is too far from the server clock" in message
    side = "behind" if offset > 0 else "ahead of"
    assert "this machine's clock is " in message
    assert f" {side} the server's" in message


async def test_clock_blamed_without_a_date_header():
    """Gateway details about the timestamp blame the clock, skew unknown."""

    def handler(request: Request) -> Response:
        return Response(
            401,
            json={
                "error": {
                    "errorCode": "200",
                    "message": "Authentication Failed",
                    "details": "Invalid timestamp",
                }
            },
        )

    async with MaiuClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        transport=MockTransport(handler),
    ) as client:
        with pytest.raises(AuthenticationFailed) as info:
            await client.workspaces.list()

    assert (True, None) == (info.value.blames_clock, info.value.clock_skew)
    assert "too far from the server's clock" in str(info.value)


async def test_wrong_secret_does_not_blame_the_clock():
    """A signature mismatch with a right clock is not called clock skew."""
    async with (
        Emulator(access_key=ACCESS_KEY, secret_key="other") as emu,
        MaiuClient(
            access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint=emu.url
        ) as client,
    ):
        with pytest.raises(AuthenticationFailed) as info:
            await client.workspaces.list()

    assert not info.value.blames_clock
    assert "Signature mismatch" in str(info.value)
    assert "clock" not in str(info.value)


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0.4, "0 s"),
        (45, "45 s"),
        (360, "6 min"),
        (362.4, "6 min 2 s"),
        (3 * 3600 + 5 * 60 + 7, "3 h 5 min"),
        (2 * 86400 + 60, "2 d 1 min"),
    ],
)
def test_duration_reads_like_a_person(seconds, expected):
    """Durations are said in the two largest units."""
    assert expected == duration(seconds)
