"""Bulk activities are waited to completion; failures become ActivityError."""

from __future__ import annotations

import httpx
import pytest

from ctctform.api import ActivityError, AnswerError, Client, ClientConfig
from ctctform.sandbox import Sandbox

from .helpers import count


def test_tag_delete_activity_is_polled_to_completion(sb: Sandbox, client: Client) -> None:
    ids = [
        client.request("POST", "/contact_tags", json={"name": f"T{i}"})["tag_id"] for i in range(3)
    ]
    sb.settings.activity_polls = 3
    done = client.run_activity("/activities/contacts_tags_delete", {"tag_ids": ids})
    assert done["state"] == "completed"
    assert done["activity_errors"] == []
    assert sb.store().tags == {}
    polls = [r for r in sb.requests if r.path.startswith("/v3/activities/") and r.method == "GET"]
    assert len(polls) == 4  # processing x3, then completed


def test_list_delete_and_custom_field_delete_activities(sb: Sandbox, client: Client) -> None:
    list_id = client.request("POST", "/contact_lists", json={"name": "Old"})["list_id"]
    field = client.request(
        "POST", "/contact_custom_fields", json={"label": "Shoe size", "type": "number"}
    )
    client.run_activity("/activities/list_delete", {"list_ids": [list_id]})
    client.run_activity(
        "/activities/custom_fields_delete", {"custom_field_ids": [field["custom_field_id"]]}
    )
    assert sb.store().lists == {} and sb.store().custom_fields == {}


def test_activity_errors_become_activity_error_with_the_api_words(client: Client) -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    with pytest.raises(ActivityError) as caught:
        client.run_activity("/activities/contacts_tags_delete", {"tag_ids": [missing]})
    err = caught.value
    assert err.state == "completed"
    assert err.errors == [f"tag_id {missing} not found"]
    assert str(err) == (
        f"activity {err.activity_id} (POST /activities/contacts_tags_delete) ended completed: "
        f"tag_id {missing} not found"
    )


def test_async_list_delete_202_is_waited(sb: Sandbox, client: Client) -> None:
    list_id = client.request("POST", "/contact_lists", json={"name": "Async"})["list_id"]
    started = client.request("DELETE", f"/contact_lists/{list_id}")
    assert started["state"] == "initialized"
    done = client.wait_activity(started, origin=f"DELETE /contact_lists/{list_id}")
    assert done["state"] == "completed"
    assert sb.store().lists == {}
    assert count(sb, "GET", f"/v3/activities/{started['activity_id']}") >= 1


def test_activity_that_never_finishes_times_out(sb: Sandbox, make_client) -> None:
    client = make_client(activity_timeout=0.2, activity_poll_initial=0.05)
    tag_id = client.request("POST", "/contact_tags", json={"name": "Slow"})["tag_id"]
    sb.settings.activity_polls = 10_000
    with pytest.raises(ActivityError, match=r"still processing after 0.2s") as caught:
        client.run_activity("/activities/contacts_tags_delete", {"tag_ids": [tag_id]})
    assert caught.value.state == "processing"


@pytest.mark.parametrize("state", ["failed", "cancelled", "timed_out"])
def test_failed_end_states_raise(state: str) -> None:
    """The sandbox only completes activities, so the failing end states are mocked."""
    polls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(201, json={"activity_id": "a1", "state": "initialized"})
        polls.append(request.url.path)
        errors = [{"message": "list is in use by an automation"}]
        return httpx.Response(
            200, json={"activity_id": "a1", "state": state, "activity_errors": errors}
        )

    config = ClientConfig(
        api_url="http://api.test/v3", access_token="t", rate_limit=1000, activity_poll_initial=0.01
    )
    client = Client(config, transport=httpx.MockTransport(handler))
    with client, pytest.raises(ActivityError) as caught:
        client.run_activity("/activities/list_delete", {"list_ids": ["x"]})
    assert str(caught.value) == (
        f"activity a1 (POST /activities/list_delete) ended {state}: list is in use by an automation"
    )
    assert polls == ["/v3/activities/a1"]  # built from activity_id when there is no self link


def test_a_created_answer_without_a_state_is_polled_by_its_id(sb: Sandbox, client: Client) -> None:
    """ActivityDeleteListsResponse requires no property: an answer with only the activity's
    id (as the spec allows) is followed to its end, not refused."""
    list_id = client.request("POST", "/contact_lists", json={"name": "Old"})["list_id"]

    def strip_state(request, real):
        return {"activity_id": real.body["activity_id"]}

    sb.faults.replace("POST", "/v3/activities/list_delete", commit=True, respond=strip_state)
    done = client.run_activity("/activities/list_delete", {"list_ids": [list_id]})
    assert done["state"] == "completed" and sb.store().lists == {}
    assert count(sb, "GET", f"/v3/activities/{done['activity_id']}") >= 1


def test_a_created_answer_with_neither_state_nor_id_is_an_error(
    sb: Sandbox, client: Client
) -> None:
    list_id = client.request("POST", "/contact_lists", json={"name": "Old"})["list_id"]
    sb.faults.replace("POST", "/v3/activities/list_delete", body={"note": "queued"})
    with pytest.raises(AnswerError, match="list_delete: the answer is not an activity"):
        client.run_activity("/activities/list_delete", {"list_ids": [list_id]})
