"""Cursor paging: limits from the spec, `/v3/...` next links, no next link on the last page."""

from __future__ import annotations

import re

import pytest

from .helpers import assert_api_error, client_for, href_path

SEED = {
    "lists": [{"name": f"List {i:02d}"} for i in range(23)],
    "tags": [{"name": f"Tag {i:02d}"} for i in range(23)],
    "custom_fields": [{"label": f"Field {i:02d}", "type": "string"} for i in range(23)],
    "segments": [{"name": f"Segment {i:02d}", "criteria": {"v": i}} for i in range(23)],
}
# (path, item key, default limit, maximum limit) from each GET's `limit` parameter.
COLLECTIONS = [
    ("/contact_lists", "lists", 50, 1000),
    ("/contact_tags", "tags", 50, 500),
    ("/contact_custom_fields", "custom_fields", 50, 100),
    ("/segments", "segments", 1000, 1000),
]
HREF = re.compile(r"^/v3/(contact_lists|contact_tags|contact_custom_fields|segments)\?limit=5&")


@pytest.fixture
def seeded_api(make_sandbox):
    with client_for(make_sandbox(seed=SEED)) as client:
        yield client


def read_all(api, path, key, limit):
    names, hrefs = [], []
    page = api.get(path, params={"limit": limit}).json()
    while True:
        names += [item.get("name", item.get("label")) for item in page[key]]
        link = page.get("_links", {}).get("next", {}).get("href")
        if link is None:
            return names, hrefs
        hrefs.append(link)
        page = api.get(href_path(link)).json()


@pytest.mark.parametrize(("path", "key", "default", "maximum"), COLLECTIONS)
def test_small_pages_cover_everything_once(seeded_api, path, key, default, maximum):
    names, hrefs = read_all(seeded_api, path, key, 5)
    assert len(names) == 23 and len(set(names)) == 23
    assert len(hrefs) == 4  # 5+5+5+5+3
    for href in hrefs:
        assert HREF.match(href), href
        assert href.startswith(f"/v3{path}?limit=5&")
        assert re.search(r"[?&]cursor=[A-Za-z0-9_-]+$", href), href


@pytest.mark.parametrize(("path", "key", "default", "maximum"), COLLECTIONS)
def test_default_and_maximum_limits(seeded_api, path, key, default, maximum):
    assert len(seeded_api.get(path).json()[key]) == min(default, 23)
    full = seeded_api.get(path, params={"limit": maximum}).json()
    assert len(full[key]) == 23
    assert "_links" not in full  # last page: no next link
    assert_api_error(seeded_api.get(path, params={"limit": maximum + 1}), 400, "limit")
    assert_api_error(seeded_api.get(path, params={"limit": 0}), 400, "limit")
    assert_api_error(seeded_api.get(path, params={"limit": "ten"}), 400, "limit")


def test_next_link_keeps_other_query_parameters(seeded_api):
    page = seeded_api.get("/contact_lists", params={"limit": 10, "include_count": "true"}).json()
    href = page["_links"]["next"]["href"]
    assert href.startswith("/v3/contact_lists?limit=10&include_count=true&cursor=")
    second = seeded_api.get(href_path(href)).json()
    assert second["lists_count"] == 23
    assert second["lists"][0]["name"] == "List 10"


def test_paging_survives_deletes_between_pages(seeded_api):
    first = seeded_api.get("/contact_tags", params={"limit": 10}).json()
    href = first["_links"]["next"]["href"]
    # Delete a tag already read; the next page still starts at the same item.
    doomed = first["tags"][0]["tag_id"]
    activity = seeded_api.post("/activities/contacts_tags_delete", json={"tag_ids": [doomed]})
    activity_href = href_path(activity.json()["_links"]["self"]["href"])
    assert [seeded_api.get(activity_href).json()["state"] for _ in range(3)][-1] == "completed"
    second = seeded_api.get(href_path(href)).json()
    assert second["tags"][0]["name"] == "Tag 10"


def test_bad_cursor_is_400(seeded_api):
    assert_api_error(seeded_api.get("/contact_lists", params={"cursor": "!!!"}), 400, "cursor")
    assert_api_error(seeded_api.get("/segments", params={"cursor": "e30"}), 400, "cursor")


def test_empty_collections_have_no_links(api):
    for path, key, _, _ in COLLECTIONS:
        assert api.get(path).json() == {key: []}
