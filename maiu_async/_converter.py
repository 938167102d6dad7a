"""
The single cattrs converter for the wire format.

It owns the wire rules, and nothing else knows them:

- camelCase names on the wire, snake_case in `maiu_async.models`;
- ISO 8601 times with 0 to 9 fractional digits and no zone;
- unknown fields ignored (forward compatibility);
- the several spellings the API pages use for one field
  (``createUserName`` / ``createdUserName``, ``videoId`` / ``assetId``);
- an `IndexDetail` is its `Index` plus the whole object as received.

Strictly private.
"""

from __future__ import annotations

import functools
import json
import json.encoder

from collections.abc import Callable, Mapping
from datetime import datetime
from types import NoneType, UnionType
from typing import (
    Any,
    NewType,
    TypeVar,
    Union,
    cast,
    get_args,
    get_origin,
)

import attrs
import cattrs

from cattrs.gen import (
    make_dict_structure_fn,
    make_dict_unstructure_fn,
    override,
)

from . import models


__all__ = [
    "CONVERTER",
    "AssetId",
    "asset_id",
    "decode_error_paths",
    "encode_body",
    "key_body",
    "make_converter",
    "structure",
    "structure_fn",
    "to_camel",
]

T = TypeVar("T")

#: One encoder for every body: json.dumps with options builds a new one
#: per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
#: And ``_ENCODER.encode`` builds its C encoder per call: this one is
#: built once.  It has no circular-reference check (the check's state
#: would outlive a failed call): a payload holding itself recurses and
#: then goes through ``_ENCODER``, which explains it.
_C_MAKE_ENCODER = getattr(json.encoder, "c_make_encoder", None)
_C_ENCODE = (
    None
    if _C_MAKE_ENCODER is None
    else _C_MAKE_ENCODER(
        None,
        _ENCODER.default,
        json.encoder.encode_basestring,
        None,
        ":",
        ",",
        False,  # noqa: FBT003 -- sort_keys, positional in C
        False,  # noqa: FBT003 -- skipkeys
        True,  # noqa: FBT003 -- allow_nan, as json's default
    )
)

#: A register answer's result read as its asset id alone (`asset_id`).
AssetId = NewType("AssetId", int)

# Alternative spellings, wire name -> canonical wire name, per class.
# The canonical one wins when a body carries both.
ALIASES: Mapping[type, Mapping[str, str]] = {
    models.Asset: {
        "createUserName": "createdUserName",
        "updateUserName": "updatedUserName",
        "videoId": "assetId",
        "videoName": "fileName",
    },
    models.ImportStatus: {"videoId": "assetId"},
    # The analysis-status table says analyzeStatusMessage, its example
    # analysisStatusMessage.
    models.AnalysisStatus: {"analysisStatusMessage": "analyzeStatusMessage"},
    # The legacy analysis answer shows the new index as `id`.
    models.Index: {"id": "indexId"},
    models.PersonTag: {"id": "tagId"},
    models.Person: {"id": "personId"},
    # Search images confirm with assetKey, thumbnails with thumbnailKey.
    models.UploadStatus: {"assetKey": "key", "thumbnailKey": "key"},
}


def to_camel(name: str) -> str:
    """
    Turn a snake_case field name into its camelCase wire name.

    Strictly private.
    """
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


def _structure_datetime(value: object, _: type) -> datetime:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 string, got {value!r}")
    # Python 3.11's parser keeps 6 fractional digits of up to 9 (ns).
    return datetime.fromisoformat(value)


def _structure_bool(value: object, _: type) -> bool:
    # cattrs would call bool(), turning "false" into True.
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise TypeError(f"expected a boolean, got {value!r}")


def _structure_int(value: object, _: type) -> int:
    # IDs are integers in bodies but strings in paths; accept digit
    # strings, refuse floats and booleans.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise TypeError(f"expected an integer, got {value!r}")


def _aliased(
    base: Callable[[Mapping[str, Any], Any], Any],
    aliases: Mapping[str, str],
) -> Callable[[Mapping[str, Any], Any], Any]:
    names = frozenset(aliases)
    pairs = tuple(aliases.items())

    def structure(data: Mapping[str, Any], cls: Any) -> Any:  # noqa: ANN401
        # At most one copy, and none for a body without aliases.
        if isinstance(data, Mapping) and not names.isdisjoint(data):
            data = dict(data)
            for alias, canonical in pairs:
                if alias in data and canonical not in data:
                    data[canonical] = data[alias]
        return base(data, cls)

    return structure


def _is_optional(tp: Any) -> bool:  # noqa: ANN401 -- any type
    # ``X | None`` (or ``Optional[X]``) with a concrete X.
    if get_origin(tp) not in {Union, UnionType}:
        return False
    args = get_args(tp)
    return (
        len(args) == 2
        and NoneType in args
        and not any(isinstance(a, TypeVar) for a in args)
    )


