"""
The emulator's Object Storage check: registering a key that is not in
the bucket succeeds, and its import ends as FILE_NOT_EXIST.
"""

from __future__ import annotations

import socket
import sys

import anyio
import pytest

from s3helpers import S3_ACCESS_KEY, S3_SECRET_KEY, create_bucket, put
from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async import MaiuClient
from maiu_async.emulator import (
    Emulator,
    EmulatorConfig,
    EmulatorState,
    ObjectStorageCheck,
)
from maiu_async.emulator._cli import _config, _parser, main
from maiu_async.emulator._state import (
    OBJECT_FAILED,
    OBJECT_FOUND,
    OBJECT_MISSING,
    OBJECT_PENDING,
)
from maiu_async.exceptions import UsageError


BUCKET = "checked-bucket"


@pytest.fixture(name="bucket", scope="module")
def _bucket(s3_url):
    create_bucket(BUCKET)
    put(BUCKET, "in/there.mp4", 4321)
    put(BUCKET, "in/photo.png", 99)
    return BUCKET


def _check(s3_url: str, **more) -> ObjectStorageCheck:
    return ObjectStorageCheck(
        endpoint=s3_url,
        access_key=S3_ACCESS_KEY,
        secret_key=S3_SECRET_KEY,
        **more,
    )


async def _project(client: MaiuClient) -> int:
    await client.workspaces.create("ws-check", bucket_name=BUCKET)
    return (await client.projects.create("ws-check", "p")).project_id


@pytest.mark.anyio
async def test_missing_object_is_file_not_exist(s3_url, bucket):
    """The POST succeeds; the import status tells the file is missing."""
    async with (
        Emulator(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            object_storage=_check(s3_url),
        ) as emu,
        MaiuClient(
            access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint=emu.url
        ) as client,
    ):
        pid = await _project(client)
        registered = [
            await client.assets.register(
                "ws-check", pid, key=key, bucket_name=name
            )
            for key, name in (
                ("in/there.mp4", BUCKET),
                ("in/not-there.mp4", BUCKET),
                ("in/there.mp4", "no-such-bucket"),
            )
        ]
        statuses = [
            await client.assets.import_status("ws-check", pid, a.asset_id)
            for a in registered
        ]

    assert 3 == len({a.asset_id for a in registered})
    there, missing, no_bucket = statuses
    assert "COMPLETED" == there.upload_status
    assert there.meta_data is not None
    assert 4321 == there.meta_data.size
    assert ("FILE_NOT_EXIST", "FILE_NOT_EXIST") == (
        missing.upload_status,
        no_bucket.upload_status,
    )
    assert "does not exist" in str(missing.upload_result)
    assert 3 == emu.stats.assets_created


@pytest.mark.anyio
async def test_checks_run_in_the_background(s3_url, bucket):
    """Without anyone asking, the workers settle every pending check."""
    async with (
        Emulator(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            object_storage=_check(s3_url, concurrency=2),
        ) as emu,
        MaiuClient(
            access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint=emu.url
        ) as client,
    ):
        pid = await _project(client)
        for key in ("in/photo.png", "gone-1.mp4", "gone-2.mp4"):
            await client.assets.register(
                "ws-check", pid, key=key, bucket_name=BUCKET
            )
        assets = emu.state.assets_of("ws-check", pid)
        with anyio.fail_after(10):
            # The state has no event to wait on: poll it.
            while any(a.object_check == OBJECT_PENDING for a in assets):  # noqa: ASYNC110
                await anyio.sleep(0.01)

    assert [OBJECT_FOUND, OBJECT_MISSING, OBJECT_MISSING] == [
        a.object_check for a in assets
    ]
    assert 99 == assets[0].object_size


@pytest.mark.anyio
async def test_without_workers_checks_wait_for_a_question(s3_url, bucket):
    """With concurrency=0 a key is checked only when its status is asked."""
    async with (
        Emulator(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            object_storage=_check(s3_url, concurrency=0),
        ) as emu,
        MaiuClient(
            access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint=emu.url
        ) as client,
    ):
        pid = await _project(client)
        asset = await client.assets.register(
            "ws-check", pid, key="gone.mp4", bucket_name=BUCKET
        )
        await anyio.sleep(0.2)
        [record] = emu.state.assets_of("ws-check", pid)
        pending = record.object_check
        got = await client.assets.get("ws-check", pid, asset.asset_id)
        after = record.object_check

    assert (OBJECT_PENDING, OBJECT_MISSING) == (pending, after)
    assert asset.asset_id == got.asset_id


