"""Partner provisioning (POST /partner/accounts), billing plans, operable accounts."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import httpx
import pytest

from ctctform.sandbox import SeedError

from .helpers import PARTNER_AUTH, assert_api_error, client_for
from .test_partner import sync_body

PASSWORD = "Gr33n-Apples-Daily!"
HANKS = {
    "contact_email": "owner@hanksfruit.example",
    "contact_phone": "588-768-6868",
    "country_code": "US",
    "state_code": "MA",
    "organization_name": "Hanks Fresh Fruit",
    "organization_phone": "401-244-1000",
    "time_zone_id": "US/Eastern",
    "website": "https://hanksfruit.example",
    "login_name": "hanks_fruit",
    "password": PASSWORD,
    "first_name": "Hank",
    "last_name": "Smith",
    "partner_account_id": "partner1234",
    "managed_site_owner": False,  # "attempting to override the setting with false is ignored"
}


@pytest.fixture
def partner(sandbox):
    with client_for(sandbox, PARTNER_AUTH) as client:
        yield client


def provision(partner, **changes):
    response = partner.post("/partner/accounts", json=HANKS | changes)
    assert response.status_code == 201, response.text
    return response.json()


def test_provision_creates_a_managed_trial_account(partner, sandbox, conforms):
    created = provision(partner)
    conforms(created, "ProvisionResponse")
    assert set(created) == {"encoded_account_id", "provision_uuid"}
    encoded_id = created["encoded_account_id"]
    assert len(encoded_id) == 12 and encoded_id.isalnum() and encoded_id.startswith("a0")
    (listed,) = partner.get("/partner/accounts", params={"account_type": "managed"}).json()[
        "site_owner_list"
    ]
    assert listed == {
        "encoded_account_id": encoded_id,
        "subscriber_count": 0,
        "organization_name": "Hanks Fresh Fruit",
        "site_owner_name": "hanks_fruit",
        "billing_status": "Trial",
    }
    sync = f"/partner/accounts/{encoded_id}/account_operations/sync"
    summary = partner.post(sync, json=sync_body("/account/summary")).json()
    conforms(summary, "Customer")
    summary_fields = (
        "contact_email",
        "contact_phone",
        "country_code",
        "first_name",
        "last_name",
        "organization_name",
        "organization_phone",
        "state_code",
        "time_zone_id",
        "website",
    )
    assert summary == {"encoded_account_id": encoded_id} | {k: HANKS[k] for k in summary_fields}
    (email,) = partner.post(sync, json=sync_body("/account/emails")).json()
    assert email["email_address"] == HANKS["contact_email"]
    assert (email["confirm_status"], email["pending_roles"]) == ("UNCONFIRMED", ["CONTACT"])
    assert partner.post(sync, json=sync_body("/contact_lists")).json() == {"lists": []}
    assert sandbox.store(encoded_id).lists == {}


def test_a_login_name_in_use_is_409(partner, sandbox):
    first = provision(partner)
    again = partner.post("/partner/accounts", json=HANKS | {"contact_email": "x@y.example"})
    assert_api_error(again, 409, "hanks_fruit")
    assert list(sandbox.partner.accounts) == [first["encoded_account_id"]]
    second = provision(partner, login_name="hanks_fruit2", password="Another-Long-1")
    assert second["encoded_account_id"] != first["encoded_account_id"]


def test_a_lost_provision_answer_is_found_by_site_owner_name(partner, sandbox):
    sandbox.faults.drop_after_commit = 1
    with pytest.raises(httpx.RemoteProtocolError):
        partner.post("/partner/accounts", json=HANKS)
    owners = partner.get("/partner/accounts").json()["site_owner_list"]
    assert [a["site_owner_name"] for a in owners] == ["hanks_fruit"]
    assert_api_error(partner.post("/partner/accounts", json=HANKS), 409)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"login_name": "hank smith"}, "login_name may only contain"),
        ({"login_name": "hank#1"}, "login_name may only contain"),
        ({"login_name": "h" * 51}, "at most 50"),
        ({"password": "short"}, "8 to 80"),
        ({"password": "x" * 81}, "8 to 80"),
        ({"password": "my-Hanks_Fruit-pw"}, "must not contain the login name"),
        ({"password": 12345678}, "password must be of type string"),
        ({"contact_email": "hank"}, "contact_email is not a valid"),
        ({"state_code": ""}, "state_code is required"),
        ({"country_code": "GB"}, "leave state_code blank"),
        ({"website": "hanksfruit.example"}, "http:// or https://"),
        ({"billing_locale": "fr_FR"}, "billing_locale"),
        ({"organization_name": "o" * 51}, "at most 50"),
    ],
)
def test_provision_rules(partner, sandbox, changes, message):
    assert_api_error(partner.post("/partner/accounts", json=HANKS | changes), 400, message)
    assert sandbox.partner.accounts == {}


def test_accounts_outside_the_us_leave_state_code_blank(partner):
    created = provision(partner, country_code="GB", state_code="", time_zone_id="Europe/London")
    assert created["encoded_account_id"]


def test_the_password_is_never_stored_logged_or_answered(partner, sandbox, capfd):
    sandbox._state.verbose = True
    created = provision(partner)
    encoded_id = created["encoded_account_id"]
    rejected = partner.post(
        "/partner/accounts", json=HANKS | {"login_name": "x y z!", "password": PASSWORD}
    )
    assert rejected.status_code == 400
    contained = partner.post("/partner/accounts", json=HANKS | {"login_name": "Gr33n-Apples"})
    assert contained.status_code == 400
    sync = f"/partner/accounts/{encoded_id}/account_operations/sync"
    answers = [
        json.dumps(created),
        rejected.text,
        contained.text,
        partner.get("/partner/accounts").text,
        partner.get(f"/partner/accounts/{encoded_id}/plan").text,
        partner.post(
            sync, json=sync_body("/account/summary", query={"extra_fields": "physical_address"})
        ).text,
        partner.post(sync, json=sync_body("/account/emails")).text,
    ]
    kept = [
        repr(sandbox.requests),
        repr(sandbox.partner.accounts),
        json.dumps(sandbox.store(encoded_id).snapshot()),
        repr(vars(sandbox.store(encoded_id))),
        *capfd.readouterr(),
    ]
    forms = (PASSWORD, quote(PASSWORD), base64.b64encode(PASSWORD.encode()).decode())
    for text in answers + kept:
        assert not any(form in text for form in forms)


# -- billing plans -------------------------------------------------------------------------


def plan_url(encoded_id):
    return f"/partner/accounts/{encoded_id}/plan"


def test_a_new_account_is_on_trial_until_its_plan_changes(partner, conforms):
    encoded_id = provision(partner)["encoded_account_id"]
    trial = partner.get(plan_url(encoded_id)).json()
    # The spec's type for billing_day_of_month is integer, its text says null on TRIAL (an
    # erratum the extraction script corrects); check the rest against the raw spec.
    conforms({k: v for k, v in trial.items() if k != "billing_day_of_month"}, "PlanTiersObject")
    assert trial == {
        "plan_type": "TRIAL",
        "current_tiers": [],
        "billing_status": "Trial",
        "billing_day_of_month": None,
    }
    gold = partner.put(plan_url(encoded_id), json={"plan_type": "GOLD", "billing_day_of_month": 15})
    assert gold.status_code == 200
    conforms(gold.json(), "PlanTiersObject")
    assert gold.json() | {"current_tiers": []} == {
        "plan_type": "GOLD",
        "current_tiers": [],
        "billing_status": "Open",  # leaving TRIAL opens the account
        "billing_day_of_month": 15,
    }
    assert gold.json()["current_tiers"][0]["tier"] == 1
    assert partner.get(plan_url(encoded_id)).json() == gold.json()
    listed = partner.get("/partner/accounts").json()["site_owner_list"][0]
    assert listed["billing_status"] == "Open"
    # The billing day changes only when leaving TRIAL: later values are ignored.
    silver = partner.put(
        plan_url(encoded_id), json={"plan_type": "SILVER", "billing_day_of_month": 3}
    )
    assert (silver.json()["plan_type"], silver.json()["billing_day_of_month"]) == ("SILVER", 15)
    back = partner.put(plan_url(encoded_id), json={"plan_type": "TRIAL"})
    assert_api_error(back, 400, "back to a TRIAL")
    assert partner.get(plan_url(encoded_id)).json()["plan_type"] == "SILVER"


def test_leaving_trial_without_a_day_takes_today(partner):
    encoded_id = provision(partner)["encoded_account_id"]
    bronze = partner.put(plan_url(encoded_id), json={"plan_type": "BRONZE"}).json()
    assert 1 <= bronze["billing_day_of_month"] <= 31 and bronze["billing_status"] == "Open"


def test_bad_plans(partner, sandbox):
    encoded_id = provision(partner)["encoded_account_id"]
    assert_api_error(
        partner.put(plan_url(encoded_id), json={"plan_type": "PLATINUM"}), 400, "PLATINUM"
    )
    bad_day = {"plan_type": "GOLD", "billing_day_of_month": 32}
    assert_api_error(partner.put(plan_url(encoded_id), json=bad_day), 400, "1 to 31")
    assert sandbox.partner.accounts[encoded_id].plan_type == "TRIAL"
    assert partner.put(plan_url(encoded_id), content=b"").json()["plan_type"] == "TRIAL"
    assert_api_error(partner.get(plan_url("nobody")), 404)
    assert_api_error(partner.put(plan_url("nobody"), json={"plan_type": "GOLD"}), 404)


# -- which accounts can be operated --------------------------------------------------------


def test_unmanaged_and_cancelled_accounts_cannot_be_operated(make_sandbox):
    sb = make_sandbox()
    for status in ("Trial", "Open", "Canceled", "Trial End"):
        sb.add_client_account(f"acct-{status.replace(' ', '-').lower()}", billing_status=status)
    sb.add_client_account("acct-unmanaged", managed=False)
    body = sync_body("/contact_lists")
    with client_for(sb, PARTNER_AUTH) as api:
        statuses = {
            encoded_id: api.post(
                f"/partner/accounts/{encoded_id}/account_operations/sync", json=body
            )
            for encoded_id in sb.partner.accounts
        }
        listed = api.get("/partner/accounts").json()["site_owner_list"]
    assert {k: r.status_code for k, r in statuses.items()} == {
        "acct-trial": 200,
        "acct-open": 200,
        "acct-canceled": 403,
        "acct-trial-end": 200,
        "acct-unmanaged": 403,
    }
    assert_api_error(statuses["acct-canceled"], 403, "cancelled")
    assert_api_error(statuses["acct-unmanaged"], 403, "not managed")
    assert [a["billing_status"] for a in listed] == [
        "Trial",
        "Open",
        "Canceled",
        "Trial End",
        "Trial",
    ]


def test_add_client_account_hook(make_sandbox):
    sb = make_sandbox()
    account = sb.add_client_account(organization_name="Zenomatic", lists=[{"name": "News"}])
    assert account.encoded_account_id in sb.partner.accounts
    assert sb.store(account.encoded_account_id).find("lists", "News") is not None
    assert account.organization_name == "Zenomatic" and account.plan_type == "TRIAL"
    with pytest.raises(SeedError, match="appears twice"):
        sb.add_client_account(account.encoded_account_id)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"billing_status": "Active"}, "billing_status must be one of"),
        ({"billing_status": "Trial", "plan_type": "GOLD"}, "cannot be on the GOLD plan"),
        ({"billing_status": "Open", "plan_type": "TRIAL"}, "cannot be on the TRIAL plan"),
        ({"plan_type": "PLATINUM"}, "plan_type must be one of"),
        ({"billing_day_of_month": 5}, "null on TRIAL"),
        ({"managed": "yes"}, "managed must be true or false"),
    ],
)
def test_bad_client_account_seeds(make_sandbox, entry, message):
    sb = make_sandbox()
    with pytest.raises(SeedError, match=message):
        sb.add_client_account("a1", **entry)
    assert sb.partner.accounts == {}


def test_seeded_plans(make_sandbox):
    seed = {
        "accounts": [
            {
                "encoded_account_id": "a1",
                "billing_status": "Open",
                "plan_type": "SILVER",
                "billing_day_of_month": 9,
            },
            {"encoded_account_id": "a2", "billing_status": "Canceled", "subscriber_count": 700},
        ]
    }
    sb = make_sandbox(seed=seed)
    with client_for(sb, PARTNER_AUTH) as api:
        silver = api.get(plan_url("a1")).json()
        cancelled = api.get(plan_url("a2")).json()
    assert (silver["plan_type"], silver["billing_status"], silver["billing_day_of_month"]) == (
        "SILVER",
        "Open",
        9,
    )
    assert (cancelled["plan_type"], cancelled["billing_status"]) == ("GOLD", "Canceled")
    assert (
        cancelled["current_tiers"][0]["tier"] == 2
        and cancelled["current_tiers"][0]["current_usage"] == 700
    )
