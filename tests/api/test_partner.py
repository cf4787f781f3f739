"""The partner proxy: the same interface, through account_operations/sync."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ctctform.api import AmbiguousWriteError, ApiError, Client
from ctctform.api.partner import operation_body
from ctctform.kinds import api_routes
from ctctform.sandbox import Sandbox

from .helpers import CLIENT_ACCOUNT, count

ROUTES = api_routes()

SYNC = f"/v3/partner/accounts/{CLIENT_ACCOUNT}/account_operations/sync"


def test_crud_round_trip_against_the_client_account(sb: Sandbox, client: Client) -> None:
    proxy = client.for_account(CLIENT_ACCOUNT)
    created = proxy.request("POST", "/contact_lists", json={"name": "Clients", "favorite": True})
    list_id = created["list_id"]
    assert proxy.get(f"/contact_lists/{list_id}")["name"] == "Clients"
    updated = proxy.request(
        "PUT", f"/contact_lists/{list_id}", json={"name": "Clients 2", "favorite": False}
    )
    assert updated["name"] == "Clients 2"
    assert [item["name"] for item in proxy.paginate("/contact_lists", "lists")] == ["Clients 2"]
    store = sb.store(CLIENT_ACCOUNT)
    assert [r.name for r in store.lists.values()] == ["Clients 2"]
    assert sb.store().lists == {}  # the partner's own account is untouched
    done = proxy.wait_activity(proxy.request("DELETE", f"/contact_lists/{list_id}"))
    assert done["state"] == "completed"
    assert store.lists == {}
    inner = [(r.method, r.path) for r in sb.requests if r.account == CLIENT_ACCOUNT]
    assert inner[:4] == [
        ("POST", "/v3/contact_lists"),
        ("GET", f"/v3/contact_lists/{list_id}"),
        ("PUT", f"/v3/contact_lists/{list_id}"),
        ("GET", "/v3/contact_lists"),
    ]
    outer = [r for r in sb.requests if r.account is None]
    assert {(r.method, r.path) for r in outer} == {
        ("POST", SYNC),
        ("POST", "/oauth2/token"),  # the partner client-credentials grant
    }


def test_segments_rename_and_activities_through_the_proxy(sb: Sandbox, client: Client) -> None:
    proxy = client.for_account(CLIENT_ACCOUNT)
    criteria = json.dumps({"version": "1.0.0", "criteria": {"type": "and", "group": []}})
    segment = proxy.request("POST", "/segments", json={"name": "Seg", "segment_criteria": criteria})
    renamed = proxy.request("PATCH", f"/segments/{segment['segment_id']}/name", json={"name": "S2"})
    assert renamed["name"] == "S2"
    tag = proxy.request("POST", "/contact_tags", json={"name": "Gone"})
    proxy.run_activity("/activities/contacts_tags_delete", {"tag_ids": [tag["tag_id"]]})
    assert sb.store(CLIENT_ACCOUNT).tags == {}


def test_errors_come_through_unwrapped(sb: Sandbox, client: Client) -> None:
    proxy = client.for_account(CLIENT_ACCOUNT)
    proxy.request("POST", "/contact_tags", json={"name": "VIP"})
    with pytest.raises(ApiError) as caught:
        proxy.request("POST", "/contact_tags", json={"name": "VIP"})
    err = caught.value
    assert (err.status, err.method, err.path, err.account) == (
        409,
        "POST",
        "/contact_tags",
        CLIENT_ACCOUNT,
    )
    assert str(err).startswith(f"409 Conflict on POST /contact_tags (account {CLIENT_ACCOUNT}): ")
    with pytest.raises(ApiError) as missing:
        proxy.get("/contact_tags/00000000-0000-0000-0000-000000000000")
    assert missing.value.status == 404
    assert missing.value.path == "/contact_tags/00000000-0000-0000-0000-000000000000"
    with pytest.raises(ApiError, match="^400 Bad Request on POST /contact_tags"):
        proxy.request("POST", "/contact_tags", json={"nom": "x"})


def test_unknown_client_account_is_an_api_error(client: Client) -> None:
    with pytest.raises(ApiError) as caught:
        client.for_account("nosuchacct").get("/contact_tags")
    assert caught.value.status == 404
    assert "account nosuchacct" in str(caught.value)


def test_paging_through_the_proxy_splits_the_next_href(sb: Sandbox, client: Client) -> None:
    sb.seed(
        {
            "accounts": [
                {"encoded_account_id": "many", "tags": [{"name": f"T{i}"} for i in range(25)]}
            ]
        }
    )
    tags = client.for_account("many").paginate("/contact_tags", "tags", limit=10)
    assert len(tags) == 25
    queries = [r.query for r in sb.requests if r.account == "many"]
    assert queries[0] == "limit=10"
    assert "cursor=" in queries[1] and "limit=10" in queries[1]


def test_dropped_writes_through_the_proxy(sb: Sandbox, client: Client) -> None:
    proxy = client.for_account(CLIENT_ACCOUNT)
    tag = proxy.request("POST", "/contact_tags", json={"name": "A"})
    sb.faults.drop_after_commit = 1
    assert proxy.request("PUT", f"/contact_tags/{tag['tag_id']}", json={"name": "B"})["name"] == "B"
    sb.faults.drop_after_commit = 1
    with pytest.raises(AmbiguousWriteError) as caught:
        proxy.request("POST", "/contact_tags", json={"name": "C"})
    assert (caught.value.method, caught.value.path) == ("POST", "/contact_tags")
    assert count(sb, "POST", "/v3/contact_tags") == 2  # inner log: A once, C once


def test_stats_count_the_wrapped_requests_and_roll_up(client: Client) -> None:
    proxy = client.for_account(CLIENT_ACCOUNT)
    proxy.get("/contact_tags")
    proxy.request("POST", "/contact_tags", json={"name": "S"})
    client.get("/contact_lists")
    assert proxy.stats.summary() == "2 (1 read, 1 write)"
    assert proxy.stats.as_dict()["by_kind"] == {"tags": 2}
    assert client.stats.summary() == "3 (2 reads, 1 write)"


def test_operation_body_follows_the_spec_shape() -> None:
    body = operation_body(
        ROUTES,
        "PUT",
        "/contact_lists/abc-1",
        {"name": "N", "favorite": True},
        [("include_count", "true")],
    )
    assert body == {
        "account_operation_url": "/contact_lists/{list_id}",
        "account_operation_method": "PUT",
        "account_operation_payload": '{"name":"N","favorite":true}',
        "account_operation_query_parameters": [
            {"query_param_key": "include_count", "query_param_value": "true"}
        ],
        "account_operation_path_parameters": [
            {"path_param_key": "list_id", "path_param_value": "abc-1"}
        ],
    }
    assert operation_body(ROUTES, "GET", "/contact_tags", None, []) == {
        "account_operation_url": "/contact_tags",
        "account_operation_method": "GET",
    }


@pytest.mark.parametrize(
    ("path", "template", "values"),
    [
        ("/segments/7/name", "/segments/{segment_id}/name", {"segment_id": "7"}),
        ("/contact_tags/t-1", "/contact_tags/{tag_id}", {"tag_id": "t-1"}),
        (
            "/contact_custom_fields/c",
            "/contact_custom_fields/{custom_field_id}",
            {"custom_field_id": "c"},
        ),
        ("/activities/a-9", "/activities/{activity_id}", {"activity_id": "a-9"}),
        ("/activities/list_delete", "/activities/list_delete", {}),
        ("/contact_lists", "/contact_lists", {}),
        ("/account/summary", "/account/summary", {}),
    ],
)
def test_path_templates(path: str, template: str, values: dict[str, str]) -> None:
    url, params = ROUTES.template(path)
    assert url == template
    assert {p["path_param_key"]: p["path_param_value"] for p in params} == values


segment_value = st.text(
    alphabet=st.characters(whitelist_categories=("Ll", "Lu", "Nd"), whitelist_characters="-_"),
    min_size=1,
    max_size=12,
)


@given(st.lists(segment_value, min_size=1, max_size=4))
def test_path_template_substitution_gives_back_the_path(segments: list[str]) -> None:
    path = "/" + "/".join(segments)
    template, params = ROUTES.template(path)
    for param in params:
        template = template.replace("{" + param["path_param_key"] + "}", param["path_param_value"])
    assert template == path