@pytest.mark.anyio
async def test_unreachable_store_fails_the_import():
    """When the store cannot be asked, the import ends FAILED."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    async with (
        Emulator(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            object_storage=ObjectStorageCheck(
                endpoint=f"http://127.0.0.1:{port}"
            ),
        ) as emu,
        MaiuClient(
            access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint=emu.url
        ) as client,
    ):
        pid = await _project(client)
        asset = await client.assets.register(
            "ws-check", pid, key="a.mp4", bucket_name=BUCKET
        )
        status = await client.assets.import_status(
            "ws-check", pid, asset.asset_id
        )

    assert "FAILED" == status.upload_status


@pytest.mark.anyio
async def test_without_the_check_keys_are_trusted(emu, client):
    """By default the emulator takes every key on trust (no S3 needed)."""
    pid = await _project(client)
    asset = await client.assets.register(
        "ws-check", pid, key="nowhere.mp4", bucket_name="any"
    )
    status = await client.assets.import_status("ws-check", pid, asset.asset_id)

    assert "COMPLETED" == status.upload_status
    assert None is emu.state.assets_of("ws-check", pid)[0].object_check


@pytest.mark.parametrize(
    ("check", "status"),
    [
        (None, "COMPLETED"),
        (OBJECT_PENDING, "IN_PROGRESS"),
        (OBJECT_FOUND, "COMPLETED"),
        (OBJECT_MISSING, "FILE_NOT_EXIST"),
        (OBJECT_FAILED, "FAILED"),
    ],
)
def test_import_status_follows_the_check(check, status):
    """Pending means IN_PROGRESS; missing beats every other verdict."""
    state = EmulatorState()
    state.add_workspace("ws-state")
    pid = state.add_project("ws-state", "p").project_id
    asset = state.add_asset("ws-state", pid, "a.mp4", "b")
    asset.object_check = check

    assert status == state.import_status(asset)


def test_missing_beats_unsupported_format():
    """A missing file is FILE_NOT_EXIST even with a bad extension."""
    state = EmulatorState()
    state.add_workspace("ws-state")
    pid = state.add_project("ws-state", "p").project_id
    asset = state.add_asset("ws-state", pid, "a.txt", "b")
    asset.object_check = OBJECT_MISSING

    assert "FILE_NOT_EXIST" == state.import_status(asset)


def test_check_settings():
    """Keys come in pairs; the secret never shows; values are checked."""
    check = ObjectStorageCheck(
        endpoint="http://127.0.0.1:9", access_key="K", secret_key=S3_SECRET_KEY
    )

    assert S3_SECRET_KEY not in repr(check)
    assert "kr-standard" == ObjectStorageCheck(endpoint="https://x").region
    with pytest.raises(ValueError, match="both"):
        ObjectStorageCheck(endpoint="https://x", access_key="K")
    with pytest.raises(ValueError, match="endpoint"):
        ObjectStorageCheck(endpoint="kr.object.ncloudstorage.com")
    with pytest.raises(ValueError, match="concurrency"):
        ObjectStorageCheck(endpoint="https://x", concurrency=-1)
    with pytest.raises(TypeError, match="object_storage"):
        EmulatorConfig(access_key="a", secret_key="b", object_storage="x")  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_check_needs_aiobotocore(monkeypatch):
    """Without the s3 extra, an emulator with the check refuses to start."""
    monkeypatch.setitem(sys.modules, "aiobotocore.session", None)

    with pytest.raises(UsageError, match=r"maiu-async\[s3\]"):
        async with Emulator(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            object_storage=ObjectStorageCheck(endpoint="http://127.0.0.1:9"),
        ):
            pass


def test_cli_flags(monkeypatch):
    """--s3-* flags map to the check; the secret comes from the environment."""
    monkeypatch.setenv("MAIU_EMULATOR_ACCESS_KEY", "AK")
    monkeypatch.setenv("MAIU_EMULATOR_SECRET_KEY", "SK")
    monkeypatch.setenv("MAIU_EMULATOR_S3_SECRET_KEY", S3_SECRET_KEY)
    monkeypatch.delenv("MAIU_EMULATOR_S3_ACCESS_KEY", raising=False)

    plain = _config(_parser().parse_args([]))
    own_keys = _config(_parser().parse_args(["--s3-endpoint", "http://s3:9"]))
    other = _config(
        _parser().parse_args(
            [
                "--s3-endpoint=https://us.object.ncloudstorage.com",
                "--s3-region=us-standard",
                "--s3-access-key=S3AK",
                "--s3-check-concurrency=0",
            ]
        )
    )

    assert None is plain.object_storage
    assert (
        ObjectStorageCheck(endpoint="http://s3:9") == own_keys.object_storage
    )
    assert (
        ObjectStorageCheck(
            endpoint="https://us.object.ncloudstorage.com",
            region="us-standard",
            access_key="S3AK",
            secret_key=S3_SECRET_KEY,
            concurrency=0,
        )
        == other.object_storage
    )


def test_cli_access_key_without_secret(monkeypatch, capsys):
    """--s3-access-key without its secret exits 2 naming the variable."""
    monkeypatch.delenv("MAIU_EMULATOR_S3_SECRET_KEY", raising=False)

    with pytest.raises(SystemExit) as excinfo:
        main(
            [
                "--access-key=K",
                "--secret-key=S",
                "--s3-endpoint=http://127.0.0.1:9",
                "--s3-access-key=S3AK",
                "--s3-check-concurrency=0",
            ]
        )

    assert 2 == excinfo.value.code
    assert "MAIU_EMULATOR_S3_SECRET_KEY" in capsys.readouterr().err
