"""Segments: collection without criteria, detail with escaped-JSON criteria, edited_at."""

from __future__ import annotations

import json

from .helpers import assert_api_error

# A tags condition sits directly in an `or` group, inside the top-level `and` group.
TAGGED = {"type": "or", "group": [{"source": "tags", "field": "tag_id", "op": "x"}]}
CRITERIA = {"version": "1.0.0", "criteria": {"type": "and", "group": [TAGGED]}}


def create(api, name, criteria=CRITERIA):
    body = {"name": name, "segment_criteria": json.dumps(criteria, indent=2)}
    response = api.post("/segments", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_create_returns_detail_with_compact_criteria(api, conforms):
    segment = create(api, "Engaged")
    conforms(segment, "SegmentDetail")
    assert isinstance(segment["segment_id"], int)
    assert json.loads(segment["segment_criteria"]) == CRITERIA
    # Stored as the API stores it, not as sent: compare criteria as parsed JSON.
    assert segment["segment_criteria"] == json.dumps(CRITERIA, separators=(",", ":"))
    assert segment["created_at"] == segment["edited_at"]


def test_collection_has_no_criteria_detail_has(api, conforms):
    segment = create(api, "Engaged")
    collection = api.get("/segments").json()
    conforms(collection, "SegmentsDTO")
    assert collection == {
        "segments": [
            {
                "name": "Engaged",
                "segment_id": segment["segment_id"],
                "created_at": segment["created_at"],
                "edited_at": segment["edited_at"],
            }
        ]
    }
    detail = api.get(f"/segments/{segment['segment_id']}").json()
    conforms(detail, "SegmentDetail")
    assert detail == segment


def test_criteria_must_be_json(api, sandbox):
    bad = api.post("/segments", json={"name": "Bad", "segment_criteria": "{not json"})
    assert_api_error(bad, 400, "segment_criteria")
    segment = create(api, "Good")
    bad_put = api.put(
        f"/segments/{segment['segment_id']}", json={"name": "Good", "segment_criteria": "[1"}
    )
    assert_api_error(bad_put, 400, "segment_criteria")
    assert [s.name for s in sandbox.store().live_segments()] == ["Good"]


def test_put_needs_both_fields_and_moves_edited_at(api, conforms):
    segment = create(api, "Engaged")
    url = f"/segments/{segment['segment_id']}"
    assert_api_error(api.put(url, json={"name": "Engaged"}), 400, "segment_criteria")
    changed = dict(CRITERIA, version="1.0.1")
    response = api.put(url, json={"name": "Engaged", "segment_criteria": json.dumps(changed)})
    assert response.status_code == 200
    updated = response.json()
    conforms(updated, "SegmentDetail")
    assert json.loads(updated["segment_criteria"]) == changed
    assert updated["edited_at"] > segment["edited_at"]
    same = api.put(url, json={"name": "Engaged", "segment_criteria": json.dumps(changed)}).json()
    assert same["edited_at"] == updated["edited_at"]  # nothing changed, nothing moves


def test_patch_name_renames_and_moves_edited_at(api, conforms):
    segment = create(api, "Old name")
    response = api.patch(f"/segments/{segment['segment_id']}/name", json={"name": "New name"})
    assert response.status_code == 200
    renamed = response.json()
    conforms(renamed, "SegmentDetail")
    assert renamed["name"] == "New name"
    assert renamed["segment_criteria"] == segment["segment_criteria"]
    assert renamed["edited_at"] > segment["edited_at"]


def test_duplicate_names_are_409(api):
    create(api, "A")
    b = create(api, "B")
    body = {"name": "A", "segment_criteria": json.dumps(CRITERIA)}
    assert_api_error(api.post("/segments", json=body), 409, "already exists")
    assert_api_error(api.put(f"/segments/{b['segment_id']}", json=body), 409, "already exists")
    patch = api.patch(f"/segments/{b['segment_id']}/name", json={"name": "A"})
    assert_api_error(patch, 409, "already exists")


def test_delete_is_204_and_detail_stays_readable(api):
    segment = create(api, "Gone")
    url = f"/segments/{segment['segment_id']}"
    assert api.delete(url).status_code == 204
    assert api.get("/segments").json() == {"segments": []}
    assert api.get(url).json()["name"] == "Gone"  # "details ... of a deleted segment"
    assert_api_error(api.delete(url), 404)
    assert_api_error(api.patch(f"{url}/name", json={"name": "Back"}), 404)
    again = create(api, "Gone")  # the name is free again
    assert again["segment_id"] != segment["segment_id"]


def test_sort_by_name_and_by_date(api):
    charlie, alpha, bravo = (create(api, name) for name in ("Charlie", "alpha", "Bravo"))
    by_name = api.get("/segments", params={"sort_by": "name"}).json()["segments"]
    assert [s["name"] for s in by_name] == ["Bravo", "Charlie", "alpha"]
    api.patch(f"/segments/{charlie['segment_id']}/name", json={"name": "Charlie 2"})
    # Default sort_by=date: most recently edited first.
    by_date = api.get("/segments").json()["segments"]
    assert [s["name"] for s in by_date] == ["Charlie 2", "Bravo", "alpha"]
    assert_api_error(api.get("/segments", params={"sort_by": "size"}), 400, "sort_by")


def test_unknown_segment_is_404(api):
    assert_api_error(api.get("/segments/999"), 404)
