"""
StorageConfig: NCP's documented defaults, validation, credentials.
"""

from __future__ import annotations

import sys

import pytest

from s3helpers import S3_SECRET_KEY

import maiu_async
import maiu_async.storage as storage_package

from maiu_async import Credentials
from maiu_async.exceptions import CredentialsNotFound, MaiuError, UsageError
from maiu_async.storage import StorageConfig
from maiu_async.storage._config import open_s3_client


def test_defaults_are_ncp_object_storage():
    """Korea's endpoint and region, path style, checksums when required."""
    config = StorageConfig()

    assert (
        "https://kr.object.ncloudstorage.com",
        "kr-standard",
        True,
        "when_required",
        1000,
        None,
    ) == (
        config.endpoint,
        config.region,
        config.path_style,
        config.checksum,
        config.page_size,
        config.credentials,
    )


def test_repr_hides_the_secret():
    """The secret key never shows in a repr."""
    config = StorageConfig(
        credentials=Credentials("AKID12345678", S3_SECRET_KEY)
    )

    assert S3_SECRET_KEY not in repr(config)
    assert "secret_key='***'" in repr(config)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        pytest.param(
            {"endpoint": "kr.object.ncloudstorage.com"}, "URL", id="no-scheme"
        ),
        pytest.param({"endpoint": "ftp://x"}, "URL", id="ftp"),
        pytest.param({"endpoint": "https://"}, "URL", id="no-host"),
        pytest.param({"region": " "}, "region", id="region"),
        pytest.param({"page_size": 0}, "page_size", id="page-size-0"),
        pytest.param({"page_size": 1001}, "page_size", id="page-size-1001"),
        pytest.param({"max_attempts": 0}, "max_attempts", id="attempts"),
        pytest.param({"read_timeout": 0}, "read_timeout", id="timeout"),
        pytest.param({"connect_timeout": True}, "connect_timeout", id="bool"),
    ],
)
def test_bad_settings(changes, match):
    """Settings that cannot work are refused at construction."""
    with pytest.raises(UsageError, match=match):
        StorageConfig(**changes)


def test_checksum_choices():
    """Only botocore's two checksum modes are accepted."""
    assert (
        "when_supported" == StorageConfig(checksum="when_supported").checksum
    )
    with pytest.raises(ValueError, match="checksum"):
        StorageConfig(checksum="always")  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_no_credentials_anywhere(monkeypatch, tmp_path):
    """Without keys, opening names every place it looked."""
    for name in (
        "NCLOUD_ACCESS_KEY_ID",
        "NCLOUD_SECRET_ACCESS_KEY",
        "NCLOUD_ACCESS_KEY",
        "NCLOUD_SECRET_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))

    with pytest.raises(CredentialsNotFound, match="NCLOUD_ACCESS_KEY_ID"):
        async with open_s3_client(StorageConfig()):
            pass


@pytest.mark.anyio
async def test_ncp_keys_are_the_default(monkeypatch):
    """Without credentials, the NCP keys of the environment are used."""
    monkeypatch.setenv("NCLOUD_ACCESS_KEY_ID", "AKIDFROMENV01")
    monkeypatch.setenv("NCLOUD_SECRET_ACCESS_KEY", S3_SECRET_KEY)

    async with open_s3_client(StorageConfig()) as client:
        creds = await client._get_credentials().get_frozen_credentials()

    assert ("AKIDFROMENV01", S3_SECRET_KEY) == (
        creds.access_key,
        creds.secret_key,
    )


@pytest.mark.anyio
async def test_client_settings(monkeypatch):
    """Path style, the region, checksums and retries reach botocore."""
    config = StorageConfig(
        endpoint="https://us.object.ncloudstorage.com",
        region="us-standard",
        credentials=Credentials("AKID12345678", S3_SECRET_KEY),
        max_attempts=2,
    )

    async with open_s3_client(config) as client:
        meta = client.meta

    assert "https://us.object.ncloudstorage.com" == meta.endpoint_url
    assert "us-standard" == meta.region_name
    assert {"addressing_style": "path"} == meta.config.s3
    assert "when_required" == meta.config.request_checksum_calculation
    assert "when_required" == meta.config.response_checksum_validation
    assert 2 == meta.config.retries["total_max_attempts"]


@pytest.mark.anyio
async def test_without_the_s3_extra(monkeypatch):
    """Without aiobotocore, opening says which extra to install."""
    monkeypatch.setitem(sys.modules, "aiobotocore.session", None)

    with pytest.raises(UsageError, match=r"maiu-async\[s3\]"):
        async with open_s3_client(StorageConfig()):
            pass


ERROR_ENDS = ("Error", "Refused", "Unavailable")


def test_public_surface():
    """__all__ is sorted and complete; classes show as a public module."""
    public = {
        name
        for name, value in vars(storage_package).items()
        if not name.startswith("_")
        and not isinstance(value, type(storage_package))
        and name != "annotations"
    }

    assert sorted(storage_package.__all__) == list(storage_package.__all__)
    assert public == set(storage_package.__all__)
    errors = {n for n in storage_package.__all__ if n.endswith(ERROR_ENDS)}
    for name in storage_package.__all__:
        obj = getattr(storage_package, name)
        if isinstance(obj, type):
            # The errors live with the whole tree, in maiu_async.exceptions.
            home = "exceptions" if name in errors else "storage"
            assert f"maiu_async.{home}" == obj.__module__, name


def test_errors_are_one_tree():
    """The storage errors are the tree's, importable from both places."""
    assert maiu_async.ObjectStorageError is storage_package.ObjectStorageError
    assert issubclass(storage_package.ObjectStorageRefused, MaiuError)
