"""Contact lists: CRUD, PUT overwrites everything, unique names, async soft DELETE."""

from __future__ import annotations

from .helpers import PARTNER_AUTH, assert_api_error, client_for


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


def test_delete_answers_202_activity_and_list_is_deleted_at_completion(api, sandbox, conforms):
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
    # Soft delete: the list stays readable by id, with deleted_at (ContactList.deleted_at).
    deleted = api.get(f"/contact_lists/{list_id}").json()
    conforms(deleted, "ContactList")
    assert deleted["deleted_at"] >= activity["created_at"]
    assert list_id not in sandbox.store().lists and list_id in sandbox.store().deleted_lists


def delete_now(api, sandbox, list_ids):
    """Delete through /activities/list_delete and poll it to completion."""
    sandbox.settings.activity_polls = 0
    activity = api.post("/activities/list_delete", json={"list_ids": list_ids}).json()
    done = api.get(f"/activities/{activity['activity_id']}").json()
    assert done["state"] == "completed" and done["activity_errors"] == [], done


def names(body):
    return [item["name"] for item in body["lists"]]


def test_deleted_lists_are_listed_unless_status_says_otherwise(api, sandbox, conforms):
    keep = create(api, name="Keep")
    gone = create(api, name="Gone")
    delete_now(api, sandbox, [gone["list_id"]])
    # No status: deleted lists too, so a client that forgets status=active sees them.
    everything = api.get("/contact_lists", params={"include_count": "true"}).json()
    conforms(everything, "ContactListArray")
    assert names(everything) == ["Keep", "Gone"] and everything["lists_count"] == 2
    assert "deleted_at" not in everything["lists"][0] and everything["lists"][1]["deleted_at"]
    by_status = {
        status: names(api.get("/contact_lists", params={"status": status}).json())
        for status in ("all", "active", "deleted", "active,deleted", "deleted, active")
    }
    assert by_status == {
        "all": ["Keep", "Gone"],
        "active": ["Keep"],
        "deleted": ["Gone"],
        "active,deleted": ["Keep", "Gone"],
        "deleted, active": ["Keep", "Gone"],
    }
    counted = api.get("/contact_lists", params={"status": "active", "include_count": "true"})
    assert counted.json()["lists_count"] == 1
    assert_api_error(api.get("/contact_lists", params={"status": "gone"}), 400, "status")
    assert api.get(f"/contact_lists/{keep['list_id']}").json() == keep


def test_delete_through_delete_endpoint_is_soft_too(api, sandbox):
    gone = create(api, name="Gone")
    sandbox.settings.activity_polls = 0
    activity = api.delete(f"/contact_lists/{gone['list_id']}").json()
    api.get(f"/activities/{activity['activity_id']}")
    assert names(api.get("/contact_lists", params={"status": "deleted"}).json()) == ["Gone"]


def test_a_deleted_list_cannot_be_changed_and_frees_its_name(api, sandbox):
    old = create(api, name="Newsletter", description="old")
    delete_now(api, sandbox, [old["list_id"]])
    url = f"/contact_lists/{old['list_id']}"
    assert_api_error(api.put(url, json={"name": "Back"}), 404, "deleted")
    assert_api_error(api.delete(url), 404)
    again = create(api, name="Newsletter")  # the name is free again
    assert again["list_id"] != old["list_id"]
    both = api.get("/contact_lists", params={"name": "Newsletter"}).json()["lists"]
    assert [(item["list_id"], "deleted_at" in item) for item in both] == [
        (old["list_id"], True),
        (again["list_id"], False),
    ]
    assert api.get(url).json()["description"] == "old"
    # Deleting a deleted list again is an activity error, not a second delete.
    sandbox.settings.activity_polls = 0
    activity = api.post("/activities/list_delete", json={"list_ids": [old["list_id"]]}).json()
    done = api.get(f"/activities/{activity['activity_id']}").json()
    assert done["activity_errors"] == [f"list_id {old['list_id']} not found"]


def test_deleted_lists_do_not_count_towards_the_limit(api, sandbox):
    sandbox.settings.max_lists = 1
    first = create(api, name="One")
    assert_api_error(api.post("/contact_lists", json={"name": "Two"}), 400, "at most 1")
    delete_now(api, sandbox, [first["list_id"]])
    create(api, name="Two")


def test_description_is_at_most_255_characters(api, sandbox):
    create(api, name="Exact", description="d" * 255)
    long_body = {"name": "Long", "description": "d" * 256}
    assert_api_error(api.post("/contact_lists", json=long_body), 400, "at most 255")
    exact = sandbox.store().find("lists", "Exact")
    put = api.put(
        f"/contact_lists/{exact.list_id}", json={"name": "Exact", "description": "d" * 256}
    )
    assert_api_error(put, 400, "description")
    assert sandbox.store().find("lists", "Long") is None
    assert exact.description == "d" * 255


def test_seeded_deleted_lists(make_sandbox):
    seed = {"lists": [{"name": "Old", "deleted": True}, {"name": "Old"}, {"name": "Other"}]}
    sb = make_sandbox(seed=seed)
    with client_for(sb) as api:
        everything = api.get("/contact_lists").json()["lists"]
        active = api.get("/contact_lists", params={"status": "active"}).json()
    assert [(item["name"], "deleted_at" in item) for item in everything] == [
        ("Old", True),
        ("Old", False),
        ("Other", False),
    ]
    assert names(active) == ["Old", "Other"]
    assert sb.store().find("lists", "Old").deleted_at is None


def test_deleted_lists_through_account_operations(make_sandbox):
    seed = {
        "accounts": [
            {
                "encoded_account_id": "a08e1izvh8t9",
                "lists": [{"name": "Live"}, {"name": "Dead", "deleted": True}],
            }
        ]
    }
    sb = make_sandbox(seed=seed)
    sync = "/partner/accounts/a08e1izvh8t9/account_operations/sync"

    def read(status=None):
        body = {"account_operation_url": "/contact_lists", "account_operation_method": "GET"}
        if status:
            body["account_operation_query_parameters"] = [
                {"query_param_key": "status", "query_param_value": status}
            ]
        return names(api.post(sync, json=body).json())

    with client_for(sb, PARTNER_AUTH) as api:
        assert read() == ["Live", "Dead"]
        assert read("active") == ["Live"]
        assert read("deleted") == ["Dead"]
