"""
The wire format: seed examples, spellings, times, round trips.
"""

from __future__ import annotations

import json

from datetime import datetime
from pathlib import Path

import cattrs
import pytest

from hypothesis import given
from hypothesis import strategies as st

from maiu_async import Asset, ImportStatus, Project, ProjectList, Workspace
from maiu_async._converter import (
    CONVERTER,
    decode_error_paths,
    encode_body,
    structure,
    structure_fn,
    to_camel,
)
from maiu_async._resources.projects import _project_list_data
from maiu_async.models import AssetMetadata, Page


SEEDS = Path(__file__).parent / "data" / "seed_responses"


def seed(name: str) -> dict:
    """Load one response example copied from the API pages."""
    return json.loads((SEEDS / f"{name}.json").read_text())


def test_seed_create_workspace():
    """The create-workspace example structures field by field."""
    ws = CONVERTER.structure(seed("create_workspace")["result"], Workspace)

    assert (
        Workspace(
            workspace_name="my-workspace",
            created_user_name="username",
            created_time=datetime(2026, 3, 18, 10, 30),
            updated_user_name="username",
            updated_time=datetime(2026, 3, 18, 10, 30),
        )
        == ws
    )


def test_seed_create_project():
    """The create-project example keeps 9-digit times to the microsecond."""
    project = CONVERTER.structure(seed("create_project")["result"], Project)

    assert (
        Project(
            project_id=1234,
            name="project_name",
            is_base_project=False,
            created_user_name="username",
            created_time=datetime(2025, 4, 23, 14, 15, 19, 563829),
            updated_user_name="username",
            updated_time=datetime(2025, 4, 23, 14, 15, 19, 563890),
        )
        == project
    )


def test_structure_fn_is_structure_looked_up_once():
    """A model's structuring function reads what `structure` reads."""
    data = seed("create_project")["result"]

    assert structure(data, Project) == structure_fn(Project)(data)
    with pytest.raises(cattrs.BaseValidationError):
        structure_fn(Project)({"projectId": "not a number"})


def test_seed_edit_project():
    """The edit-project example mixes whole and fractional seconds."""
    project = CONVERTER.structure(seed("edit_project")["result"], Project)

    assert "updated_project_name" == project.name
    assert datetime(2025, 4, 23, 14, 15, 20) == project.created_time
    assert datetime(2025, 4, 23, 15, 45, 4, 680736) == project.updated_time


def test_seed_list_projects():
    """The list example gives three projects, the first the base one."""
    listing = CONVERTER.structure(
        _project_list_data(seed("list_projects")), ProjectList
    )

    assert 3 == listing.total_count
    assert [1001, 1002, 1003] == [p.project_id for p in listing.projects]
    assert [True, False, False] == [
        p.is_base_project for p in listing.projects
    ]
    assert (
        datetime(2025, 4, 23, 14, 12, 48) == listing.projects[2].created_time
    )


def test_list_projects_total_count_outside_result():
    """The field table's form, totalCount beside result, works too."""
    envelope = seed("list_projects")
    envelope["totalCount"] = envelope["result"].pop("totalCount")

    listing = CONVERTER.structure(_project_list_data(envelope), ProjectList)

    assert 3 == listing.total_count


def test_list_projects_total_count_missing():
    """With no totalCount anywhere, the projects are counted."""
    envelope = seed("list_projects")
    del envelope["result"]["totalCount"]

    listing = CONVERTER.structure(_project_list_data(envelope), ProjectList)

    assert 3 == listing.total_count


def test_seed_register_asset():
    """The register example's createUserName spelling is understood."""
    asset = CONVERTER.structure(seed("register_asset")["result"], Asset)

    assert (
        Asset(
            asset_id=1234,
            created_user_name="username",
            created_time=datetime(2025, 4, 23, 16, 49, 23, 885456),
            updated_user_name="username",
            updated_time=datetime(2025, 4, 23, 16, 49, 23, 885456),
        )
        == asset
    )


def test_legacy_asset_spellings():
    """Legacy videoId/videoName and createdUserName map to the same model."""
    asset = CONVERTER.structure(
        {
            "videoId": 7,
            "videoName": "a/b.mp4",
            "projectId": 3,
            "createdUserName": "u",
            "metaData": {"durationMs": 1500, "format": "mp4", "size": 10},
        },
        Asset,
    )

    assert (
        Asset(
            asset_id=7,
            file_name="a/b.mp4",
            project_id=3,
            created_user_name="u",
            meta_data=AssetMetadata(duration_ms=1500, format="mp4", size=10),
        )
        == asset
    )


def test_canonical_spelling_wins():
    """When both spellings are present, the canonical one is used."""
    asset = CONVERTER.structure(
        {
            "assetId": 1,
            "videoId": 2,
            "createdUserName": "a",
            "createUserName": "b",
        },
        Asset,
    )

    assert (1, "a") == (asset.asset_id, asset.created_user_name)


