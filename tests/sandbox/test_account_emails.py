"""Account (sender) emails: list with one filter at a time, add UNCONFIRMED, no delete."""

from __future__ import annotations

import json

import pytest

from .helpers import PARTNER_AUTH, assert_api_error, client_for

EMAILS = "/account/emails"
OWNER = "owner@sandbox.example"


def add(api, address):
    response = api.post(EMAILS, json={"email_address": address})
    assert response.status_code == 201, response.text
    return response.json()


def addresses(response):
    assert response.status_code == 200, response.text
    return [e["email_address"] for e in response.json()]


def test_add_answers_unconfirmed_with_a_new_id(api, conforms):
    created = add(api, "news@sandbox.example")
    conforms(created, "AccountEmailCreateResponse")
    assert created == {
        "email_address": "news@sandbox.example",
        "email_id": 2,
        "confirm_status": "UNCONFIRMED",
    }
    listed = api.get(EMAILS).json()
    conforms(listed, "AccountEmails")
    assert [(e["email_address"], e["email_id"], e["confirm_status"]) for e in listed] == [
        (OWNER, 1, "CONFIRMED"),
        ("news@sandbox.example", 2, "UNCONFIRMED"),
    ]
    assert listed[1]["roles"] == [] and "confirm_time" not in listed[1]


def test_an_address_the_account_has_is_409_in_any_case(api, sandbox):
    add(api, "News@Sandbox.example")
    for address in ("news@sandbox.example", "NEWS@SANDBOX.EXAMPLE", OWNER.upper()):
        assert_api_error(api.post(EMAILS, json={"email_address": address}), 409, "already exists")
    assert len(sandbox.store().account.emails) == 2


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "email_address is required"),
        ({"email_address": "nobody"}, "not a valid email"),
        ({"email_address": "a@" + "b" * 80 + ".example"}, "at most 80"),
    ],
)
def test_bad_addresses_are_400(api, body, message):
    assert_api_error(api.post(EMAILS, json=body), 400, message)
    assert addresses(api.get(EMAILS)) == [OWNER]


def test_there_is_no_delete(api):
    response = api.delete(EMAILS)
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, POST"


def test_filters_one_at_a_time(api, sandbox):
    add(api, "news@sandbox.example")
    add(api, "billing@sandbox.example")
    sandbox.confirm_email("billing@sandbox.example")
    by = {
        "confirm_status=CONFIRMED": [OWNER, "billing@sandbox.example"],
        "confirm_status=C": [OWNER, "billing@sandbox.example"],
        "confirm_status=U": ["news@sandbox.example"],
        "role_code=CONTACT": [OWNER],
        "role_code=R": [OWNER],
        "role_code=JOURNALING": [],
        "email_address=NEWS@sandbox.example": ["news@sandbox.example"],
        "email_address=nobody@sandbox.example": [],
    }
    for query, expected in by.items():
        assert addresses(api.get(f"{EMAILS}?{query}")) == expected, query
    both = api.get(EMAILS, params={"confirm_status": "C", "role_code": "CONTACT"})
    assert_api_error(both, 400, "at a time")
    assert_api_error(api.get(EMAILS, params={"confirm_status": "MAYBE"}), 400, "confirm_status")
    assert_api_error(api.get(EMAILS, params={"role_code": "BOSS"}), 400, "role_code")


def test_confirm_email_models_the_owners_click(api, sandbox):
    add(api, "news@sandbox.example")
    sandbox.confirm_email("NEWS@sandbox.example")
    news = api.get(EMAILS, params={"email_address": "news@sandbox.example"}).json()[0]
    assert news["confirm_status"] == "CONFIRMED"
    assert news["confirm_source_type"] == "SITE_OWNER" and news["confirm_time"].endswith("Z")
    with pytest.raises(KeyError, match="nobody"):
        sandbox.confirm_email("nobody@sandbox.example")


def test_client_accounts_have_their_own_emails(make_sandbox):
    seed = {
        "accounts": [
            {
                "encoded_account_id": "a08e1izvh8t9",
                "sender_emails": [
                    "news@zeno.example",
                    {
                        "email_address": "new@zeno.example",
                        "confirm_status": "UNCONFIRMED",
                        "roles": ["OTHER"],
                    },
                ],
            }
        ]
    }
    sb = make_sandbox(seed=seed)
    sync = "/partner/accounts/a08e1izvh8t9/account_operations/sync"

    def call(method, payload=None, query=None):
        body = {"account_operation_url": EMAILS, "account_operation_method": method}
        if payload is not None:
            body["account_operation_payload"] = json.dumps(payload)
        if query:
            body["account_operation_query_parameters"] = [
                {"query_param_key": k, "query_param_value": v} for k, v in query.items()
            ]
        return api.post(sync, json=body)

    with client_for(sb, PARTNER_AUTH) as api:
        assert addresses(call("GET")) == ["news@zeno.example", "new@zeno.example"]
        assert addresses(call("GET", query={"confirm_status": "U"})) == ["new@zeno.example"]
        assert call("POST", {"email_address": "owner@sandbox.example"}).status_code == 201
        assert_api_error(call("POST", {"email_address": "NEWS@zeno.example"}), 409)
        sb.confirm_email("new@zeno.example", account="a08e1izvh8t9")
        assert addresses(call("GET", query={"role_code": "OTHER"})) == ["new@zeno.example"]
        assert addresses(api.get(EMAILS)) == [OWNER]  # the partner's own account
