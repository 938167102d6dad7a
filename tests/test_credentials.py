"""
Credential resolution, and the secret never showing.
"""

from __future__ import annotations

import logging
import pickle
import traceback

import pytest

from maiu_async import (
    Credentials,
    CredentialsNotFound,
    MaiuClient,
    UsageError,
)
from maiu_async._credentials import resolve_credentials


SECRET = "sUpErSeCrEt-0123456789"


def test_explicit_beats_everything(monkeypatch, tmp_path):
    """Explicit credentials are used as given."""
    monkeypatch.setenv("NCLOUD_ACCESS_KEY_ID", "env-ak")
    monkeypatch.setenv("NCLOUD_SECRET_ACCESS_KEY", "env-sk")
    client = MaiuClient(access_key="explicit-ak", secret_key=SECRET)

    assert "explicit-ak" == client._credentials.access_key


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        pytest.param(
            ("NCLOUD_ACCESS_KEY_ID", "NCLOUD_SECRET_ACCESS_KEY"),
            "official",
            id="official-sdk-names",
        ),
        pytest.param(
            ("NCLOUD_ACCESS_KEY", "NCLOUD_SECRET_KEY"),
            "terraform",
            id="terraform-names",
        ),
    ],
)
def test_environment(names, expected, tmp_path):
    """Both the official SDK's and Terraform's variable names work."""
    env = {names[0]: expected, names[1]: SECRET}

    creds = resolve_credentials(env, tmp_path / "none")

    assert Credentials(expected, SECRET) == creds


def test_official_names_win(tmp_path):
    """With both pairs set, the official SDK's names win."""
    env = {
        "NCLOUD_ACCESS_KEY_ID": "official",
        "NCLOUD_SECRET_ACCESS_KEY": SECRET,
        "NCLOUD_ACCESS_KEY": "terraform",
        "NCLOUD_SECRET_KEY": SECRET,
    }

    assert "official" == resolve_credentials(env, tmp_path / "x").access_key


def test_half_a_pair_is_not_enough(tmp_path):
    """An access key without its secret does not count."""
    with pytest.raises(CredentialsNotFound):
        resolve_credentials({"NCLOUD_ACCESS_KEY_ID": "ak"}, tmp_path / "x")


def test_cli_config_file(tmp_path):
    """The ncloud CLI's configure file is read."""
    path = tmp_path / "configure"
    path.write_text(
        "[DEFAULT]\n"
        "ncloud_access_key_id = file-ak\n"
        f"ncloud_secret_access_key = {SECRET}\n"
        "ncloud_api_url = https://ncloud.apigw.ntruss.com\n"
    )

    assert Credentials("file-ak", SECRET) == resolve_credentials({}, path)


def test_client_reads_home_config(monkeypatch, tmp_path):
    """MaiuClient() with nothing else set falls back to ~/.ncloud."""
    for name in (
        "NCLOUD_ACCESS_KEY_ID",
        "NCLOUD_SECRET_ACCESS_KEY",
        "NCLOUD_ACCESS_KEY",
        "NCLOUD_SECRET_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".ncloud").mkdir()
    (tmp_path / ".ncloud" / "configure").write_text(
        f"[DEFAULT]\nncloud_access_key_id=home-ak\n"
        f"ncloud_secret_access_key={SECRET}\n"
    )

    assert "home-ak" == MaiuClient()._credentials.access_key


def test_missing_names_every_place(tmp_path):
    """The error names every place that was searched."""
    path = tmp_path / "configure"
    with pytest.raises(CredentialsNotFound) as info:
        resolve_credentials({}, path)

    message = str(info.value)
    for place in (
        "NCLOUD_ACCESS_KEY_ID",
        "NCLOUD_SECRET_KEY",
        str(path),
        "ncloud_access_key_id",
    ):
        assert place in message


def test_empty_secret_refused_without_echo():
    """An empty key is a usage error that does not echo the other key."""
    with pytest.raises(UsageError) as info:
        Credentials("ak-value", "  ")

    assert "secret_key" in str(info.value)
    assert "ak-value" not in str(info.value)


def test_secret_never_in_repr_or_str():
    """Neither Credentials nor the client show the secret."""
    creds = Credentials("AKIDEXAMPLE123", SECRET)
    client = MaiuClient(creds, endpoint="http://127.0.0.1:9")

    for shown in (repr(creds), str(creds), repr(client), repr(client._signer)):
        assert SECRET not in shown


def test_secret_not_picklable():
    """Credentials refuse to be pickled (a pickle is a copy on disk)."""
    with pytest.raises(TypeError):
        pickle.dumps(Credentials("ak", SECRET))


def test_secret_not_in_traceback():
    """A failure inside the signer's use shows no secret in its traceback."""
    creds = Credentials("ak", SECRET)
    try:
        MaiuClient(creds, endpoint="ftp://nope")
    except UsageError:
        text = traceback.format_exc()
    else:  # pragma: no cover
        pytest.fail("expected UsageError")

    assert SECRET not in text


@pytest.mark.anyio
async def test_secret_not_in_debug_logs(caplog):
    """Debug logging of requests never writes the secret or signature."""
    from maiu_async.emulator import Emulator  # noqa: PLC0415

    caplog.set_level(logging.DEBUG)
    async with (
        Emulator(access_key="ak", secret_key=SECRET) as emu,
        MaiuClient(access_key="ak", secret_key=SECRET, endpoint=emu.url) as c,
    ):
        await c.workspaces.create("log-check")
        await c.projects.list("log-check")

    assert caplog.text
    assert SECRET not in caplog.text
