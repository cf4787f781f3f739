"""The account: summary (partial PUT) and physical address (POST once, PUT replaces)."""

from __future__ import annotations

import json

import pytest

from ctctform.sandbox import Sandbox, SeedError

from .helpers import PARTNER_AUTH, assert_api_error, client_for

SUMMARY = "/account/summary"
ADDRESS = "/account/summary/physical_address"
US_ADDRESS = {
    "address_line1": "123 Maple Street",
    "address_line2": "Unit 1",
    "city": "Boston",
    "state_code": "MA",
    "postal_code": "02451",
    "country_code": "US",
}


def test_default_account_summary(api, conforms):
    summary = api.get(SUMMARY).json()
    conforms(summary, "Customer")
    assert summary["encoded_account_id"] == "a07e1l8cdif9"
    assert summary["organization_name"] == "Sandbox Organization"
    assert summary["country_code"] == "US" and summary["state_code"] == "MA"
    emails = api.get("/account/emails", params={"email_address": summary["contact_email"]})
    (owner,) = emails.json()
    assert owner["confirm_status"] == "CONFIRMED" and "CONTACT" in owner["roles"]
    assert "physical_address" not in summary


def test_put_is_a_partial_update_and_ignores_the_encoded_id(api, conforms):
    before = api.get(SUMMARY).json()
    body = {"organization_name": "Hanks Fresh Fruit", "encoded_account_id": "zzz", "bogus": 1}
    response = api.put(SUMMARY, json=body)
    assert response.status_code == 200, response.text
    conforms(response.json(), "CustomerPut")
    expected = before | {"organization_name": "Hanks Fresh Fruit"}
    assert response.json() == expected
    assert api.get(SUMMARY).json() == expected
    assert api.put(SUMMARY, json={}).json() == expected


def test_contact_email_must_be_a_confirmed_account_email(api, sandbox):
    assert_api_error(api.put(SUMMARY, json={"contact_email": "new@x.example"}), 400, "confirmed")
    api.post("/account/emails", json={"email_address": "New@X.example"})
    assert_api_error(api.put(SUMMARY, json={"contact_email": "new@x.example"}), 400, "confirmed")
    sandbox.confirm_email("new@x.example")
    moved = api.put(SUMMARY, json={"contact_email": "new@X.EXAMPLE"})
    assert moved.status_code == 200
    assert moved.json()["contact_email"] == "New@X.example"  # the address as the account has it
    contact = api.get("/account/emails", params={"role_code": "CONTACT"}).json()
    assert [e["email_address"] for e in contact] == ["New@X.example"]  # one CONTACT email


def test_summary_country_rules(api):
    before = api.get(SUMMARY).json()
    assert_api_error(api.put(SUMMARY, json={"country_code": "us"}), 400, "uppercase")
    assert_api_error(api.put(SUMMARY, json={"state_code": ""}), 400, "state_code is required")
    assert api.put(SUMMARY, json={"country_code": "GB", "state_code": ""}).status_code == 200
    assert_api_error(api.put(SUMMARY, json={"country_code": "US"}), 400, "state_code")
    assert api.get(SUMMARY).json() == before | {"country_code": "GB", "state_code": ""}


def test_extra_fields(api, conforms):
    assert (
        "physical_address"
        not in api.get(SUMMARY, params={"extra_fields": "physical_address"}).json()
    )
    api.post(ADDRESS, json=US_ADDRESS)
    both = api.get(SUMMARY, params={"extra_fields": "physical_address,company_logo"}).json()
    conforms(both, "Customer")
    assert both["physical_address"] == US_ADDRESS
    assert "company_logo" not in both  # the sandbox's accounts have no logo
    assert "physical_address" not in api.get(SUMMARY).json()
    assert_api_error(api.get(SUMMARY, params={"extra_fields": "logo"}), 400, "extra_fields")


def test_physical_address_lifecycle(api, conforms):
    assert_api_error(api.get(ADDRESS), 404, "no physical address")
    assert_api_error(api.put(ADDRESS, json=US_ADDRESS), 404)
    created = api.post(ADDRESS, json=US_ADDRESS)
    assert created.status_code == 201
    conforms(created.json(), "AccountPhysicalAddress")
    assert created.json() == US_ADDRESS and api.get(ADDRESS).json() == US_ADDRESS
    assert_api_error(api.post(ADDRESS, json=US_ADDRESS), 409, "already has")
    # PUT replaces: "Excluding a non-read only field from the request body removes it".
    without_line2 = {k: v for k, v in US_ADDRESS.items() if k != "address_line2"}
    replaced = api.put(ADDRESS, json=without_line2 | {"city": "Waltham"})
    assert replaced.status_code == 200
    assert replaced.json() == without_line2 | {"city": "Waltham"}
    assert api.get(ADDRESS).json() == replaced.json()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"state_code": None}, "state_code is required"),
        ({"postal_code": None}, "postal_code is required"),
        ({"state_name": "Massachusetts"}, "state_name is not used"),
        ({"country_code": "CA", "state_code": None}, "state_code is required"),
        ({"country_code": "GB"}, "state_code is only for US and CA"),
        ({"country_code": "United States"}, "two-letter"),
        ({"address_line1": ""}, "at least 1"),
        ({"city": None}, "city is required"),
    ],
)
def test_address_country_rules(api, change, message):
    body = {k: v for k, v in (US_ADDRESS | change).items() if v is not None}
    assert_api_error(api.post(ADDRESS, json=body), 400, message)
    assert_api_error(api.get(ADDRESS), 404)


