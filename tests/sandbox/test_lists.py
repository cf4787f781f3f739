"""Contact lists: CRUD, PUT overwrites everything, unique names, async DELETE."""

from __future__ import annotations

from .helpers import assert_api_error


def create(api, **body):
    response = api.post("/contact_lists", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_create_get_and_collection(api, conforms):
    created = create(api, name="Newsletter", description="Monthly news", favorite=True)
    conforms(created, "ContactListPutPost")
    assert created["name"] == "Newsletter"
    assert created["description"] == "Monthly news"
    assert created["favorite"] is True
    assert created["created_at"] == created["updated_at"]
    fetched = api.get(f"/contact_lists/{created['list_id']}").json()
    conforms(fetched, "ContactList")
    assert fetched == created
    collection = api.get("/contact_lists").json()
    conforms(collection, "ContactListArray")
    assert collection["lists"] == [created]


def test_description_absent_when_not_set_and_favorite_defaults_false(api):
    created = create(api, name="Plain")
    assert "description" not in created
    assert created["favorite"] is False


def test_put_overwrites_all_fields(api, conforms):
    created = create(api, name="Customers", description="Paying", favorite=True)
    response = api.put(f"/contact_lists/{created['list_id']}", json={"name": "Clients"})
    assert response.status_code == 200
    updated = response.json()
    conforms(updated, "ContactListPutPost")
    assert updated["name"] == "Clients"
    assert "description" not in updated  # omitted => removed
    assert updated["favorite"] is False  # omitted => false
    assert updated["list_id"] == created["list_id"]
    assert updated["created_at"] == created["created_at"]
    assert updated["updated_at"] > created["updated_at"]


def test_updated_at_moves_on_every_change_even_within_a_millisecond(api):
    list_id = create(api, name="Fast")["list_id"]
    stamps = [
        api.put(f"/contact_lists/{list_id}", json={"name": f"Fast {i}"}).json()["updated_at"]
        for i in range(5)
    ]
    assert stamps == sorted(set(stamps))  # strictly increasing


def test_unchanged_put_keeps_updated_at(api):
    created = create(api, name="Same", description="d")
    again = api.put(
        f"/contact_lists/{created['list_id']}", json={"name": "Same", "description": "d"}
    ).json()
    assert again["updated_at"] == created["updated_at"]


def test_duplicate_name_is_409_on_create_and_rename(api, sandbox):
    create(api, name="Newsletter")
    other = create(api, name="Other")
    assert_api_error(api.post("/contact_lists", json={"name": "Newsletter"}), 409, "already exists")
    renamed = api.put(f"/contact_lists/{other['list_id']}", json={"name": "Newsletter"})
    assert_api_error(renamed, 409, "already exists")
    assert sorted(r.name for r in sandbox.store().lists.values()) == ["Newsletter", "Other"]


def test_names_are_compared_exactly(api):
    create(api, name="VIP")
    assert api.post("/contact_lists", json={"name": "vip"}).status_code == 201


def test_unknown_list_is_404(api):
    missing = "cbc05bac-6a41-46fa-a063-79961763bf4b"
    assert_api_error(api.get(f"/contact_lists/{missing}"), 404)
    assert_api_error(api.put(f"/contact_lists/{missing}", json={"name": "x"}), 404)
    assert_api_error(api.delete(f"/contact_lists/{missing}"), 404)


def test_include_count_and_membership_count(api, sandbox, conforms):
    create(api, name="A")
    create(api, name="B")
    plain = api.get("/contact_lists").json()
    assert "lists_count" not in plain
    assert all("membership_count" not in item for item in plain["lists"])
    counted = api.get(
        "/contact_lists", params={"include_count": "true", "include_membership_count": "all"}
    ).json()
    conforms(counted, "ContactListArray")
    assert counted["lists_count"] == 2
    assert all(item["membership_count"] == 0 for item in counted["lists"])
    bad = api.get("/contact_lists", params={"include_membership_count": "some"})
    assert_api_error(bad, 400, "include_membership_count")


def test_name_query_finds_one_list(api):
    create(api, name="Alpha")
    beta = create(api, name="Beta")
    assert api.get("/contact_lists", params={"name": "Beta"}).json()["lists"] == [beta]


def test_delete_answers_202_activity_and_list_goes_at_completion(api, sandbox, conforms):
    list_id = create(api, name="Old")["list_id"]
    response = api.delete(f"/contact_lists/{list_id}")
    assert response.status_code == 202
    activity = response.json()
    conforms(activity, "ActivityDeleteListResponse")
    assert activity["state"] == "initialized"
    href = activity["_links"]["self"]["href"]
    assert href == f"/v3/activities/{activity['activity_id']}"
    assert response.headers["Location"] == href
    assert api.get(f"/contact_lists/{list_id}").status_code == 200  # still there while queued
    states = [api.get(href.removeprefix("/v3")).json()["state"] for _ in range(3)]
    assert states == ["processing", "processing", "completed"]
    assert api.get(f"/contact_lists/{list_id}").status_code == 404
