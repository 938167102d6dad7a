"""``python -m maiu_async.emulator`` and its argument parsing."""

from __future__ import annotations

import os
import signal
import sys
import typing

import anyio
import pytest

from maiu_async.emulator import Faults
from maiu_async.emulator._cli import _config, _parser, main
from maiu_async.emulator._config import Knobs


LISTENING = "maiu-async emulator listening on "


async def read_line(stream) -> str:
    data = b""
    while not data.endswith(b"\n"):
        data += await stream.receive(1)
    return data.decode()


@pytest.mark.anyio
async def test_subprocess_serves_signed_requests(credentials, api_for):
    """The module runs a server, announces it, answers, and stops on TERM."""
    env = {**os.environ, "MAIU_EMULATOR_SECRET_KEY": credentials.secret_key}
    command = [
        sys.executable,
        "-m",
        "maiu_async.emulator",
        "--port",
        "0",
        "--access-key",
        credentials.access_key,
        "--latency",
        "0.01",
    ]
    async with await anyio.open_process(command, env=env) as process:
        try:
            with anyio.fail_after(20):
                line = await read_line(process.stdout)
            url = line.removeprefix(LISTENING).strip()
            reply = await api_for(url).get("/api/v1/workspaces?pageNum=1")
            process.send_signal(signal.SIGTERM)
            with anyio.fail_after(10):
                code = await process.wait()
            rest = b"".join([chunk async for chunk in process.stdout])
            errors = b"".join([chunk async for chunk in process.stderr])
        finally:
            # A failed step must not leave the server running.
            if process.returncode is None:
                process.kill()

    assert line.startswith(LISTENING)
    assert url.startswith("http://127.0.0.1:")
    assert 200 == reply.status
    assert 0 == code
    assert credentials.secret_key.encode() not in rest + errors
    assert b"" == rest


def test_missing_credentials(monkeypatch, capsys):
    """Without credentials the CLI exits with status 2 and a hint."""
    monkeypatch.delenv("MAIU_EMULATOR_ACCESS_KEY", raising=False)
    monkeypatch.delenv("MAIU_EMULATOR_SECRET_KEY", raising=False)

    with pytest.raises(SystemExit) as excinfo:
        main(["--port", "0"])

    assert 2 == excinfo.value.code
    assert "MAIU_EMULATOR_SECRET_KEY" in capsys.readouterr().err


def test_bad_knob(capsys):
    """A knob out of range exits with status 2 and names the knob."""
    with pytest.raises(SystemExit) as excinfo:
        main(["--access-key", "K", "--secret-key", "S", "--fault-500", "2"])

    assert 2 == excinfo.value.code
    assert "error_500" in capsys.readouterr().err


def test_flags_map_to_the_config(monkeypatch):
    """Every flag lands in its EmulatorConfig field."""
    monkeypatch.setenv("MAIU_EMULATOR_ACCESS_KEY", "AK")
    monkeypatch.setenv("MAIU_EMULATOR_SECRET_KEY", "SK")
    args = _parser().parse_args(
        [
            "--latency=0.05",
            "--jitter=0.01",
            "--rate-limit=20",
            "--rate-limit-burst=4",
            "--rate-limit-retry-after=0.5",
            "--fault-500=0.1",
            "--fault-502=0.1",
            "--fault-503=0.1",
            "--fault-429=0.1",
            "--fault-reset=0.1",
            "--fault-lost-response=0.1",
            "--fault-retry-after=2",
            "--seed=7",
            "--error-body-style=wrapped",
            "--import-delay=1.5",
            "--analysis-delay=2.5",
            "--summary-delay=3.5",
            "--max-workspaces=3",
        ]
    )

    config = _config(args)

    assert ("AK", "SK") == (config.access_key, config.secret_key)
    assert (0.05, 0.01, 20.0, 4, 0.5) == (
        config.latency,
        config.jitter,
        config.rate_limit,
        config.rate_limit_burst,
        config.rate_limit_retry_after,
    )
    assert (
        Faults(
            error_500=0.1,
            error_502=0.1,
            error_503=0.1,
            rate_limited=0.1,
            reset=0.1,
            lost_response=0.1,
            retry_after=2.0,
        )
        == config.faults
    )
    assert (7, "wrapped", 1.5, 2.5, 3.5, 3) == (
        config.seed,
        config.error_body_style,
        config.import_delay,
        config.analysis_delay,
        config.summary_delay,
        config.max_workspaces,
    )


def test_fault_modes_map_to_the_config():
    """--fault-keyed and --fault-certain land in Faults.keyed and .certain."""
    args = _parser().parse_args(
        [
            "--access-key=K",
            "--secret-key=S",
            "--fault-500=0.2",
            "--fault-keyed",
            "--fault-certain=dir/a=b.mp4=error_503",
            "--fault-certain=c.mp4=lost_response",
        ]
    )

    faults = _config(args).faults

    assert (0.2, True) == (faults.error_500, faults.keyed)
    assert {"dir/a=b.mp4": "error_503", "c.mp4": "lost_response"} == dict(
        faults.certain
    )


@pytest.mark.parametrize(
    "flag",
    [
        pytest.param("--fault-certain=k.mp4", id="no-kind"),
        pytest.param("--fault-certain==error_500", id="no-key"),
        pytest.param("--fault-certain=k.mp4=boom", id="unknown-kind"),
    ],
)
def test_bad_certain_fault(flag, capsys):
    """A malformed --fault-certain exits with status 2 and says why."""
    with pytest.raises(SystemExit) as excinfo:
        main(["--access-key", "K", "--secret-key", "S", flag])

    assert 2 == excinfo.value.code
    assert "certain" in capsys.readouterr().err


def test_every_plain_knob_has_a_flag():
    """Each scalar knob is settable from the command line by its own name."""
    nested = {"faults", "object_storage"}
    dests = {action.dest for action in _parser()._actions}

    assert set() == set(typing.get_type_hints(Knobs)) - nested - dests
