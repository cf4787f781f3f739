"""Partner endpoints: webhook subscriptions, client accounts, account_operations/sync."""

from __future__ import annotations

import json

import pytest

from ctctform.sandbox import Sandbox, SeedError

from .helpers import PARTNER_AUTH, assert_api_error, client_for, href_path

SUBSCRIPTIONS = "/partner/webhooks/subscriptions"


def sync_body(url, method="GET", payload=None, path=None, query=None):
    body = {"account_operation_url": url, "account_operation_method": method}
    if payload is not None:
        body["account_operation_payload"] = json.dumps(payload)
    if path:
        body["account_operation_path_parameters"] = [
            {"path_param_key": k, "path_param_value": v} for k, v in path.items()
        ]
    if query:
        body["account_operation_query_parameters"] = [
            {"query_param_key": k, "query_param_value": v} for k, v in query.items()
        ]
    return body


def test_webhook_subscription_lifecycle(partner_api, conforms):
    assert partner_api.get(SUBSCRIPTIONS).json() == []
    assert_api_error(partner_api.get(f"{SUBSCRIPTIONS}/2"), 404)
    put = partner_api.put(f"{SUBSCRIPTIONS}/2", json={"hook_uri": "https://h.example.com/down"})
    assert put.status_code == 200
    conforms(put.json(), "WebhooksSubscriptionPutResp")
    assert put.json() == {"topic_id": 2, "hook_uri": "https://h.example.com/down"}
    one = partner_api.get(f"{SUBSCRIPTIONS}/2").json()
    conforms(one, "WebhooksSubscriptionResponse")
    assert one["topic_name"] == "Billing Tier Downgrade"
    assert one["topic_description"] == "Executes when an account's billing tier is downgraded."
    partner_api.put(f"{SUBSCRIPTIONS}/1", json={"hook_uri": "https://h.example.com/up"})
    partner_api.put(f"{SUBSCRIPTIONS}/2", json={"hook_uri": "https://h.example.com/v2"})
    collection = partner_api.get(SUBSCRIPTIONS).json()
    conforms(collection, "WebhooksSubscriptionCollection")
    assert [(s["topic_id"], s["hook_uri"]) for s in collection] == [
        (1, "https://h.example.com/up"),
        (2, "https://h.example.com/v2"),
    ]
    assert partner_api.delete(f"{SUBSCRIPTIONS}/1").status_code == 204
    assert_api_error(partner_api.delete(f"{SUBSCRIPTIONS}/1"), 404)
    assert [s["topic_id"] for s in partner_api.get(SUBSCRIPTIONS).json()] == [2]


def test_topic_names(partner_api):
    for topic in (1, 2, 3, 4):
        partner_api.put(f"{SUBSCRIPTIONS}/{topic}", json={"hook_uri": "https://h.example.com"})
    names = [s["topic_name"] for s in partner_api.get(SUBSCRIPTIONS).json()]
    assert names == [
        "Billing Tier Upgrade",
        "Billing Tier Downgrade",
        "Account Cancelled",
        "Account Disabled",
    ]


def test_bad_topics_and_hooks_are_400(partner_api, sandbox):
    good = {"hook_uri": "https://h.example.com"}
    assert_api_error(partner_api.put(f"{SUBSCRIPTIONS}/5", json=good), 400, "topic_id")
    assert_api_error(partner_api.put(f"{SUBSCRIPTIONS}/one", json=good), 400, "topic_id")
    assert_api_error(partner_api.put(f"{SUBSCRIPTIONS}/1", json={}), 400, "hook_uri")
    bad_uri = {"hook_uri": "not a uri"}
    assert_api_error(partner_api.put(f"{SUBSCRIPTIONS}/1", json=bad_uri), 400, "hook_uri")
    assert sandbox.partner.webhooks == {}


@pytest.fixture
def partner_sb(make_sandbox):
    accounts = [
        {"encoded_account_id": f"acct{i:03d}", "organization_name": f"Org {i}", "managed": i != 5}
        for i in range(23)
    ]
    accounts[0] |= {"lists": [{"name": "Client list"}], "billing_status": "Open"}
    return make_sandbox(seed={"accounts": accounts, "lists": [{"name": "Partner's own"}]})


