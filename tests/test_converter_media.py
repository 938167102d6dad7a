"""
The wire format of the analysis, index, summary, search and person models.
"""

from __future__ import annotations

import json

from datetime import datetime
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from maiu_async import (
    AnalysisSetting,
    AnalysisStatus,
    Index,
    IndexList,
    Person,
    PersonTag,
    PersonThumbnail,
    SceneSummary,
    SceneSummaryInfo,
    SceneSummaryResult,
    SceneSummaryStatus,
    SearchHit,
    SearchImageUpload,
    SearchJob,
    SearchResults,
    ThumbnailUpload,
    UploadStatus,
)
from maiu_async._converter import CONVERTER


SEEDS = Path(__file__).parent / "data" / "seed_responses"


def test_seed_analysis_status():
    """The analyze-status example's analysisStatusMessage spelling is read."""
    seed = json.loads((SEEDS / "analysis_status.json").read_text())

    status = CONVERTER.structure(seed["result"], AnalysisStatus)

    assert AnalysisStatus(status="ANALYZE_COMPLETED", index_id=1001) == status


def test_both_status_message_spellings():
    """The table's analyzeStatusMessage wins over the example's spelling."""
    table = CONVERTER.structure(
        {"status": "ANALYZE_FAIL", "analyzeStatusMessage": "a"},
        AnalysisStatus,
    )
    both = CONVERTER.structure(
        {
            "status": "ANALYZE_FAIL",
            "analyzeStatusMessage": "a",
            "analysisStatusMessage": "b",
        },
        AnalysisStatus,
    )

    assert ("a", "a") == (
        table.analyze_status_message,
        both.analyze_status_message,
    )


def test_legacy_index_id():
    """The legacy analysis answer's `id` is the index id."""
    index = CONVERTER.structure(
        {"id": 7, "createdTime": "2025-04-23T14:15:19.563829873"}, Index
    )

    assert (
        Index(
            index_id=7, created_time=datetime(2025, 4, 23, 14, 15, 19, 563829)
        )
        == index
    )


def test_tag_ids_as_strings():
    """tagIdList is typed Array<String> in the docs; digit strings work."""
    setting = CONVERTER.structure(
        {"analysisEngine": "Sinossi v1.0", "tagIdList": ["101", 203]},
        AnalysisSetting,
    )

    assert (101, 203) == setting.tag_id_list


def test_upload_key_spellings():
    """Search images confirm with assetKey, thumbnails with thumbnailKey."""
    image = CONVERTER.structure(
        {"assetKey": "a.jpg", "uploadStatus": "COMPLETED"}, UploadStatus
    )
    thumbnail = CONVERTER.structure(
        {"thumbnailKey": "t.jpg", "uploadStatus": "FAILED"}, UploadStatus
    )

    assert ("a.jpg", "t.jpg") == (image.key, thumbnail.key)


def test_person_and_tag_ids():
    """Persons and tags accept a bare `id` as well."""
    person = CONVERTER.structure(
        {"id": 1, "name": "Kim", "tags": [{"id": 2, "name": "t"}]}, Person
    )

    assert (
        Person(person_id=1, name="Kim", tags=(PersonTag(tag_id=2, name="t"),))
        == person
    )


times = st.none() | st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)
)
texts = st.text(max_size=20)
ints = st.integers(min_value=1, max_value=2**53)
id_tuples = st.lists(ints, max_size=4).map(tuple)

index = st.builds(
    Index,
    index_id=ints,
    type=st.none() | texts,
    analysis_setting=st.none()
    | st.builds(
        AnalysisSetting,
        analysis_engine=st.none() | texts,
        analysis_person_count=st.none() | st.integers(0, 10),
        tag_id_list=st.none() | id_tuples,
        detect_audio_effects=st.none() | st.booleans(),
    ),
    created_time=times,
)
tag = st.builds(PersonTag, tag_id=ints, name=texts, created_time=times)

models = st.one_of(
    index,
    st.builds(
        IndexList,
        indexes=st.lists(index, max_size=3).map(tuple),
        total_count=ints,
    ),
    st.builds(
        AnalysisStatus,
        status=texts,
        analyze_status_message=st.none() | texts,
        index_id=st.none() | ints,
    ),
    st.builds(
        SceneSummaryStatus,
        status=texts,
        scene_summary_id=st.none() | ints,
        index_id=st.none() | ints,
    ),
    st.builds(
        SceneSummaryResult,
        index_id=ints,
        scene_summary_info=st.none()
        | st.builds(SceneSummaryInfo, last_analyzed_at=times),
        scene_summaries=st.lists(
            st.builds(SceneSummary, scene_id=ints, summary=texts), max_size=3
        ).map(tuple),
    ),
    st.builds(
        SearchImageUpload,
        asset_file_key=texts,
        presigned_upload_url=texts,
        expiration_seconds=st.none() | ints,
    ),
    st.builds(UploadStatus, key=texts, upload_status=texts),
    st.builds(SearchJob, search_id=texts),
    st.builds(
        SearchResults,
        search_id=texts,
        status=st.none() | texts,
        content=st.lists(
            st.builds(
                SearchHit,
                asset_id=ints,
                score=st.none() | st.floats(0, 1),
            ),
            max_size=3,
        ).map(tuple),
        total_count=ints,
        total_page=ints,
        page_no=ints,
        page_size=ints,
    ),
    st.builds(
        ThumbnailUpload, thumbnail_key=texts, presigned_upload_url=texts
    ),
    st.builds(
        Person,
        person_id=ints,
        name=texts,
        thumbnails=st.lists(
            st.builds(
                PersonThumbnail,
                thumbnail_id=ints,
                is_primary_thumbnail=st.booleans(),
            ),
            max_size=3,
        ).map(tuple),
        tags=st.lists(tag, max_size=3).map(tuple),
    ),
)


@given(model=models)
def test_round_trip(model):
    """structure(unstructure(m)) == m for every new model."""
    assert model == CONVERTER.structure(
        CONVERTER.unstructure(model), type(model)
    )
