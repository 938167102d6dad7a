"""
Reading an answer's body: the JSON rules are `json.loads`'s.
"""

from __future__ import annotations

import json

import pytest

from maiu_async import ResponseDecodeError
from maiu_async._answers import read_answer
from maiu_async._transport import RawResponse


ENVELOPE = '{"code":"0","result":{"assetId":7}}'


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(ENVELOPE, id="plain"),
        pytest.param(ENVELOPE + " \r\n\t", id="json-whitespace-after"),
        pytest.param('{"code":"0","result":"caf\\u00e9 ☕"}', id="unicode"),
    ],
)
def test_a_success_reads_as_json_loads_reads_it(text):
    """What json.loads accepts is read to the same envelope."""
    raw = RawResponse(200, text.encode(), None, None)

    assert json.loads(text) == read_answer(raw, "POST", "https://h/x")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(ENVELOPE + "x", id="extra-data"),
        pytest.param(ENVELOPE + "\x0b", id="not-json-whitespace"),
        pytest.param(ENVELOPE + ENVELOPE, id="two-values"),
        pytest.param(ENVELOPE[:-1], id="cut-short"),
    ],
)
def test_what_json_refuses_is_not_an_envelope(text):
    """A 2xx body json.loads refuses is a ResponseDecodeError."""
    raw = RawResponse(200, text.encode(), None, None)

    with pytest.raises(ResponseDecodeError, match="not an API envelope"):
        read_answer(raw, "POST", "https://h/x")
