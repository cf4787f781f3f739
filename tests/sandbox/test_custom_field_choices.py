"""Custom field choices: soft delete on PUT, display type limits, seeds, partner accounts."""

from __future__ import annotations

import json

from .helpers import PARTNER_AUTH, assert_api_error, client_for
from .test_custom_fields import create

# -- soft-deleted choices ------------------------------------------------------------------


def put(api, field, choices):
    body = {"label": field["label"], "choices": choices}
    response = api.put(f"/contact_custom_fields/{field['custom_field_id']}", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def live(field):
    return [c["choice_label"] for c in field["choices"] if "deleted_at" not in c]


def test_a_dropped_choice_is_soft_deleted_and_its_label_can_come_back(api, conforms):
    field = create(
        api,
        label="Size",
        type="single_select",
        choices=[{"choice_label": "S"}, {"choice_label": "M"}],
    )
    small, medium = field["choices"]
    once = put(api, field, [{"choice_id": small["choice_id"], "choice_label": "S"}])
    conforms(once, "CustomField")
    assert live(once) == ["S"]
    assert once["choices"][1] == {
        "choice_id": medium["choice_id"],
        "choice_label": "M",
        "display_order": 2,
        "deleted_at": once["updated_at"][:10],
    }
    assert api.get(f"/contact_custom_fields/{field['custom_field_id']}").json() == once
    # A deleted choice is not a choice: its id cannot be sent back ...
    revive = [{"choice_id": medium["choice_id"], "choice_label": "M"}]
    bad = api.put(
        f"/contact_custom_fields/{field['custom_field_id']}",
        json={"label": "Size", "choices": revive},
    )
    assert_api_error(bad, 400, "choice_id")
    # ... but its label can return as a new choice, with a new id.
    back = put(
        api,
        field,
        [{"choice_id": small["choice_id"], "choice_label": "S"}, {"choice_label": "M"}],
    )
    labels = [(c["choice_label"], "deleted_at" in c) for c in back["choices"]]
    assert labels == [("S", False), ("M", False), ("M", True)]
    assert back["choices"][1]["choice_id"] not in (small["choice_id"], medium["choice_id"])
    assert back["choices"][2]["choice_id"] == medium["choice_id"]


def test_choices_sent_without_ids_replace_the_old_ones(api):
    field = create(api, label="Tier", type="multi_select", choices=[{"choice_label": "Gold"}])
    again = put(api, field, [{"choice_label": "Gold"}])
    (new, old) = again["choices"]
    assert old["choice_id"] == field["choices"][0]["choice_id"] and "deleted_at" in old
    assert new["choice_label"] == "Gold" and new["choice_id"] != old["choice_id"]


def choices(n):
    return [{"choice_label": f"C{i}"} for i in range(n)]


def test_radio_and_checkbox_take_20_choices_dropdowns_100(api, sandbox):
    for display_type, limit in (("radio", 20), ("checkbox", 20), ("dropdown", 100), (None, 100)):
        body = {"label": f"At {display_type}", "type": "single_select", "choices": choices(limit)}
        if display_type:
            body["metadata"] = {"display_type": display_type}
        assert api.post("/contact_custom_fields", json=body).status_code == 201, display_type
        if limit == 20:
            over = body | {"label": f"Over {display_type}", "choices": choices(21)}
            assert_api_error(api.post("/contact_custom_fields", json=over), 400, "at most 20")
    assert sandbox.store().find("custom_fields", "Over radio") is None
    unknown = {"label": "U", "type": "single_select", "metadata": {"display_type": "slider"}}
    assert_api_error(api.post("/contact_custom_fields", json=unknown), 400, "display_type")


def test_the_choice_limit_counts_live_choices_on_put(api):
    field = create(
        api,
        label="Radio",
        type="multi_select",
        metadata={"display_type": "checkbox"},
        choices=choices(20),
    )
    kept = [
        {"choice_id": c["choice_id"], "choice_label": c["choice_label"]} for c in field["choices"]
    ]
    over = api.put(
        f"/contact_custom_fields/{field['custom_field_id']}",
        json={"label": "Radio", "choices": [*kept, {"choice_label": "C20"}]},
    )
    assert_api_error(over, 400, "at most 20")
    swapped = put(api, field, [*kept[1:], {"choice_label": "C20"}])  # 20 live, 1 deleted
    assert len(live(swapped)) == 20 and len(swapped["choices"]) == 21


def test_a_choice_label_is_at_most_255_characters_on_put(api):
    field = create(api, label="Long", type="single_select", choices=[{"choice_label": "a"}])
    body = {"label": "Long", "choices": [{"choice_label": "x" * 256}]}
    response = api.put(f"/contact_custom_fields/{field['custom_field_id']}", json=body)
    assert_api_error(response, 400, "at most 255")


# -- seeds and partner accounts ------------------------------------------------------------


def test_seeded_soft_deleted_choices(make_sandbox):
    seed = {
        "custom_fields": [
            {
                "label": "Color",
                "type": "single_select",
                "choices": [
                    "Red",
                    {"choice_label": "Green", "deleted": True},
                    "Blue",
                    {"choice_label": "Red", "deleted": True},
                ],
            }
        ]
    }
    sb = make_sandbox(seed=seed)
    field_id = sb.store().find("custom_fields", "Color").custom_field_id
    with client_for(sb) as api:
        field = api.get(f"/contact_custom_fields/{field_id}").json()
    assert [
        (c["choice_label"], c["display_order"], "deleted_at" in c) for c in field["choices"]
    ] == [
        ("Red", 1, False),
        ("Blue", 2, False),
        ("Green", 1, True),
        ("Red", 2, True),
    ]


def test_custom_field_rules_through_account_operations(make_sandbox):
    sb = make_sandbox(seed={"accounts": [{"encoded_account_id": "a08e1izvh8t9"}]})
    sync = "/partner/accounts/a08e1izvh8t9/account_operations/sync"

    def call(method, url, payload=None, field_id=None):
        body = {"account_operation_url": url, "account_operation_method": method}
        if payload is not None:
            body["account_operation_payload"] = json.dumps(payload)
        if field_id:
            body["account_operation_path_parameters"] = [
                {"path_param_key": "custom_field_id", "path_param_value": field_id}
            ]
        return api.post(sync, json=body)

    with client_for(sb, PARTNER_AUTH) as api:
        made = call(
            "POST",
            "/contact_custom_fields",
            {
                "label": "Hobby",
                "type": "single_select",
                "metadata": {"display_type": "radio", "currency_code": "EUR"},
                "choices": [{"choice_label": "Chess"}, {"choice_label": "Go"}],
            },
        ).json()
        assert (made["name"], made["metadata"]) == ("hobby", {"display_type": "radio"})
        clash = call("POST", "/contact_custom_fields", {"label": "HOBBY", "type": "string"})
        assert_api_error(clash, 409)
        chess = made["choices"][0]
        dropped = call(
            "PUT",
            "/contact_custom_fields/{custom_field_id}",
            {"label": "Hobby", "choices": [chess]},
            made["custom_field_id"],
        ).json()
        assert [("deleted_at" in c) for c in dropped["choices"]] == [False, True]
        too_many = {
            "label": "Many",
            "type": "single_select",
            "metadata": {"display_type": "radio"},
            "choices": choices(21),
        }
        assert_api_error(call("POST", "/contact_custom_fields", too_many), 400, "at most 20")
    assert sb.store("a08e1izvh8t9").custom_fields.keys() == {made["custom_field_id"]}
    assert sb.store().custom_fields == {}