def test_addresses_outside_us_and_canada_take_a_state_name(api):
    body = {
        "address_line1": "1 High St",
        "city": "Leeds",
        "state_name": "West Yorkshire",
        "country_code": "GB",
    }
    assert api.post(ADDRESS, json=body).json() == body


def test_each_client_account_has_its_own_summary(make_sandbox):
    seed = {"accounts": [{"encoded_account_id": "a08e1izvh8t9", "organization_name": "Zenomatic"}]}
    sb = make_sandbox(seed=seed)
    sync = "/partner/accounts/a08e1izvh8t9/account_operations/sync"

    def call(method, url, payload=None):
        body = {"account_operation_url": url, "account_operation_method": method}
        if payload is not None:
            body["account_operation_payload"] = json.dumps(payload)
        return api.post(sync, json=body)

    with client_for(sb, PARTNER_AUTH) as api:
        assert call("GET", SUMMARY).json() == {
            "encoded_account_id": "a08e1izvh8t9",
            "organization_name": "Zenomatic",
        }
        renamed = call(
            "PUT", SUMMARY, {"organization_name": "Zenomatic Ltd", "encoded_account_id": "x"}
        )
        assert renamed.json()["encoded_account_id"] == "a08e1izvh8t9"
        listed = api.get("/partner/accounts").json()["site_owner_list"]
        assert [a["organization_name"] for a in listed] == ["Zenomatic Ltd"]
        assert_api_error(call("GET", ADDRESS), 404)
        assert call("POST", ADDRESS, US_ADDRESS).status_code == 201
        assert api.get(ADDRESS).status_code == 404  # the partner's own account has none
    assert sb.store().get_summary()["organization_name"] == "Sandbox Organization"


def test_seeded_account_settings(make_sandbox):
    seed = {
        "account": {
            "encoded_account_id": "a07e1lxqqqo0",
            "organization_name": "Acme",
            "contact_email": "boss@acme.example",
        },
        "physical_address": US_ADDRESS,
        "accounts": [
            {
                "encoded_account_id": "a08e1izvh8t9",
                "account": {"organization_name": "Zenomatic", "website": "https://zeno.example"},
                "sender_emails": ["news@zeno.example"],
            }
        ],
    }
    sb = make_sandbox(seed=seed)
    with client_for(sb) as api:
        summary = api.get(SUMMARY, params={"extra_fields": "physical_address"}).json()
    assert (summary["encoded_account_id"], summary["organization_name"]) == ("a07e1lxqqqo0", "Acme")
    assert (
        summary["contact_email"] == "boss@acme.example"
        and summary["physical_address"] == US_ADDRESS
    )
    client = sb.partner.accounts["a08e1izvh8t9"]
    assert client.organization_name == "Zenomatic"
    assert client.store.get_summary()["website"] == "https://zeno.example"


@pytest.mark.parametrize(
    ("seed", "message"),
    [
        (
            {"account": {"contact_phone": "1" * 26}},
            "seed.account: contact_phone must be at most 25",
        ),
        ({"account": {"colour": "red"}}, "seed.account: unknown key(s) colour"),
        (
            {"sender_emails": ["not-an-address"]},
            "seed.sender_emails[0]: email_address is not a valid email",
        ),
        (
            {"sender_emails": [{"email_address": "a@b.example", "confirm_status": "MAYBE"}]},
            "confirm_status",
        ),
        (
            {"physical_address": US_ADDRESS | {"country_code": "GB"}},
            "seed.physical_address: state_code is only",
        ),
        ({"physical_address": US_ADDRESS | {"zip": "1"}}, "unknown key(s) zip"),
        (
            {"accounts": [{"encoded_account_id": "a1", "account": {"encoded_account_id": "a2"}}]},
            "encoded_account_id 'a2' is not 'a1'",
        ),
        (
            {
                "accounts": [
                    {
                        "encoded_account_id": "a1",
                        "organization_name": "A",
                        "account": {"organization_name": "B"},
                    }
                ]
            },
            "differ",
        ),
        (
            {
                "sender_emails": [
                    {"email_address": "x@y.example", "confirm_status": "UNCONFIRMED"}
                ],
                "account": {"contact_email": "x@y.example"},
            },
            "seed.account: contact_email must be a confirmed",
        ),
    ],
)
def test_bad_account_seeds_name_the_item(seed, message):
    with pytest.raises(SeedError) as info:
        Sandbox(seed=seed)
    assert message in str(info.value)
