"""
``python -m maiu_async.emulator``, ``maiu-async emulator`` and their flags.

Both front ends are built from one table of flags (``_flags.FLAGS``);
these tests hold them to the same configuration and the same errors.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import typing

import anyio
import attrs
import pytest

from maiu_async.cli import main as cli_main
from maiu_async.cli._emulator_cmd import emulator as click_emulator
from maiu_async.emulator import EmulatorConfig, Faults
from maiu_async.emulator._cli import _config, _parser, build_config, main
from maiu_async.emulator._config import Knobs
from maiu_async.emulator._flags import BOUNDS, FLAGS, Kind


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
    assert (
        f"export NCLOUD_ACCESS_KEY_ID={credentials.access_key}\n".encode()
        in rest
    )
    assert b"the secret key you gave the emulator" in rest


def test_half_a_key_pair(monkeypatch, capsys):
    """An access key without its secret exits 2 and names both flags."""
    monkeypatch.delenv("MAIU_EMULATOR_ACCESS_KEY", raising=False)
    monkeypatch.delenv("MAIU_EMULATOR_SECRET_KEY", raising=False)

    with pytest.raises(SystemExit) as excinfo:
        main(["--port", "0", "--access-key", "K"])

    assert 2 == excinfo.value.code
    err = capsys.readouterr().err
    assert "--access-key and --secret-key" in err
    assert "MAIU_EMULATOR_SECRET_KEY" in err


def test_no_keys_make_a_pair(monkeypatch):
    """Without keys, a pair is made for the run, different each time."""
    monkeypatch.delenv("MAIU_EMULATOR_ACCESS_KEY", raising=False)
    monkeypatch.delenv("MAIU_EMULATOR_SECRET_KEY", raising=False)

    first, made = build_config(vars(_parser().parse_args([])))
    second, _ = build_config(vars(_parser().parse_args([])))

    assert made
    assert first.access_key.startswith("local-")
    assert first.secret_key != second.secret_key


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        pytest.param("--fault-500", "1.5", id="probability"),
        pytest.param("--latency", "-1", id="seconds"),
        pytest.param("--rate-limit", "0", id="rate"),
        pytest.param("--rate-limit-burst", "0", id="burst"),
        pytest.param("--max-workspaces", "-1", id="count"),
        pytest.param("--port", "70000", id="port"),
    ],
)
def test_bad_knob_names_the_flag(capsys, flag, value):
    """Out of range: both front ends exit 2 naming the flag, not a field."""
    with pytest.raises(SystemExit) as excinfo:
        main(["--access-key", "K", "--secret-key", "S", flag, value])
    argparse_err = capsys.readouterr().err
    code = cli_main(["emulator", flag, value])
    click_err = capsys.readouterr().err

    assert (2, 2) == (excinfo.value.code, code)
    for err in (argparse_err, click_err):
        last = err.strip().splitlines()[-1]
        assert flag in last
        assert re.search(r"'[a-z0-9]+_[a-z0-9_]+'", last) is None  # a field


def test_probabilities_adding_up_to_more_than_one(capsys):
    """A sum over 1 is refused by both front ends, naming the fault flags."""
    args = ["--fault-500", "0.6", "--fault-503", "0.6"]
    with pytest.raises(SystemExit):
        main(["--access-key", "K", "--secret-key", "S", *args])
    argparse_err = capsys.readouterr().err
    code = cli_main(["emulator", *args])
    click_err = capsys.readouterr().err

    assert 2 == code
    assert "--fault-* options: fault probabilities add up to 1.2" in (
        argparse_err
    )
    assert "--fault-* options: fault probabilities add up to 1.2" in (
        click_err
    )


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


_EVERY_FLAG = [
    "--host=127.0.0.2",
    "--port=0",
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
    "--fault-keyed",
    "--fault-certain=a=b.mp4=error_503",
    "--fault-certain=c.mp4=reset",
    "--seed=7",
    "--error-body-style=wrapped",
    "--import-delay=1.5",
    "--analysis-delay=2.5",
    "--summary-delay=3.5",
    "--max-workspaces=3",
    "--s3-endpoint=http://s3.test",
    "--s3-region=us-standard",
    "--s3-check-concurrency=0",
]


@pytest.mark.parametrize(
    "args",
    [
        pytest.param([], id="defaults"),
        pytest.param(_EVERY_FLAG, id="every-flag"),
    ],
)
def test_both_front_ends_build_the_same_config(monkeypatch, args):
    """argparse and click read the same flags into the same config."""
    monkeypatch.setenv("MAIU_EMULATOR_ACCESS_KEY", "AK")
    monkeypatch.setenv("MAIU_EMULATOR_SECRET_KEY", "SK")
    parsed = vars(_parser().parse_args(args))
    ctx = click_emulator.make_context("emulator", list(args))

    assert set(parsed) == set(ctx.params)
    assert (parsed["host"], parsed["port"]) == (
        ctx.params["host"],
        ctx.params["port"],
    )
    assert build_config(parsed) == build_config(ctx.params)


def _field(dest: str) -> attrs.Attribute:
    for cls in (EmulatorConfig, Faults):
        fields = attrs.fields_dict(cls)
        if dest in fields:
            return fields[dest]
    raise LookupError(dest)


_BOUNDED = [
    pytest.param(flag, id=flag.name)
    for flag in FLAGS
    if flag.kind in BOUNDS
    and flag.kind is not Kind.PORT
    and flag.dest
    in {*typing.get_type_hints(Knobs), *attrs.fields_dict(Faults)}
]


@pytest.mark.parametrize("flag", _BOUNDED)
def test_flag_bounds_agree_with_the_config(flag):
    """Each flag's bounds are the config field's: the same edge values."""
    number, low, high, open_low = BOUNDS[flag.kind]
    field = _field(flag.dest)

    def accepted(value) -> bool:
        try:
            field.validator(None, field, number(value))
        except (TypeError, ValueError):
            return False
        return True

    step = 1 if number is int else 0.001
    if low is not None:
        assert open_low != accepted(low)
        assert not accepted(low - step)
        assert accepted(low + step)
    if high is not None:
        assert accepted(high)
        assert not accepted(high + step)


async def _read_exports(stream) -> tuple[str, dict[str, str]]:
    listening = await read_line(stream)
    exports: dict[str, str] = {}
    while len(exports) < 3:
        line = await read_line(stream)
        match = re.fullmatch(r"export (\w+)=(\S+)\n", line)
        if match:
            exports[match[1]] = match[2]
        elif "NCLOUD_SECRET_ACCESS_KEY" in line:
            break
    return listening, exports


@pytest.mark.anyio
async def test_cli_emulator_without_keys_prints_exports(api_for):
    """`maiu-async emulator` without keys makes a pair and prints exports."""
    from maiu_async import MaiuClient  # noqa: PLC0415

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MAIU_EMULATOR")
    }
    command = [sys.executable, "-m", "maiu_async.cli", "emulator", "--port=0"]
    async with await anyio.open_process(command, env=env) as process:
        try:
            with anyio.fail_after(20):
                listening, exports = await _read_exports(process.stdout)
            url = listening.removeprefix(LISTENING).strip()
            async with MaiuClient(
                access_key=exports["NCLOUD_ACCESS_KEY_ID"],
                secret_key=exports["NCLOUD_SECRET_ACCESS_KEY"],
                endpoint=exports["MAIU_ENDPOINT"],
            ) as client:
                created = await client.workspaces.create("made-keys")
            process.send_signal(signal.SIGTERM)
            with anyio.fail_after(10):
                code = await process.wait()
        finally:
            if process.returncode is None:
                process.kill()

    assert url == exports["MAIU_ENDPOINT"]
    assert exports["NCLOUD_ACCESS_KEY_ID"].startswith("local-")
    assert "made-keys" == created.workspace_name
    assert 0 == code