def test_accounts_offset_paging(partner_sb, conforms):
    with client_for(partner_sb, PARTNER_AUTH) as api:
        page = api.get("/partner/accounts", params={"limit": 10}).json()
        conforms(page, "PartnerAccount")
        ids = [a["encoded_account_id"] for a in page["site_owner_list"]]
        hrefs = []
        while "_links" in page:
            hrefs.append(page["_links"]["next"]["href"])
            page = api.get(href_path(hrefs[-1])).json()
            ids += [a["encoded_account_id"] for a in page["site_owner_list"]]
    assert ids == [f"acct{i:03d}" for i in range(23)]
    # The offset is opaque, like the guide's `/v3/partner/accounts?offset=MTA*&limit=10`
    # (https://v3.developer.constantcontact.com/api_guide/partners_accts_get.html).
    assert hrefs == [
        "/v3/partner/accounts?offset=MTA*&limit=10",
        "/v3/partner/accounts?offset=MjA*&limit=10",
    ]
    first = partner_sb.partner.accounts["acct000"].to_api()
    assert first["billing_status"] == "Open" and first["organization_name"] == "Org 0"


def test_accounts_limit_outside_10_to_50_uses_the_default(partner_sb):
    with client_for(partner_sb, PARTNER_AUTH) as api:
        for limit in ("5", "51", "x"):
            page = api.get("/partner/accounts", params={"limit": limit}).json()
            assert len(page["site_owner_list"]) == 23 and "_links" not in page
        managed = api.get("/partner/accounts", params={"account_type": "unmanaged"}).json()
        assert [a["encoded_account_id"] for a in managed["site_owner_list"]] == ["acct005"]
        assert_api_error(api.get("/partner/accounts", params={"offset": "-1"}), 400, "offset")


def test_accounts_accept_only_offsets_the_sandbox_issued(partner_sb):
    with client_for(partner_sb, PARTNER_AUTH) as api:
        # A client that computes the offset itself, as a plain integer or by encoding one
        # the sandbox never handed out, is refused: the offset is opaque, follow the link.
        for offset in ("10", "MTA*", "MTA="):
            bad = api.get("/partner/accounts", params={"offset": offset, "limit": 10})
            assert_api_error(bad, 400, "offset")
        first = api.get("/partner/accounts", params={"limit": 10, "account_type": "managed"})
        href = first.json()["_links"]["next"]["href"]
        assert href == "/v3/partner/accounts?offset=MTA*&limit=10&account_type=managed"
        second = api.get(href_path(href)).json()
        ids = [a["encoded_account_id"] for a in second["site_owner_list"]]
        # managed only: acct005 is unmanaged, so the second page starts at acct011
        assert ids[0] == "acct011" and "acct005" not in ids


def test_sync_runs_against_the_client_store_only(partner_sb):
    sync = "/partner/accounts/acct001/account_operations/sync"
    with client_for(partner_sb, PARTNER_AUTH) as api:
        created = api.post(sync, json=sync_body("/contact_lists", "POST", {"name": "Spring"}))
        assert created.status_code == 201
        list_id = created.json()["list_id"]
        read = api.post(sync, json=sync_body("/contact_lists/{list_id}", path={"list_id": list_id}))
        assert read.status_code == 200 and read.json()["name"] == "Spring"
        listed = api.post(sync, json=sync_body("/contact_lists", query={"limit": "1"}))
        assert [item["name"] for item in listed.json()["lists"]] == ["Spring"]
        other = api.post(
            "/partner/accounts/acct000/account_operations/sync", json=sync_body("/contact_lists")
        )
        assert [item["name"] for item in other.json()["lists"]] == ["Client list"]
    assert [r.name for r in partner_sb.store("acct001").lists.values()] == ["Spring"]
    assert [r.name for r in partner_sb.store().lists.values()] == ["Partner's own"]


