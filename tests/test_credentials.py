"""
Credential resolution, and the secret never showing.
"""

from __future__ import annotations

import logging
import pickle
import traceback

import pytest

from maiu_async import (
    AuthenticationFailed,
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


# -- profiles and --access-key pairing (issue 14) ---------------------------

PROD_FIRST = (
    "[prod]\n"
    "ncloud_access_key_id = prod-ak\n"
    "ncloud_secret_access_key = prod-secret-0123456789\n"
    "[DEFAULT]\n"
    "ncloud_access_key_id = default-ak\n"
    f"ncloud_secret_access_key = {SECRET}\n"
    "[dev]\n"
    "ncloud_access_key_id = dev-ak\n"
)


@pytest.fixture(name="configure")
def _configure(tmp_path):
    path = tmp_path / "configure"
    path.write_text(PROD_FIRST)
    return path


def test_default_section_wins_over_a_first_section(configure):
    """A file whose first section is [prod] still yields [DEFAULT]."""
    creds = resolve_credentials({}, configure)

    assert ("default-ak", SECRET) == (creds.access_key, creds.secret_key)
    assert f"ncloud CLI file {configure} [DEFAULT]" == creds.source


def test_no_default_section_is_not_found(tmp_path):
    """Without [DEFAULT] and a profile, no other section is taken."""
    path = tmp_path / "configure"
    path.write_text(PROD_FIRST.split("[DEFAULT]", maxsplit=1)[0])

    with pytest.raises(CredentialsNotFound) as info:
        resolve_credentials({}, path)

    assert "no profile [DEFAULT] (profiles: [prod])" in str(info.value)


def test_profile_argument_reads_only_that_section(configure):
    """profile= reads its section, even with keys in the environment."""
    env = {"NCLOUD_ACCESS_KEY_ID": "env-ak", "NCLOUD_SECRET_ACCESS_KEY": "x"}

    creds = Credentials.from_environment(env, configure, profile="prod")

    assert "prod-ak" == creds.access_key
    assert creds.source.endswith("[prod]")


def test_profile_variable_comes_after_the_key_variables(configure):
    """$NCLOUD_PROFILE picks the section; key variables still come first."""
    by_profile = resolve_credentials({"NCLOUD_PROFILE": "prod"}, configure)
    by_keys = resolve_credentials(
        {
            "NCLOUD_PROFILE": "prod",
            "NCLOUD_ACCESS_KEY_ID": "env-ak",
            "NCLOUD_SECRET_ACCESS_KEY": SECRET,
        },
        configure,
    )

    assert ("prod-ak", "env-ak") == (by_profile.access_key, by_keys.access_key)


@pytest.mark.parametrize(
    ("profile", "words"),
    [
        pytest.param("staging", "no profile [staging]", id="unknown"),
        pytest.param("dev", "[dev]", id="no-secret"),
    ],
)
def test_bad_profile_is_not_found(configure, profile, words):
    """An unknown or incomplete profile fails, naming it; no fallback."""
    with pytest.raises(CredentialsNotFound) as info:
        Credentials.from_environment({}, configure, profile=profile)

    assert words in str(info.value)
    assert SECRET not in str(info.value)


def test_dev_does_not_borrow_the_default_secret(configure):
    """A section without a secret does not inherit [DEFAULT]'s."""
    with pytest.raises(CredentialsNotFound):
        Credentials.from_environment({}, configure, access_key="dev-ak")


def test_access_key_pairs_with_its_own_section(configure):
    """access_key= takes the secret of the section holding that key."""
    creds = Credentials.from_environment({}, configure, access_key="prod-ak")

    assert ("prod-ak", "prod-secret-0123456789") == (
        creds.access_key,
        creds.secret_key,
    )


def test_access_key_never_takes_another_keys_secret(configure):
    """A variable pair for another key lends its secret to no one."""
    env = {"NCLOUD_ACCESS_KEY_ID": "other", "NCLOUD_SECRET_ACCESS_KEY": "x1"}

    creds = Credentials.from_environment(env, configure, access_key="prod-ak")

    assert "prod-secret-0123456789" == creds.secret_key


def test_access_key_with_a_lone_secret_variable(tmp_path):
    """A secret variable without its key variable pairs with access_key=."""
    env = {"NCLOUD_SECRET_ACCESS_KEY": SECRET}

    creds = Credentials.from_environment(
        env, tmp_path / "none", access_key="given-ak"
    )

    assert ("given-ak", SECRET) == (creds.access_key, creds.secret_key)
    assert "NCLOUD_SECRET_ACCESS_KEY" in creds.source


def test_unknown_access_key_is_not_found(configure):
    """An access key nobody holds a secret for is not found, and says so."""
    with pytest.raises(CredentialsNotFound) as info:
        Credentials.from_environment({}, configure, access_key="nobody")

    assert "'nobody'" in str(info.value)


def test_source_is_not_part_of_equality():
    """Two pairs with the same keys are equal wherever they came from."""
    assert Credentials("ak", SECRET) == Credentials(
        "ak", SECRET, source="elsewhere"
    )


@pytest.mark.anyio
async def test_authentication_error_names_key_and_source(monkeypatch):
    """A 401 says which key id signed and where it came from; no secret."""
    from maiu_async.emulator import Emulator  # noqa: PLC0415

    monkeypatch.setenv("NCLOUD_ACCESS_KEY_ID", "env-ak")
    monkeypatch.setenv("NCLOUD_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.delenv("NCLOUD_ACCESS_KEY", raising=False)
    monkeypatch.delenv("NCLOUD_SECRET_KEY", raising=False)
    async with (
        Emulator(access_key="env-ak", secret_key="another-secret") as emu,
        MaiuClient(endpoint=emu.url, retry=None) as client,
    ):
        with pytest.raises(AuthenticationFailed) as info:
            await client.workspaces.get("anything")

    message = str(info.value)
    assert message.endswith(
        "signed with access key 'env-ak' from environment "
        "NCLOUD_ACCESS_KEY_ID/NCLOUD_SECRET_ACCESS_KEY"
    )
    assert SECRET not in message
