"""Tags: TagPost with tag_source, TagPut renames only, unique names, async DELETE."""

from __future__ import annotations

from .helpers import assert_api_error


def test_create_and_read(api, conforms):
    response = api.post("/contact_tags", json={"name": "VIP", "tag_source": "ETSY"})
    assert response.status_code == 201
    tag = response.json()
    conforms(tag, "Tag")
    assert tag["name"] == "VIP" and tag["tag_source"] == "ETSY"
    assert api.get(f"/contact_tags/{tag['tag_id']}").json() == tag
    collection = api.get("/contact_tags").json()
    conforms(collection, "Tags")
    assert collection["tags"] == [tag]


def test_include_count_adds_contacts_count(api, conforms):
    tag = api.post("/contact_tags", json={"name": "VIP"}).json()
    assert "contacts_count" not in tag
    counted = api.get(f"/contact_tags/{tag['tag_id']}", params={"include_count": "true"}).json()
    conforms(counted, "Tag")
    assert counted["contacts_count"] == 0
    listed = api.get("/contact_tags", params={"include_count": "true"}).json()["tags"]
    assert listed[0]["contacts_count"] == 0


def test_put_renames_only(api, conforms):
    tag = api.post("/contact_tags", json={"name": "Gold member", "tag_source": "POS"}).json()
    response = api.put(
        f"/contact_tags/{tag['tag_id']}", json={"name": "Gold card member", "tag_source": "X"}
    )
    assert response.status_code == 200
    renamed = response.json()
    conforms(renamed, "Tag")
    assert renamed["name"] == "Gold card member"
    assert renamed["tag_source"] == "POS"  # tag_source cannot be updated
    assert renamed["tag_id"] == tag["tag_id"]
    assert renamed["updated_at"] > tag["updated_at"]


def test_duplicate_name_is_409(api, sandbox):
    api.post("/contact_tags", json={"name": "VIP"})
    other = api.post("/contact_tags", json={"name": "Regular"}).json()
    assert_api_error(api.post("/contact_tags", json={"name": "VIP"}), 409, "already exists")
    rename = api.put(f"/contact_tags/{other['tag_id']}", json={"name": "VIP"})
    assert_api_error(rename, 409, "already exists")
    assert sorted(t.name for t in sandbox.store().tags.values()) == ["Regular", "VIP"]


def test_delete_is_an_activity(api, conforms):
    tag = api.post("/contact_tags", json={"name": "Old"}).json()
    response = api.delete(f"/contact_tags/{tag['tag_id']}")
    assert response.status_code == 202
    conforms(response.json(), "ActivityGeneric")
    href = response.json()["_links"]["self"]["href"].removeprefix("/v3")
    states = [api.get(href).json()["state"] for _ in range(3)]
    assert states[-1] == "completed"
    assert_api_error(api.get(f"/contact_tags/{tag['tag_id']}"), 404)


def test_an_account_holds_at_most_500_tags(api, sandbox):
    assert sandbox.settings.max_tags == 500  # the API guide's figure (tags_overview.html)
    sandbox.settings.max_tags = 2
    for name in ("One", "Two"):
        assert api.post("/contact_tags", json={"name": name}).status_code == 201
    assert_api_error(api.post("/contact_tags", json={"name": "Three"}), 400, "at most 2 tags")
