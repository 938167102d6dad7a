"""
Signature v2: known answers computed outside our code, and sensitivity.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import shutil
import subprocess

import pytest

from hypothesis import example, given
from hypothesis import strategies as st

from maiu_async._credentials import Credentials
from maiu_async._signing import (
    HEADER_ACCESS_KEY,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    Signer,
    verify,
)
from maiu_async._urls import ApiPaths, encode_query


AK, SK, TS = "AKIDEXAMPLE", "SECRETEXAMPLE", "1700000000000"


def openssl_signature(secret: str, message: str) -> str:
    """Sign with the openssl binary: an implementation that is not ours."""
    digest = subprocess.run(
        ["openssl", "dgst", "-sha256", "-hmac", secret, "-binary"],
        input=message.encode(),
        capture_output=True,
        check=True,
    ).stdout
    return base64.b64encode(digest).decode()


def stdlib_signature(secret: str, message: str) -> str:
    """Sign with hmac directly, written out here rather than imported."""
    mac = hmac.new(secret.encode(), message.encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


reference = openssl_signature if shutil.which("openssl") else stdlib_signature


@pytest.mark.parametrize(
    ("method", "uri", "expected"),
    [
        pytest.param(
            "GET",
            "/api/v1/workspaces?pageNum=1&pageSize=100",
            "zTVyItgl6IUluzEjdzzpqBPCH+rVhio98n67L3DHEE8=",
            id="spec-vector-get",
        ),
        pytest.param(
            "POST",
            "/api/v1/workspaces/my-workspace/projects/1234/assets/import/object-storage",
            "mo8PoS7nhNd4pKwiO/VshdjPIfbcZU4VJhGpbnpSLD4=",
            id="spec-vector-post",
        ),
    ],
)
def test_spec_vectors(method, uri, expected):
    """The signer reproduces the API reference's known-answer vectors."""
    signer = Signer(Credentials(AK, SK))

    assert expected == signer.signature(method, uri, TS)
    assert expected == reference(SK, f"{method} {uri}\n{TS}\n{AK}")


HOSTILE_NAMES = [
    "my workspace",
    "작업공간",
    "100%",
    "a/b",
    "what?x=1",
    "a#frag",
    "%2F",
    "..%2f..",
    "~tilde+plus&amp=",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_paths_sign_like_openssl(name):
    """A percent-encoded hostile path signs exactly as openssl signs it."""
    signer = Signer(Credentials(AK, SK))
    path = ApiPaths().projects(name)

    assert reference(SK, f"GET {path}\n{TS}\n{AK}") == signer.signature(
        "GET", path, TS
    )


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_stay_in_one_segment(name):
    """Encoding leaves no '/', '?', '#' or space that could move the path."""
    path = ApiPaths().projects(name)
    segment = path.removeprefix("/api/v1/workspaces/").removesuffix(
        "/projects"
    )

    assert "/" not in segment
    assert not set("?# ") & set(segment)


def test_query_encoded_in_order():
    """Query parameters keep their order and are fully encoded."""
    assert "pageNum=1&pageSize=100&q=a%20b%2Fc" == encode_query(
        {"pageNum": 1, "pageSize": 100, "q": "a b/c"}
    )


def test_headers_carry_everything():
    """The four headers are set, and the signature covers the timestamp."""
    headers = Signer(Credentials(AK, SK)).headers("GET", "/x", TS)

    assert TS == headers[HEADER_TIMESTAMP]
    assert AK == headers[HEADER_ACCESS_KEY]
    assert "application/json" == headers["Content-Type"]
    assert reference(SK, f"GET /x\n{TS}\n{AK}") == headers[HEADER_SIGNATURE]


def test_signer_reuse_is_stateless():
    """Signing twice with one signer gives the same answer (copied MAC)."""
    signer = Signer(Credentials(AK, SK))

    assert signer.signature("GET", "/a", TS) == signer.signature(
        "GET", "/a", TS
    )
    assert signer.signature("GET", "/a", TS) != signer.signature(
        "GET", "/b", TS
    )


text = st.text(min_size=1, max_size=40)
# Keys are printable ASCII in practice; Credentials refuses blank ones.
keys = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126),
    min_size=1,
    max_size=40,
)


@given(method=st.sampled_from(["GET", "POST"]), path=text, ts=text, ak=keys)
def test_verify_accepts_own_signature(method, path, ts, ak):
    """What the signer signs, verify accepts."""
    sig = Signer(Credentials(ak, SK)).signature(method, path, ts)

    assert verify(
        secret_key=SK,
        method=method,
        path_with_query=path,
        timestamp_ms=ts,
        access_key=ak,
        signature=sig,
    )


@given(
    part=st.sampled_from(["method", "path", "ts", "ak", "sk"]),
    data=st.data(),
)
def test_signature_sensitive_to_every_part(part, data):
    """Changing any one signed part changes the signature."""
    base = {"method": "GET", "path": "/p", "ts": TS, "ak": AK, "sk": SK}
    changed = dict(base)
    strategy = keys if part in {"ak", "sk"} else text
    changed[part] = data.draw(strategy.filter(lambda v: v != base[part]))

    def sign(p):
        return Signer(Credentials(p["ak"], p["sk"])).signature(
            p["method"], p["path"], p["ts"]
        )

    assert sign(base) != sign(changed)


@given(
    # A blank secret is refused by `Credentials` (its own test): any
    # other one, of any length, signs.
    secret=st.text(
        alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FFF),
        min_size=1,
        max_size=100,
    ).filter(str.strip),
    path=text,
)
@example(secret="\x85k", path="/")
def test_signer_is_hmac_sha256_for_any_secret(secret, path):
    """Keys shorter, as long as or longer than a block sign like hmac."""
    signer = Signer(Credentials(AK, secret))

    assert stdlib_signature(secret, f"POST {path}\n{TS}\n{AK}") == (
        signer.signature("POST", path, TS)
    )


@pytest.mark.parametrize("size", [63, 64, 65, 200])
def test_block_sized_secrets_sign_like_openssl(size):
    """Secrets around SHA-256's 64-byte block sign like the reference."""
    secret = "k" * size
    signer = Signer(Credentials(AK, secret))

    assert reference(secret, f"GET /x\n{TS}\n{AK}") == signer.signature(
        "GET", "/x", TS
    )


def test_headers_of_one_millisecond_are_equal_and_separate():
    """Requests signed in one millisecond carry equal, unshared headers."""
    signer = Signer(Credentials(AK, SK))

    first = signer.headers("POST", "/x", TS)
    first["x-extra"] = "changed by a caller"
    second = signer.headers("POST", "/x", TS)
    other = signer.headers("POST", "/y", TS)

    assert reference(SK, f"POST /x\n{TS}\n{AK}") == second[HEADER_SIGNATURE]
    assert "x-extra" not in second
    assert reference(SK, f"POST /y\n{TS}\n{AK}") == other[HEADER_SIGNATURE]
