"""
Where ObjectStorageSource lists and with which keys: the client's keys,
``credentials=``, ``$MAIU_S3_ENDPOINT`` and ``$MAIU_S3_REGION``.
"""

from __future__ import annotations

import pytest

from s3helpers import PREFIX, S3_ACCESS_KEY, S3_SECRET_KEY
from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async import Credentials, MaiuClient, UsageError
from maiu_async.storage import ObjectStorageSource, StorageConfig


_KEY_VARIABLES = (
    "NCLOUD_ACCESS_KEY_ID",
    "NCLOUD_SECRET_ACCESS_KEY",
    "NCLOUD_ACCESS_KEY",
    "NCLOUD_SECRET_KEY",
    "NCLOUD_PROFILE",
    "MAIU_S3_ENDPOINT",
    "MAIU_S3_REGION",
)


@pytest.fixture(autouse=True, name="bare_environment")
def _bare_environment(monkeypatch, tmp_path):
    """No keys in the environment, and no ncloud CLI file."""
    for name in _KEY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))


def test_variables_choose_endpoint_and_region(monkeypatch):
    """$MAIU_S3_ENDPOINT and $MAIU_S3_REGION give the defaults."""
    monkeypatch.setenv("MAIU_S3_ENDPOINT", "http://s3.test:9000")
    monkeypatch.setenv("MAIU_S3_REGION", "us-standard")

    config = StorageConfig()
    explicit = StorageConfig(endpoint="https://other.test")

    assert ("http://s3.test:9000", "us-standard") == (
        config.endpoint,
        config.region,
    )
    assert "https://other.test" == explicit.endpoint


def test_bad_endpoint_variable_is_named(monkeypatch):
    """A $MAIU_S3_ENDPOINT that is not a URL fails, naming the variable."""
    monkeypatch.setenv("MAIU_S3_ENDPOINT", "s3.test")

    with pytest.raises(UsageError, match=r"\$MAIU_S3_ENDPOINT"):
        StorageConfig()


def test_keys_come_from_credentials_then_config_then_client():
    """credentials= wins, then the config's keys, then the client's."""
    client = MaiuClient(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint="http://x.test"
    )
    own = Credentials(S3_ACCESS_KEY, S3_SECRET_KEY)
    with_keys = StorageConfig(credentials=Credentials("CFG", "cfg-secret"))

    from_client = ObjectStorageSource("b", client=client)
    from_config = ObjectStorageSource("b", config=with_keys, client=client)
    given = ObjectStorageSource(
        "b", config=with_keys, client=client, credentials=own
    )

    assert client.credentials == from_client.config.credentials
    assert "CFG" == from_config.config.credentials.access_key
    assert own == given.config.credentials


@pytest.mark.anyio
async def test_readme_snippet_without_keys_in_the_environment(
    corpus, s3_url, monkeypatch
):
    """
    The README's shape: a client with its keys, a source given the client,
    the store from $MAIU_S3_ENDPOINT; no other keys anywhere.
    """
    monkeypatch.setenv("MAIU_S3_ENDPOINT", s3_url)
    expected = [key for key, _ in corpus.under(PREFIX)]

    async with (
        MaiuClient(
            access_key=S3_ACCESS_KEY,
            secret_key=S3_SECRET_KEY,
            endpoint="http://api.test",
        ) as client,
        ObjectStorageSource(corpus.bucket, PREFIX, client=client) as source,
    ):
        listed = [obj.key async for obj in source.objects()]

    assert expected == listed
    assert s3_url == source.config.endpoint