def test_sync_answers_the_inner_status_and_error(partner_sb):
    sync = "/partner/accounts/acct001/account_operations/sync"
    with client_for(partner_sb, PARTNER_AUTH) as api:
        invalid = api.post(sync, json=sync_body("/contact_lists", "POST", {"name": 1}))
        assert_api_error(invalid, 400, "name")
        missing = sync_body("/contact_lists/{list_id}", path={"list_id": "nope"})
        assert_api_error(api.post(sync, json=missing), 404)
        unbound = sync_body("/contact_lists/{list_id}")
        assert_api_error(api.post(sync, json=unbound), 400, "list_id")
        with_base = sync_body("/v3/contact_lists")
        assert_api_error(api.post(sync, json=with_base), 404)
        nested = sync_body("/partner/webhooks/subscriptions")
        assert_api_error(api.post(sync, json=nested), 400)


def test_sync_activities_and_pages_stay_in_the_client_account(partner_sb):
    sync = "/partner/accounts/acct000/account_operations/sync"
    list_id = next(iter(partner_sb.store("acct000").lists))
    with client_for(partner_sb, PARTNER_AUTH) as api:
        activity = api.post(
            sync, json=sync_body("/activities/list_delete", "POST", {"list_ids": [list_id]})
        ).json()
        activity_id = activity["activity_id"]
        poll = sync_body("/activities/{activity_id}", path={"activity_id": activity_id})
        states = [api.post(sync, json=poll).json()["state"] for _ in range(3)]
        assert states == ["processing", "processing", "completed"]
        # The activity lives in the client account, not in the default one.
        assert_api_error(api.get(f"/activities/{activity_id}"), 404)
    assert partner_sb.store("acct000").lists == {}


def test_sync_is_logged_inner_then_outer(partner_sb):
    partner_sb.reset_log()
    with client_for(partner_sb, PARTNER_AUTH) as api:
        api.post(
            "/partner/accounts/acct001/account_operations/sync",
            json=sync_body("/contact_lists", query={"limit": "5"}),
        )
    inner, outer = partner_sb.requests
    assert (inner.method, inner.path, inner.status, inner.account, inner.query) == (
        "GET",
        "/v3/contact_lists",
        200,
        "acct001",
        "limit=5",
    )
    assert (outer.method, outer.path, outer.account) == (
        "POST",
        "/v3/partner/accounts/acct001/account_operations/sync",
        None,
    )


def test_sync_unknown_or_unmanaged_account(partner_sb):
    body = sync_body("/contact_lists")
    with client_for(partner_sb, PARTNER_AUTH) as api:
        assert_api_error(
            api.post("/partner/accounts/nobody/account_operations/sync", json=body), 404
        )
        unmanaged = api.post("/partner/accounts/acct005/account_operations/sync", json=body)
        assert_api_error(unmanaged, 403)


@pytest.mark.parametrize(
    ("hook_uri", "message"),
    [
        ("http://h.example.com/hook", "https://"),
        ("ftp://h.example.com/hook", "https://"),
        ("https://", "real host"),
        ("https:///path/only", "real host"),
        ("https://bad_host!.example.com/", "real host"),
        ("https://-dash.example.com/", "real host"),
        ("https://h.example.com/a b", "real host"),
        ("https://h.example.com:port/", "valid URI"),
        ("https://h.example.com/" + "x" * 491, "at most 512"),
    ],
)
def test_hook_uri_must_be_https_with_a_real_host_and_short(partner_api, sandbox, hook_uri, message):
    assert_api_error(
        partner_api.put(f"{SUBSCRIPTIONS}/1", json={"hook_uri": hook_uri}), 400, message
    )
    assert sandbox.partner.webhooks == {}


def test_hook_uri_of_512_characters_and_addresses_are_accepted(partner_api, sandbox):
    longest = "https://h.example.com/" + "x" * 490
    assert len(longest) == 512
    assert partner_api.put(f"{SUBSCRIPTIONS}/1", json={"hook_uri": longest}).status_code == 200
    for uri in ("https://203.0.113.7/hook", "https://hooks.example.com:8443/ctct?x=1"):
        assert partner_api.put(f"{SUBSCRIPTIONS}/2", json={"hook_uri": uri}).status_code == 200
    assert sandbox.partner.webhooks == {1: longest, 2: "https://hooks.example.com:8443/ctct?x=1"}


def test_seeded_hooks_follow_the_same_rules():
    with pytest.raises(SeedError, match=r"seed.webhooks\[0\]: hook_uri must be an https"):
        Sandbox(seed={"webhooks": [{"topic_id": 1, "hook_uri": "http://h.example.com"}]})
