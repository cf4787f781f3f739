"""Request bodies are checked against the official definitions: 400, error array, no change."""

from __future__ import annotations

import json
import uuid

import pytest

from ctctform.sandbox import Sandbox
from ctctform.sandbox.validation import DEFINITIONS_FILE, definitions, validate

from .helpers import PARTNER_AUTH, assert_api_error, client_for

# The smallest criteria the API takes: a top-level `and` group, here empty.
CRITERIA_JSON = '{"version":"1.0.0","criteria":{"type":"and","group":[]}}'
SEED = {
    "lists": [{"name": "Newsletter"}],
    "tags": [{"name": "VIP"}],
    "custom_fields": [{"label": "Color", "type": "single_select", "choices": ["Red"]}],
    "segments": [{"name": "Engaged", "criteria_json": CRITERIA_JSON}],
    "webhooks": [{"topic_id": 1, "hook_uri": "https://hooks.example.com/a"}],
    "accounts": [{"encoded_account_id": "a08e1izvh8t9", "lists": [{"name": "Client"}]}],
}


def ids(n):
    return [str(uuid.uuid4()) for _ in range(n)]


def long(n):
    return "x" * n


# (definition, method, path template, invalid body, fragment of the expected message)
INVALID = [
    ("ListInput", "POST", "/contact_lists", {}, "name is required"),
    ("ListInput", "POST", "/contact_lists", {"name": long(256)}, "at most 255"),
    ("ListInput", "PUT", "/contact_lists/{list}", {"name": 7}, "type string"),
    ("ListInput", "PUT", "/contact_lists/{list}", {"name": "a", "favorite": "yes"}, "boolean"),
    ("TagPost", "POST", "/contact_tags", {"name": ""}, "at least 1"),
    ("TagPost", "POST", "/contact_tags", {"name": long(256)}, "at most 255"),
    ("TagPost", "POST", "/contact_tags", {"name": "a", "tag_source": 1}, "tag_source"),
    ("TagPut", "PUT", "/contact_tags/{tag}", {}, "name is required"),
    ("TagPut", "PUT", "/contact_tags/{tag}", {"name": long(256)}, "at most 255"),
    (
        "CustomFieldRequest",
        "POST",
        "/contact_custom_fields",
        {"label": long(51), "type": "string"},
        "at most 50",
    ),
    (
        "CustomFieldRequest",
        "POST",
        "/contact_custom_fields",
        {"label": "a", "type": long(21)},
        "at most 20",
    ),
    (
        "CustomFieldRequest",
        "POST",
        "/contact_custom_fields",
        {"label": "a", "type": "single_select", "choices": [{"choice_label": "c"}] * 101},
        "more than 100",
    ),
    (
        "CustomFieldRequest",
        "POST",
        "/contact_custom_fields",
        {"label": "a", "type": "single_select", "choices": [{"choice_label": long(256)}]},
        "at most 255",
    ),
    (
        "CustomFieldPutRequest",
        "PUT",
        "/contact_custom_fields/{field}",
        {"label": long(51)},
        "at most 50",
    ),
    (
        "CustomFieldPutRequest",
        "PUT",
        "/contact_custom_fields/{field}",
        {"label": "Color", "choices": [{"choice_id": "one", "choice_label": "Red"}]},
        "integer",
    ),
    ("SegmentData", "POST", "/segments", {"name": "a"}, "segment_criteria is required"),
    (
        "SegmentData",
        "POST",
        "/segments",
        {"name": "a", "segment_criteria": long(20001)},
        "at most 20000",
    ),
    (
        "SegmentData",
        "PUT",
        "/segments/{segment}",
        {"name": 1, "segment_criteria": CRITERIA_JSON},
        "name",
    ),
    ("SegmentName", "PATCH", "/segments/{segment}/name", {}, "name is required"),
    ("SegmentName", "PATCH", "/segments/{segment}/name", {"name": ["a"]}, "type string"),
    (
        "WebhooksSubscriptionBody",
        "PUT",
        "/partner/webhooks/subscriptions/2",
        {"hook_uri": 5},
        "hook_uri",
    ),
    ("ListIdList100", "POST", "/activities/list_delete", {}, "list_ids is required"),
    ("ListIdList100", "POST", "/activities/list_delete", {"list_ids": ids(101)}, "100"),
    ("ListIdList100", "POST", "/activities/list_delete", {"list_ids": ["nope"]}, "uuid"),
    ("TagIdList500Limit", "POST", "/activities/contacts_tags_delete", {}, "tag_ids is required"),
    (
        "TagIdList500Limit",
        "POST",
        "/activities/contacts_tags_delete",
        {"tag_ids": ids(501)},
        "500",
    ),
    ("CustomFieldId100", "POST", "/activities/custom_fields_delete", {}, "is required"),
    (
        "CustomFieldId100",
        "POST",
        "/activities/custom_fields_delete",
        {"custom_field_ids": ids(101)},
        "100",
    ),
    ("CustomerPut", "PUT", "/account/summary", {"contact_phone": long(26)}, "at most 25"),
    ("CustomerPut", "PUT", "/account/summary", {"organization_name": 5}, "type string"),
    (
        "AccountPhysicalAddress",
        "POST",
        "/account/summary/physical_address",
        {"city": "Boston", "country_code": "US"},
        "address_line1 is required",
    ),
    (
        "AccountPhysicalAddress",
        "PUT",
        "/account/summary/physical_address",
        {"address_line1": long(81), "city": "Leeds", "country_code": "GB"},
        "at most 80",
    ),
    ("AccountEmailInput", "POST", "/account/emails", {"email_address": ["a@b.c"]}, "type string"),
    ("Provision", "POST", "/partner/accounts", {}, "contact_email is required"),
    (
        "Provision",
        "POST",
        "/partner/accounts",
        {
            "contact_email": "a@b.example",
            "country_code": "US",
            "state_code": "MA",
            "login_name": "short",
        },
        "at least 6",
    ),
    ("PlanInfo", "PUT", "/partner/accounts/a08e1izvh8t9/plan", {"plan_type": 5}, "type string"),
    (
        "PartnerAccountOperationsRequest",
        "POST",
        "/partner/accounts/a08e1izvh8t9/account_operations/sync",
        {"account_operation_url": "/contact_lists"},
        "account_operation_method is required",
    ),
    (
        "PartnerAccountOperationsRequest",
        "POST",
        "/partner/accounts/a08e1izvh8t9/account_operations/sync",
        {
            "account_operation_url": "/contact_lists",
            "account_operation_method": "POST",
            "account_operation_payload": {"name": "not a string"},
        },
        "account_operation_payload",
    ),
]


