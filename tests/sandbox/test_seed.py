"""Seeding from a dict or a YAML/JSON file, with ${kind:NAME} references in criteria."""

from __future__ import annotations

import json

import pytest
import yaml

from ctctform.sandbox import Sandbox, SeedError

from .helpers import PARTNER_AUTH, client_for

# Criteria as the API takes them: a top-level `and` group; tags and list_membership
# conditions only directly inside an `or` group.
EMPTY = {"version": "1.0.0", "criteria": {"type": "and", "group": []}}
SEED = {
    "lists": [{"name": "Newsletter", "description": "Monthly", "favorite": True}],
    "tags": [{"name": "VIP", "tag_source": "POS"}],
    "custom_fields": [
        {
            "label": "Favorite Color",
            "type": "single_select",
            "metadata": {"display_type": "dropdown"},
            "choices": ["Red", "Green"],
        }
    ],
    "segments": [
        {
            "name": "Engaged VIPs",
            "criteria": {
                "version": "1.0.0",
                "criteria": {
                    "type": "and",
                    "group": [
                        {"type": "or", "group": [{"source": "tags", "const_value": "${tag:VIP}"}]},
                        {
                            "type": "or",
                            "group": [
                                {"source": "list_membership", "const_value": "${list:Newsletter}"}
                            ],
                        },
                        {"source": "contact", "field": "${custom_field:Favorite Color}"},
                        {"literal": "$${list:Newsletter}"},
                    ],
                },
            },
        },
        {"name": "Raw", "criteria_json": json.dumps(dict(EMPTY, lists=["${list:Newsletter}"]))},
    ],
    "webhooks": [
        {"topic_id": 1, "hook_uri": "https://hooks.example.com/up"},
        {"topic": "account_disabled", "hook_uri": "https://hooks.example.com/off"},
    ],
    "accounts": [
        {
            "encoded_account_id": "a08e1izvh8t9",
            "organization_name": "Zenomatic",
            "lists": [{"name": "Newsletter"}],
            "segments": [{"name": "Mine", "criteria": dict(EMPTY, list="${list:Newsletter}")}],
        }
    ],
}


def check_seeded(sb: Sandbox) -> None:
    store = sb.store()
    newsletter = store.find("lists", "Newsletter")
    vip = store.find("tags", "VIP")
    color = store.find("custom_fields", "Favorite Color")
    assert (newsletter.description, newsletter.favorite) == ("Monthly", True)
    assert vip.tag_source == "POS"
    assert [c.choice_label for c in color.choices] == ["Red", "Green"]
    with client_for(sb) as api:
        segment = api.get(f"/segments/{store.find('segments', 'Engaged VIPs').segment_id}").json()
        group = json.loads(segment["segment_criteria"])["criteria"]["group"]
        raw = api.get(f"/segments/{store.find('segments', 'Raw').segment_id}").json()
    assert group[0]["group"][0]["const_value"] == vip.tag_id
    assert group[1]["group"][0]["const_value"] == newsletter.list_id
    assert group[2]["field"] == color.custom_field_id
    assert group[3]["literal"] == "${list:Newsletter}"
    assert json.loads(raw["segment_criteria"]) == dict(EMPTY, lists=[newsletter.list_id])
    assert sb.partner.webhooks == {
        1: "https://hooks.example.com/up",
        4: "https://hooks.example.com/off",
    }
    client = sb.store("a08e1izvh8t9")
    client_list = client.find("lists", "Newsletter")
    assert client_list.list_id != newsletter.list_id
    mine = json.loads(client.find("segments", "Mine").segment_criteria)
    assert mine == dict(EMPTY, list=client_list.list_id)  # resolved in the client's own account


def test_seed_from_dict(make_sandbox):
    check_seeded(make_sandbox(seed=SEED))


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_seed_from_file(make_sandbox, tmp_path, suffix):
    path = tmp_path / f"seed{suffix}"
    text = json.dumps(SEED) if suffix == ".json" else yaml.safe_dump(SEED)
    path.write_text(text)
    check_seeded(make_sandbox(seed=str(path)))


def test_seeded_accounts_are_listed_and_reachable(make_sandbox):
    sb = make_sandbox(seed=SEED)
    with client_for(sb, PARTNER_AUTH) as api:
        accounts = api.get("/partner/accounts").json()["site_owner_list"]
    assert [a["organization_name"] for a in accounts] == ["Zenomatic"]


@pytest.mark.parametrize(
    ("seed", "message"),
    [
        ({"lists": [{"name": "A"}, {"name": "A"}]}, "seed.lists[1]: The contact list name"),
        ({"lists": [{"name": "A", "colour": "red"}]}, "unknown key(s) colour"),
        ({"tags": [{"name": "x" * 256}]}, "seed.tags[0]: name must be at most 255"),
        ({"custom_fields": [{"label": "A", "type": "text"}]}, "type must be one of"),
        ({"segments": [{"name": "S", "criteria": dict(EMPTY, x="${tag:Nope}")}]}, "${tag:Nope}"),
        ({"segments": [{"name": "S", "criteria_json": "{nope"}]}, "not valid JSON"),
        ({"segments": [{"name": "S"}]}, "exactly one of criteria"),
        ({"webhooks": [{"topic_id": 9, "hook_uri": "https://x"}]}, "topic_id must be one"),
        ({"accounts": [{"organization_name": "No id"}]}, "encoded_account_id is required"),
        ({"accounts": [{"encoded_account_id": "a", "webhooks": []}]}, "unknown key(s) webhooks"),
        ({"list": []}, "unknown key(s) list"),
    ],
)
def test_bad_seeds_name_the_item(seed, message):
    with pytest.raises(SeedError) as info:
        Sandbox(seed=seed)
    assert message in str(info.value)


def test_bad_seed_file(tmp_path):
    path = tmp_path / "seed.yaml"
    path.write_text("tags: []\nlists: [unclosed\n")
    with pytest.raises(SeedError) as info:
        Sandbox(seed=path)
    # One line, file and line first, as a manifest's YAML errors are.
    assert str(info.value).startswith(f"{path}:3: invalid YAML: ")
    assert "\n" not in str(info.value)


def test_seed_can_be_added_to_a_running_sandbox(sandbox):
    sandbox.seed({"tags": [{"name": "Late"}]})
    with client_for(sandbox) as api:
        assert [t["name"] for t in api.get("/contact_tags").json()["tags"]] == ["Late"]