def _optional_factory(
    conv: cattrs.Converter,
) -> Callable[[Any], Callable[[object, Any], Any]]:
    # cattrs structures ``X | None`` by dispatching on X at every call;
    # this looks X's hook up once (several µs per field of an answer).
    def factory(union: Any) -> Callable[[object, Any], Any]:  # noqa: ANN401
        inner = next(t for t in union.__args__ if t is not NoneType)
        hook = conv.get_structure_hook(inner)

        def structure(value: object, _: Any) -> Any:  # noqa: ANN401
            return None if value is None else hook(value, inner)

        return structure

    return factory


def make_converter(*, detailed: bool = True) -> cattrs.Converter:
    """
    Build a converter holding the wire rules.

    Args:
        detailed: Collect every failure with its path (slower); the fast
            one stops at the first.

    Strictly private.
    """
    conv = cattrs.Converter(
        forbid_extra_keys=False, detailed_validation=detailed
    )
    conv.register_structure_hook(datetime, _structure_datetime)
    conv.register_unstructure_hook(datetime, datetime.isoformat)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook_factory(_is_optional, _optional_factory(conv))

    def renames(cls: type) -> dict[str, Any]:
        return {
            f.name: override(rename=to_camel(f.name))
            for f in attrs.fields(cls)
        }

    def structure_factory(cls: Any) -> Any:  # noqa: ANN401
        base = make_dict_structure_fn(cls, conv, **renames(cls))
        origin = getattr(cls, "__origin__", cls)
        aliases = ALIASES.get(origin)
        return _aliased(base, aliases) if aliases else base

    def unstructure_factory(cls: Any) -> Any:  # noqa: ANN401
        return make_dict_unstructure_fn(cls, conv, **renames(cls))

    conv.register_structure_hook_factory(attrs.has, structure_factory)
    conv.register_unstructure_hook_factory(attrs.has, unstructure_factory)

    def structure_index_detail(data: object, _: type) -> models.IndexDetail:
        # The results' shape is undocumented: keep the object as is.
        if not isinstance(data, Mapping):
            raise TypeError(f"expected a JSON object, got {data!r}")
        index = conv.structure(data, models.Index)
        return models.IndexDetail(index=index, raw=data)

    conv.register_structure_hook(models.IndexDetail, structure_index_detail)
    conv.register_structure_hook(AssetId, lambda data, _: asset_id(data))
    return conv


#: The converter that explains failures, with a path for each.
CONVERTER = make_converter()
#: The converter every response goes through first (about a third
#: cheaper: no per-field bookkeeping).
_FAST = make_converter(detailed=False)


def structure(data: Any, cls: type[T]) -> T:  # noqa: ANN401 -- any JSON
    """
    Structure *data* as *cls*; on failure, raise the detailed error.

    Strictly private.
    """
    try:
        return _FAST.structure(data, cls)
    except Exception:  # noqa: BLE001 -- re-run below to explain it
        # Both converters hold the same rules, so this raises the same
        # failure, with a path for every field that did not fit.
        return CONVERTER.structure(data, cls)


def structure_fn(cls: type[T]) -> Callable[[Any], T]:
    """
    Return a function doing what ``structure(data, cls)`` does.

    Looked up once, for a caller structuring many answers as one class:
    `AssetId` reads `asset_id` directly.

    Strictly private.
    """
    if cls is AssetId:
        return cast("Callable[[Any], T]", asset_id)
    return functools.partial(structure, cls=cls)


def asset_id(result: Any) -> AssetId:  # noqa: ANN401 -- any JSON
    """
    Read only the asset id out of a register answer's *result*.

    A bulk job keeps nothing else, so the rest of the record is not
    structured.  An id that is not a plain integer (missing, a digit
    string, malformed) goes through the whole `~maiu_async.Asset`
    instead, which takes what `structure` takes and explains a failure
    with its path, as ``client.assets.register`` would.

    Strictly private.
    """
    if type(result) is dict:
        value = (
            result["assetId"] if "assetId" in result else result.get("videoId")
        )
        if type(value) is int:
            return AssetId(value)
    return AssetId(structure(result, models.Asset).asset_id)


def encode_body(payload: Mapping[str, Any]) -> bytes:
    """
    Encode a request's JSON body: compact, UTF-8, non-ASCII kept.

    Strictly private.
    """
    if _C_ENCODE is not None and type(payload) is dict:
        try:
            return "".join(_C_ENCODE(payload, 0)).encode()
        except RecursionError:
            pass
    return _ENCODER.encode(payload).encode()


def key_body(bucket_name: str) -> Callable[[str], bytes]:
    """
    Return a function encoding a register body for *bucket_name*.

    ``key_body(b)(k) == encode_body({"key": k, "bucketName": b})``, byte
    for byte, without a dict and an encoder pass per key: for the bulk
    engine, which sends one per key.

    Strictly private.
    """
    quote = json.encoder.encode_basestring
    head = '{"key":'
    tail = ',"bucketName":' + quote(bucket_name) + "}"

    def encode(key: str) -> bytes:
        return (head + quote(key) + tail).encode()

    return encode


def decode_error_paths(exc: BaseException) -> str:
    """
    Render a cattrs error as ``reason @ $.path`` lines.

    Strictly private.
    """
    if isinstance(exc, cattrs.BaseValidationError):
        return "; ".join(cattrs.transform_error(exc))
    return str(exc)