def test_unknown_fields_ignored():
    """Fields the SDK does not know are ignored, for forward compatibility."""
    status = CONVERTER.structure(
        {"assetId": 1, "uploadStatus": "COMPLETED", "newField": [1, 2]},
        ImportStatus,
    )

    assert "COMPLETED" == status.upload_status


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-04-23T14:15:19", datetime(2025, 4, 23, 14, 15, 19)),
        ("2025-04-23T14:15:19.5", datetime(2025, 4, 23, 14, 15, 19, 500000)),
        (
            "2025-04-23T14:15:19.123456",
            datetime(2025, 4, 23, 14, 15, 19, 123456),
        ),
        (
            "2025-04-23T14:15:19.1234567",
            datetime(2025, 4, 23, 14, 15, 19, 123456),
        ),
        (
            "2025-04-23T14:15:19.563829873",
            datetime(2025, 4, 23, 14, 15, 19, 563829),
        ),
    ],
)
def test_times_with_0_to_9_fraction_digits(text, expected):
    """ISO 8601 times with 0 to 9 fractional digits and no zone parse."""
    project = CONVERTER.structure(
        {"projectId": 1, "name": "n", "createdTime": text}, Project
    )

    assert expected == project.created_time


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"name": "n"}, id="missing-id"),
        pytest.param({"projectId": "x", "name": "n"}, id="id-not-int"),
        pytest.param({"projectId": 1.5, "name": "n"}, id="id-float"),
        pytest.param(
            {"projectId": 1, "name": "n", "isBaseProject": "yes"},
            id="bool-not-bool",
        ),
        pytest.param(
            {"projectId": 1, "name": "n", "createdTime": "later"},
            id="bad-time",
        ),
    ],
)
def test_bad_bodies_raise_with_paths(bad):
    """A body that does not fit raises, and the message names the path."""
    with pytest.raises(cattrs.BaseValidationError) as info:
        CONVERTER.structure(bad, Project)

    assert "@ $." in decode_error_paths(info.value)


def test_camel_names():
    """snake_case fields map to the API's camelCase names."""
    assert ["isBaseProject", "durationMs", "metaData", "name"] == [
        to_camel(n)
        for n in ("is_base_project", "duration_ms", "meta_data", "name")
    ]


times = st.none() | st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)
)
names = st.text(max_size=20)
ints = st.integers(min_value=1, max_value=2**53)

models = st.one_of(
    st.builds(
        Project,
        project_id=ints,
        name=names,
        is_base_project=st.booleans(),
        created_user_name=st.none() | names,
        created_time=times,
        updated_user_name=st.none() | names,
        updated_time=times,
    ),
    st.builds(
        Workspace,
        workspace_name=names,
        bucket_name=st.none() | names,
        created_time=times,
        monthly_analysis_count=st.none() | ints,
    ),
    st.builds(
        Asset,
        asset_id=ints,
        file_name=st.none() | names,
        project_id=st.none() | ints,
        created_time=times,
        meta_data=st.none()
        | st.builds(
            AssetMetadata,
            resolution=st.none() | names,
            duration_ms=st.none() | ints,
            size=st.none() | ints,
        ),
    ),
    st.builds(
        ImportStatus,
        asset_id=ints,
        upload_status=names,
        upload_result=st.none() | names,
    ),
)


@given(model=models)
def test_round_trip(model):
    """structure(unstructure(m)) == m for every model."""
    assert model == CONVERTER.structure(
        CONVERTER.unstructure(model), type(model)
    )


@given(items=st.lists(st.builds(Asset, asset_id=ints), max_size=5))
def test_page_round_trip(items):
    """Pages of assets round-trip too."""
    page = Page(
        content=tuple(items),
        total_count=len(items),
        total_page=1,
        page_no=1,
        page_size=10,
    )

    assert page == CONVERTER.structure(
        CONVERTER.unstructure(page), Page[Asset]
    )


#: Text a body can carry (a lone surrogate cannot be encoded as UTF-8).
sendable = st.text(st.characters(exclude_categories=("Cs",)))
json_trees = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | sendable,
    lambda inner: st.lists(inner) | st.dictionaries(sendable, inner),
    max_leaves=20,
)


@given(st.dictionaries(sendable, json_trees, max_size=4))
def test_body_encoding_is_compact_utf8_json(payload):
    """A body is json.dumps' compact, non-ASCII-keeping text in UTF-8."""
    expected = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))

    assert expected.encode() == encode_body(payload)


def test_body_referring_to_itself_is_refused_clearly():
    """A payload holding itself raises json's circular-reference error."""
    payload: dict[str, object] = {}
    payload["self"] = payload

    with pytest.raises(ValueError, match="Circular reference"):
        encode_body(payload)


def test_optional_fields_keep_their_rules():
    """X | None is None for null, else X's own hook (digit-string ids)."""
    asset = structure(
        {"assetId": 1, "projectId": "7", "createdTime": None}, Asset
    )

    assert (7, None) == (asset.project_id, asset.created_time)
    with pytest.raises(cattrs.BaseValidationError) as info:
        CONVERTER.structure({"assetId": 1, "projectId": "x"}, Asset)
    assert "@ $.project_id" in decode_error_paths(info.value)
