"""Bulk delete activities: batch limits, polls before completion, deletes at completion."""

from __future__ import annotations

import uuid

import pytest

from .helpers import assert_api_error, client_for, href_path

ENDPOINTS = [
    # (endpoint, body key, limit, seed kind, response definition)
    ("/activities/list_delete", "list_ids", 100, "lists", "ActivityDeleteListsResponse"),
    ("/activities/contacts_tags_delete", "tag_ids", 500, "tags", "ActivityTagging"),
    (
        "/activities/custom_fields_delete",
        "custom_field_ids",
        100,
        "custom_fields",
        "ActivityDeleteCustomFields",
    ),
]


def seed_items(kind, n):
    if kind == "custom_fields":
        return [{"label": f"F{i}", "type": "string"} for i in range(n)]
    return [{"name": f"N{i}"} for i in range(n)]


def poll(api, activity):
    return api.get(href_path(activity["_links"]["self"]["href"]))


@pytest.mark.parametrize(("path", "key", "limit", "kind", "definition"), ENDPOINTS)
def test_delete_takes_polls_then_completes(
    make_sandbox, path, key, limit, kind, definition, conforms
):
    sb = make_sandbox(seed={kind: seed_items(kind, 3)})
    table = getattr(sb.store(), kind)
    doomed = list(table)[:2]
    with client_for(sb) as api:
        response = api.post(path, json={key: doomed})
        assert response.status_code == 201
        activity = response.json()
        conforms(activity, definition)
        assert activity["state"] == "initialized"
        assert activity["_links"]["self"]["href"] == f"/v3/activities/{activity['activity_id']}"
        assert len(table) == 3
        states = []
        for _ in range(2):
            body = poll(api, activity).json()
            conforms(body, "Activity")
            states.append(body["state"])
            assert len(table) == 3  # nothing deleted before completion
        assert states == ["processing", "processing"]
        done = poll(api, activity).json()
        conforms(done, "Activity")
        assert done["state"] == "completed" and done["percent_done"] == 100
        assert done["activity_errors"] == []
        assert done["status"]["items_completed_count"] == 2
        assert len(table) == 1 and not set(table) & set(doomed)
        assert poll(api, activity).json()["state"] == "completed"  # stays completed


@pytest.mark.parametrize(("path", "key", "limit", "kind", "definition"), ENDPOINTS)
def test_batch_limit(api, path, key, limit, kind, definition):
    at_limit = [str(uuid.uuid4()) for _ in range(limit)]
    assert api.post(path, json={key: at_limit}).status_code == 201
    over = at_limit + [str(uuid.uuid4())]
    assert_api_error(api.post(path, json={key: over}), 400, str(limit))


def test_custom_fields_delete_accepts_ids_despite_spec_max_items_zero(api):
    # Erratum: CustomFieldId100 says maxItems 0; the endpoint takes up to 100.
    field = api.post("/contact_custom_fields", json={"label": "X", "type": "string"}).json()
    body = {"custom_field_ids": [field["custom_field_id"]]}
    assert api.post("/activities/custom_fields_delete", json=body).status_code == 201


def test_unknown_ids_complete_with_errors(api, sandbox):
    kept = api.post("/contact_lists", json={"name": "Real"}).json()["list_id"]
    ghost = str(uuid.uuid4())
    activity = api.post("/activities/list_delete", json={"list_ids": [kept, ghost]}).json()
    sandbox.settings.activity_polls = 0
    done = poll(api, activity).json()
    assert done["state"] == "completed"
    assert done["activity_errors"] == [f"list_id {ghost} not found"]
    assert done["status"]["items_completed_count"] == 1
    assert sandbox.store().lists == {}


def test_activity_polls_is_configurable(make_sandbox):
    sb = make_sandbox(activity_polls=0, seed={"tags": [{"name": "T"}]})
    with client_for(sb) as api:
        body = {"tag_ids": list(sb.store().tags)}
        activity = api.post("/activities/contacts_tags_delete", json=body).json()
        assert poll(api, activity).json()["state"] == "completed"
    assert sb.store().tags == {}


def test_more_than_the_queue_limit_is_429(make_sandbox):
    sb = make_sandbox(max_queued_activities=3)
    with client_for(sb) as api:
        body = {"list_ids": [str(uuid.uuid4())]}
        queued = [api.post("/activities/list_delete", json=body).json() for _ in range(3)]
        assert_api_error(api.post("/activities/list_delete", json=body), 429, "1,000 queued")
        sb.settings.activity_polls = 0
        poll(api, queued[0])  # one completes, which frees a slot
        assert api.post("/activities/list_delete", json=body).status_code == 201


def test_unknown_activity_is_404(api):
    assert_api_error(api.get(f"/activities/{uuid.uuid4()}"), 404)