@pytest.fixture
def seeded(make_sandbox) -> Sandbox:
    return make_sandbox(seed=SEED)


def everything(sb: Sandbox) -> str:
    """All state of the sandbox, to prove a rejected request changed nothing."""
    state = {
        "default": sb.store().snapshot(),
        "webhooks": dict(sb.partner.webhooks),
        "accounts": {key: sb.store(key).snapshot() for key in sb.partner.accounts},
    }
    return json.dumps(state, sort_keys=True)


def fill(path: str, sb: Sandbox) -> str:
    store = sb.store()
    return path.format(
        list=next(iter(store.lists)),
        tag=next(iter(store.tags)),
        field=next(iter(store.custom_fields)),
        segment=next(iter(store.segments)),
    )


@pytest.mark.parametrize(
    ("definition", "method", "path", "body", "message"),
    INVALID,
    ids=[f"{case[0]}-{index}" for index, case in enumerate(INVALID)],
)
def test_invalid_body_is_400_and_changes_nothing(seeded, definition, method, path, body, message):
    assert validate(body, definition), "the case must break the definition itself"
    before = everything(seeded)
    with client_for(seeded, PARTNER_AUTH) as client:
        response = client.request(method, fill(path, seeded), json=body)
    assert_api_error(response, 400, message)
    assert everything(seeded) == before


def test_every_request_definition_has_an_invalid_case():
    covered = {case[0] for case in INVALID}
    extracted = json.loads(DEFINITIONS_FILE.read_text())["request_definitions"]
    assert covered == set(extracted)
    assert set(extracted) <= set(definitions())


@pytest.mark.parametrize(
    "path",
    ["/contact_lists", "/contact_tags", "/contact_custom_fields", "/segments"],
)
def test_malformed_json_is_400(seeded, path):
    before = everything(seeded)
    with client_for(seeded) as client:
        response = client.post(
            path, content=b'{"name": "x",', headers={"Content-Type": "application/json"}
        )
    assert_api_error(response, 400, "Malformed JSON")
    assert everything(seeded) == before


def test_empty_body_and_non_object_body_are_400(seeded):
    with client_for(seeded) as client:
        empty = client.post("/contact_lists", headers={"Content-Type": "application/json"})
        assert_api_error(empty, 400)
        assert_api_error(client.post("/contact_lists", json=["Newsletter"]), 400, "object")


def test_non_json_content_type_is_415(seeded):
    with client_for(seeded) as client:
        response = client.post("/contact_tags", content=b"name=VIP")
    assert_api_error(response, 415)


def test_unknown_properties_are_accepted_as_the_spec_allows(seeded):
    # The definitions do not set additionalProperties: false; neither does the sandbox.
    with client_for(seeded) as client:
        response = client.post("/contact_tags", json={"name": "New", "color": "red"})
    assert response.status_code == 201
    assert "color" not in response.json()


def test_error_messages_name_the_field_without_echoing_the_value(seeded):
    with client_for(seeded) as client:
        response = client.post("/contact_lists", json={"name": long(5000)})
    message = response.json()[0]["error_message"]
    assert message.startswith("name ") and len(message) < 200
