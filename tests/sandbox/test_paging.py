"""Cursor paging: limits from the spec, next links in both shapes, none on the last page."""

from __future__ import annotations

import base64
import re

import httpx
import pytest

from ctctform.sandbox import Sandbox

from .helpers import AUTH, PARTNER_AUTH, assert_api_error, client_for, href_path, plain

# The smallest criteria the API takes: a top-level `and` group (here empty); `v` makes each
# segment's criteria distinct.
CRITERIA = {"version": "1.0.0", "criteria": {"type": "and", "group": []}}
SEED = {
    "lists": [{"name": f"List {i:02d}"} for i in range(23)],
    "tags": [{"name": f"Tag {i:02d}"} for i in range(23)],
    "custom_fields": [{"label": f"Field {i:02d}", "type": "string"} for i in range(23)],
    "segments": [{"name": f"Segment {i:02d}", "criteria": dict(CRITERIA, v=i)} for i in range(23)],
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


# -- next links in the API guide's contacts-service shape --------------------------------

LONG_HREF = re.compile(
    r"^/contacts-service/v3/accounts/(\d+)/"
    r"(contact_lists|contact_tags|contact_custom_fields|segments)\?cursor=([^&]+)$"
)


@pytest.fixture
def long_links(make_sandbox):
    return make_sandbox(seed=SEED, next_link_style="contacts-service")


def cursor_of(href):
    return httpx.URL(href).params["cursor"]


@pytest.mark.parametrize(("path", "key", "default", "maximum"), COLLECTIONS)
def test_contacts_service_links_page_through_the_known_path(
    long_links, path, key, default, maximum
):
    with client_for(long_links) as api:
        params = {"limit": 5} | ({"include_count": "true"} if key in ("lists", "tags") else {})
        page = api.get(path, params=params).json()
        names, numbers = [], set()
        while True:
            assert len(page[key]) == (5 if len(names) < 20 else 3)
            if key == "lists":
                assert page["lists_count"] == 23  # include_count travels in the cursor
            names += [item.get("name", item.get("label")) for item in page[key]]
            if "_links" not in page:
                break
            href = page["_links"]["next"]["href"]
            match = LONG_HREF.match(href)
            assert match and match.group(2) == path.lstrip("/"), href
            numbers.add(match.group(1))
            # The link's own path is the service behind the gateway: not served.
            assert_api_error(plain.get(long_links.url + href, headers=AUTH), 404)
            page = api.get(path, params={"cursor": cursor_of(href)}).json()
    assert len(names) == 23 and len(set(names)) == 23
    assert len(numbers) == 1  # one account, one number


def test_contacts_service_cursor_is_standard_base64_of_the_query(long_links):
    with client_for(long_links) as api:
        page = api.get("/contact_tags", params={"limit": 2, "include_count": "true"}).json()
    cursor = cursor_of(page["_links"]["next"]["href"])
    # Like the guide's cursor, which decodes to `include_count=true&limit=2&next=...`.
    decoded = base64.b64decode(cursor, validate=True).decode()
    assert decoded.startswith("limit=2&include_count=true&")


def test_parameters_sent_with_the_cursor_win(long_links):
    with client_for(long_links) as api:
        first = api.get("/contact_lists", params={"limit": 5}).json()
        cursor = cursor_of(first["_links"]["next"]["href"])
        wider = api.get("/contact_lists", params={"cursor": cursor, "limit": 10}).json()
    assert [item["name"] for item in wider["lists"]] == [f"List {i:02d}" for i in range(5, 15)]


def test_a_cursor_only_opens_its_own_collection(long_links):
    with client_for(long_links) as api:
        lists = api.get("/contact_lists", params={"limit": 5}).json()
        cursor = cursor_of(lists["_links"]["next"]["href"])
        assert_api_error(api.get("/contact_tags", params={"cursor": cursor}), 400, "cursor")


def test_v3_cursor_alone_keeps_the_first_request_query(seeded_api):
    first = seeded_api.get("/contact_lists", params={"limit": 4, "include_count": "true"}).json()
    cursor = httpx.URL(first["_links"]["next"]["href"]).params["cursor"]
    second = seeded_api.get("/contact_lists", params={"cursor": cursor}).json()
    assert len(second["lists"]) == 4 and second["lists_count"] == 23


def test_link_style_switches_on_a_running_sandbox(make_sandbox):
    sb = make_sandbox(seed=SEED)
    with client_for(sb) as api:
        assert HREF.match(
            api.get("/contact_tags", params={"limit": 5}).json()["_links"]["next"]["href"]
        )
        sb.settings.next_link_style = "contacts-service"
        href = api.get("/contact_tags", params={"limit": 5}).json()["_links"]["next"]["href"]
    assert LONG_HREF.match(href)


def test_unknown_link_style_is_refused():
    with pytest.raises(ValueError, match="next_link_style"):
        Sandbox(next_link_style="v2")


def test_client_accounts_have_their_own_account_number(make_sandbox):
    seed = {
        "tags": SEED["tags"],
        "accounts": [{"encoded_account_id": "a08e1izvh8t9", "tags": SEED["tags"]}],
    }
    sb = make_sandbox(seed=seed, next_link_style="contacts-service")
    sync = "/partner/accounts/a08e1izvh8t9/account_operations/sync"
    with client_for(sb, PARTNER_AUTH) as api:
        own = api.get("/contact_tags", params={"limit": 20}).json()["_links"]["next"]["href"]

        def through_sync(query):
            body = {
                "account_operation_url": "/contact_tags",
                "account_operation_method": "GET",
                "account_operation_query_parameters": [
                    {"query_param_key": k, "query_param_value": v} for k, v in query.items()
                ],
            }
            return api.post(sync, json=body).json()

        first = through_sync({"limit": "20"})
        theirs = first["_links"]["next"]["href"]
        rest = through_sync({"cursor": cursor_of(theirs)})
    assert LONG_HREF.match(own).group(1) != LONG_HREF.match(theirs).group(1)
    assert [t["name"] for t in rest["tags"]] == ["Tag 20", "Tag 21", "Tag 22"]
