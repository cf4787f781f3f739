"""Create, update, rename, delete and no-op for every kind, each followed by a clean plan.

Each test checks the exit code and the summary line, the resulting state straight from the
sandbox's store, and the exact writes the apply sent.
"""

from __future__ import annotations

import json

from .helpers import apply_ok, count, plan_is_clean, summary_line, write_summary, writes

# -- lists ------------------------------------------------------------------------------


def test_list_create(sb, ctct, manifest):
    path = manifest("""
        version: 1
        lists:
          - name: Newsletter
            description: Monthly news and offers
            favorite: true
          - name: Customers
    """)
    plan = ctct(["plan", path])
    assert plan.code == 0, plan
    assert summary_line(plan.stdout) == "Plan: 2 to add, 0 to change, 0 to destroy."
    assert writes(sb) == []

    sb.reset_log()
    res = apply_ok(ctct, path)
    assert "Apply complete! Resources: 2 added, 0 changed, 0 destroyed." in res.stdout
    assert count(sb, "POST", "/v3/contact_lists") == 2
    assert len(writes(sb)) == 2
    news = sb.store().find("lists", "Newsletter")
    assert (news.description, news.favorite) == ("Monthly news and offers", True)
    customers = sb.store().find("lists", "Customers")
    assert (customers.description, customers.favorite) == (None, False)
    assert len(sb.store().lists) == 2

    plan_is_clean(ctct, path)


def test_list_update_sends_one_put(sb, ctct, manifest):
    sb.seed({"lists": [{"name": "Newsletter", "description": "Old words", "favorite": False}]})
    list_id = sb.store().find("lists", "Newsletter").list_id
    path = manifest("""
        version: 1
        lists:
          - name: Newsletter
            description: New words
            favorite: true
    """)
    plan = ctct(["plan", path])
    assert summary_line(plan.stdout) == "Plan: 0 to add, 1 to change, 0 to destroy."
    assert '~ description = "Old words" -> "New words"' in plan.stdout
    assert "~ favorite = false -> true" in plan.stdout

    sb.reset_log()
    apply_ok(ctct, path)
    assert write_summary(sb) == [("PUT", f"/v3/contact_lists/{list_id}", 200)]
    rec = sb.store().get_list(list_id)
    assert (rec.name, rec.description, rec.favorite) == ("Newsletter", "New words", True)
    plan_is_clean(ctct, path)


def test_list_rename_keeps_id(sb, ctct, manifest):
    sb.seed({"lists": [{"name": "Buyers", "description": "Everyone who bought"}]})
    list_id = sb.store().find("lists", "Buyers").list_id
    path = manifest("""
        version: 1
        lists:
          - name: Customers
            renamed_from: [Buyers]
    """)
    plan = ctct(["plan", path])
    assert summary_line(plan.stdout) == "Plan: 0 to add, 1 to change, 0 to destroy."
    assert '~ lists "Buyers" -> "Customers"' in plan.stdout

    sb.reset_log()
    apply_ok(ctct, path)
    assert write_summary(sb) == [("PUT", f"/v3/contact_lists/{list_id}", 200)]
    assert sb.store().find("lists", "Buyers") is None
    renamed = sb.store().find("lists", "Customers")
    assert renamed.list_id == list_id
    # description was not declared: the rename keeps it
    assert renamed.description == "Everyone who bought"
    assert len(sb.store().lists) == 1
    plan_is_clean(ctct, path)


def test_list_not_pruned_without_prune(sb, ctct, manifest):
    sb.seed({"lists": [{"name": "Keep"}, {"name": "Spring promo"}]})
    path = manifest("""
        version: 1
        lists:
          - name: Keep
    """)
    plan = ctct(["plan", path, "--detailed-exitcode"])
    assert plan.code == 0, plan
    assert "No changes." in plan.stdout
    assert (
        "1 list(s) in the account but not in the manifest are left alone ('Spring promo'); "
        "set prune.lists: true to delete them"
    ) in plan.stdout
    sb.reset_log()
    apply_ok(ctct, path)
    assert writes(sb) == []
    assert sb.store().find("lists", "Spring promo") is not None


def test_list_pruned_with_prune(sb, ctct, manifest):
    sb.seed({"lists": [{"name": "Keep"}, {"name": "Spring promo"}]})
    doomed = sb.store().find("lists", "Spring promo").list_id
    path = manifest("""
        version: 1
        lists:
          - name: Keep
        prune:
          lists: true
    """)
    plan = ctct(["plan", path, "--allow-delete"])
    assert summary_line(plan.stdout) == "Plan: 0 to add, 0 to change, 1 to destroy."
    assert '- lists "Spring promo"' in plan.stdout

    sb.reset_log()
    res = apply_ok(ctct, path, "--allow-delete")
    assert "Apply complete! Resources: 0 added, 0 changed, 1 destroyed." in res.stdout
    assert write_summary(sb) == [("POST", "/v3/activities/list_delete", 201)]
    assert doomed not in sb.store().lists
    assert sb.store().find("lists", "Keep") is not None
    plan_is_clean(ctct, path)


def test_list_noop_apply_writes_nothing(sb, ctct, manifest):
    sb.seed({"lists": [{"name": "Newsletter", "description": "Monthly", "favorite": True}]})
    path = manifest("""
        version: 1
        lists:
          - name: Newsletter
            description: Monthly
            favorite: true
    """)
    res = ctct(["apply", path, "--auto-approve"])
    assert res.code == 0, res
    assert "No changes. The account matches the manifest." in res.stdout
    assert "Apply complete" not in res.stdout
    assert writes(sb) == []
    plan_is_clean(ctct, path)


# -- tags -------------------------------------------------------------------------------


def test_tag_create(sb, ctct, manifest):
    path = manifest("""
        version: 1
        tags:
          - name: VIP
          - name: Webinar 2026
    """)
    plan = ctct(["plan", path])
    assert summary_line(plan.stdout) == "Plan: 2 to add, 0 to change, 0 to destroy."
    sb.reset_log()
    apply_ok(ctct, path)
    assert count(sb, "POST", "/v3/contact_tags") == 2
    assert len(writes(sb)) == 2
    assert sorted(t.name for t in sb.store().tags.values()) == ["VIP", "Webinar 2026"]
    plan_is_clean(ctct, path)


def test_tag_rename_is_its_update_and_keeps_id(sb, ctct, manifest):
    # A tag's only mutable field is its name (TagPut): its update is the rename.
    sb.seed({"tags": [{"name": "Gold member"}, {"name": "VIP"}]})
    tag_id = sb.store().find("tags", "Gold member").tag_id
    path = manifest("""
        version: 1
        tags:
          - name: VIP
          - name: Gold card member
            renamed_from: [Gold member]
    """)
    plan = ctct(["plan", path])
    assert summary_line(plan.stdout) == "Plan: 0 to add, 1 to change, 0 to destroy."
    assert '~ tags "Gold member" -> "Gold card member"' in plan.stdout
    sb.reset_log()
    apply_ok(ctct, path)
    assert write_summary(sb) == [("PUT", f"/v3/contact_tags/{tag_id}", 200)]
    assert sb.store().find("tags", "Gold card member").tag_id == tag_id
    assert sb.store().find("tags", "Gold member") is None
    assert len(sb.store().tags) == 2
    plan_is_clean(ctct, path)


def test_tag_not_pruned_without_prune(sb, ctct, manifest):
    sb.seed({"tags": [{"name": "VIP"}, {"name": "Temp import"}]})
    path = manifest("""
        version: 1
        tags:
          - name: VIP
    """)
    plan = ctct(["plan", path])
    assert "No changes." in plan.stdout
    assert "1 tag(s) in the account but not in the manifest are left alone" in plan.stdout
    assert "prune.tags: true" in plan.stdout
    apply_ok(ctct, path)
    assert writes(sb) == []
    assert sb.store().find("tags", "Temp import") is not None


def test_tag_pruned_with_prune(sb, ctct, manifest):
    sb.seed({"tags": [{"name": "VIP"}, {"name": "Temp import"}]})
    doomed = sb.store().find("tags", "Temp import").tag_id
    path = manifest("""
        version: 1
        tags:
          - name: VIP
        prune:
          tags: true
    """)
    plan = ctct(["plan", path, "--allow-delete"])
    assert summary_line(plan.stdout) == "Plan: 0 to add, 0 to change, 1 to destroy."
    sb.reset_log()
    apply_ok(ctct, path, "--allow-delete")
    assert write_summary(sb) == [("POST", "/v3/activities/contacts_tags_delete", 201)]
    assert doomed not in sb.store().tags
    assert [t.name for t in sb.store().tags.values()] == ["VIP"]
    plan_is_clean(ctct, path)


def test_tag_noop(sb, ctct, manifest):
    sb.seed({"tags": [{"name": "VIP"}]})
    path = manifest("""
        version: 1
        tags:
          - name: VIP
    """)
    res = ctct(["apply", path, "--auto-approve"])
    assert res.code == 0, res
    assert "No changes." in res.stdout
    assert writes(sb) == []
    plan_is_clean(ctct, path)


# -- custom fields ----------------------------------------------------------------------


def test_custom_field_create(sb, ctct, manifest):
    path = manifest("""
        version: 1
        custom_fields:
          - label: Favorite Color
            type: single_select
            metadata: {display_type: dropdown}
            choices: [Red, Green, Blue]
          - label: Signup Date
            type: date
    """)
    plan = ctct(["plan", path])
    assert summary_line(plan.stdout) == "Plan: 2 to add, 0 to change, 0 to destroy."
    sb.reset_log()
    apply_ok(ctct, path)
    assert count(sb, "POST", "/v3/contact_custom_fields") == 2
    assert len(writes(sb)) == 2
    color = sb.store().find("custom_fields", "Favorite Color")
    assert color.type == "single_select"
    assert color.metadata == {"display_type": "dropdown"}
    assert [c.choice_label for c in sorted(color.choices, key=lambda c: c.display_order)] == [
        "Red",
        "Green",
        "Blue",
    ]
    assert sb.store().find("custom_fields", "Signup Date").type == "date"
    plan_is_clean(ctct, path)


def test_custom_field_update_keeps_choice_ids(sb, ctct, manifest):
    sb.seed(
        {
            "custom_fields": [
                {
                    "label": "Favorite Color",
                    "type": "single_select",
                    "metadata": {"display_type": "dropdown"},
                    "choices": ["Red", "Green"],
                }
            ]
        }
    )
    field = sb.store().find("custom_fields", "Favorite Color")
    field_id = field.custom_field_id
    before = {c.choice_label: c.choice_id for c in field.choices}
    path = manifest("""
        version: 1
        custom_fields:
          - label: Favorite Color
            type: single_select
            metadata: {display_type: dropdown}
            choices: [Red, Green, Blue]
    """)
    plan = ctct(["plan", path])
    assert summary_line(plan.stdout) == "Plan: 0 to add, 1 to change, 0 to destroy."
    assert '~ choices:\n          - "Red"\n          - "Green"\n      +   - "Blue"\n' in plan.stdout
    sb.reset_log()
    apply_ok(ctct, path)
    assert write_summary(sb) == [("PUT", f"/v3/contact_custom_fields/{field_id}", 200)]
    after_field = sb.store().get_custom_field(field_id)
    after = {c.choice_label: c.choice_id for c in after_field.choices}
    assert after["Red"] == before["Red"]
    assert after["Green"] == before["Green"]
    assert after["Blue"] not in before.values()
    assert after_field.type == "single_select"
    plan_is_clean(ctct, path)


def test_custom_field_rename_keeps_id_and_choices(sb, ctct, manifest):
    sb.seed({"custom_fields": [{"label": "Colour", "type": "single_select", "choices": ["Red"]}]})
    field = sb.store().find("custom_fields", "Colour")
    field_id, red_id = field.custom_field_id, field.choices[0].choice_id
    path = manifest("""
        version: 1
        custom_fields:
          - label: Favorite Color
            renamed_from: [Colour]
            type: single_select
    """)
    plan = ctct(["plan", path])
    assert summary_line(plan.stdout) == "Plan: 0 to add, 1 to change, 0 to destroy."
    assert '~ custom_fields "Colour" -> "Favorite Color"' in plan.stdout
    sb.reset_log()
    apply_ok(ctct, path)
    assert write_summary(sb) == [("PUT", f"/v3/contact_custom_fields/{field_id}", 200)]
    renamed = sb.store().get_custom_field(field_id)
    assert renamed.label == "Favorite Color"
    # choices were not declared: they are sent back as read, ids and all
    assert [(c.choice_id, c.choice_label) for c in renamed.choices] == [(red_id, "Red")]
    assert sb.store().find("custom_fields", "Colour") is None
    plan_is_clean(ctct, path)


def test_custom_field_prune(sb, ctct, manifest):
    sb.seed(
        {
            "custom_fields": [
                {"label": "Keep", "type": "string"},
                {"label": "Old field", "type": "number"},
            ]
        }
    )
    doomed = sb.store().find("custom_fields", "Old field").custom_field_id
    path = manifest("""
        version: 1
        custom_fields:
          - label: Keep
            type: string
    """)
    plan = ctct(["plan", path, "--allow-delete"])
    assert "No changes." in plan.stdout
    assert "1 custom field(s) in the account but not in the manifest are left alone" in plan.stdout
    apply_ok(ctct, path, "--allow-delete")
    assert writes(sb) == []
    assert doomed in sb.store().custom_fields

    path = manifest("""
        version: 1
        custom_fields:
          - label: Keep
            type: string
        prune:
          custom_fields: true
    """)
    plan = ctct(["plan", path, "--allow-delete"])
    assert summary_line(plan.stdout) == "Plan: 0 to add, 0 to change, 1 to destroy."
    sb.reset_log()
    apply_ok(ctct, path, "--allow-delete")
    assert write_summary(sb) == [("POST", "/v3/activities/custom_fields_delete", 201)]
    assert doomed not in sb.store().custom_fields
    assert sb.store().find("custom_fields", "Keep") is not None
    plan_is_clean(ctct, path)


def test_custom_field_noop(sb, ctct, manifest):
    sb.seed(
        {
            "custom_fields": [
                {
                    "label": "Favorite Color",
                    "type": "single_select",
                    "metadata": {"display_type": "dropdown"},
                    "choices": ["Red", "Green"],
                }
            ]
        }
    )
    path = manifest("""
        version: 1
        custom_fields:
          - label: Favorite Color
            type: single_select
            metadata: {display_type: dropdown}
            choices: [Red, Green]
    """)
    res = ctct(["apply", path, "--auto-approve"])
    assert res.code == 0, res
    assert "No changes." in res.stdout
    assert writes(sb) == []
    plan_is_clean(ctct, path)


# -- segments ---------------------------------------------------------------------------

EMPTY = {"version": "1.0.0", "criteria": {"type": "and", "group": []}}


def _tag_criteria(tag_ref: str) -> dict:
    return {
        "version": "1.0.0",
        "criteria": {
            "type": "and",
            "group": [
                {
                    "type": "or",
                    "group": [
                        {
                            "source": "tags",
                            "field": "tag_id",
                            "op": "contains-any",
                            "const_value": tag_ref,
                        }
                    ],
                }
            ],
        },
    }


def test_segment_create(sb, ctct, manifest, api):
    sb.seed({"tags": [{"name": "VIP"}]})
    tag_id = sb.store().find("tags", "VIP").tag_id
    path = manifest("""
        version: 1
        segments:
          - name: Engaged VIPs
            criteria:
              version: "1.0.0"
              criteria:
                type: and
                group:
                  - {type: or, group: [{source: tags, field: tag_id, op: contains-any, const_value: "${tag:VIP}"}]}
          - name: Raw
            criteria_json: '{"version":"1.0.0","criteria":{"type":"and","group":[]}}'
    """)
    plan = ctct(["plan", path])
    assert summary_line(plan.stdout) == "Plan: 2 to add, 0 to change, 0 to destroy."
    sb.reset_log()
    apply_ok(ctct, path)
    assert count(sb, "POST", "/v3/segments") == 2
    assert len(writes(sb)) == 2
    seg = sb.store().find("segments", "Engaged VIPs")
    detail = api.get(f"/segments/{seg.segment_id}").json()
    assert json.loads(detail["segment_criteria"]) == _tag_criteria(tag_id)
    raw = sb.store().find("segments", "Raw")
    assert json.loads(raw.segment_criteria) == EMPTY
    plan_is_clean(ctct, path)


def test_segment_update_criteria_sends_one_put(sb, ctct, manifest, api):
    sb.seed(
        {
            "tags": [{"name": "VIP"}, {"name": "Gold"}],
            "segments": [{"name": "Engaged", "criteria": _tag_criteria("${tag:VIP}")}],
        }
    )
    seg_id = sb.store().find("segments", "Engaged").segment_id
    gold = sb.store().find("tags", "Gold").tag_id
    path = manifest("""
        version: 1
        segments:
          - name: Engaged
            criteria:
              version: "1.0.0"
              criteria:
                type: and
                group:
                  - {type: or, group: [{source: tags, field: tag_id, op: contains-any, const_value: "${tag:Gold}"}]}
    """)
    plan = ctct(["plan", path])
    assert summary_line(plan.stdout) == "Plan: 0 to add, 1 to change, 0 to destroy."
    sb.reset_log()
    apply_ok(ctct, path)
    assert write_summary(sb) == [("PUT", f"/v3/segments/{seg_id}", 200)]
    detail = api.get(f"/segments/{seg_id}").json()
    assert json.loads(detail["segment_criteria"]) == _tag_criteria(gold)
    plan_is_clean(ctct, path)


def test_segment_rename_uses_patch_name(sb, ctct, manifest):
    sb.seed({"segments": [{"name": "Old name", "criteria": EMPTY}]})
    seg = sb.store().find("segments", "Old name")
    seg_id, criteria = seg.segment_id, seg.segment_criteria
    path = manifest("""
        version: 1
        segments:
          - name: New name
            renamed_from: [Old name]
            criteria: {version: "1.0.0", criteria: {type: and, group: []}}
    """)
    plan = ctct(["plan", path])
    assert summary_line(plan.stdout) == "Plan: 0 to add, 1 to change, 0 to destroy."
    assert '~ segments "Old name" -> "New name"' in plan.stdout
    sb.reset_log()
    apply_ok(ctct, path)
    assert write_summary(sb) == [("PATCH", f"/v3/segments/{seg_id}/name", 200)]
    renamed = sb.store().find("segments", "New name")
    assert renamed.segment_id == seg_id
    assert renamed.segment_criteria == criteria
    assert sb.store().find("segments", "Old name") is None
    plan_is_clean(ctct, path)


def test_segment_prune(sb, ctct, manifest):
    sb.seed(
        {
            "segments": [
                {"name": "Keep", "criteria": EMPTY},
                {"name": "Old test segment", "criteria": EMPTY},
            ]
        }
    )
    doomed = sb.store().find("segments", "Old test segment").segment_id
    keep = """
        version: 1
        segments:
          - name: Keep
            criteria: {version: "1.0.0", criteria: {type: and, group: []}}
    """
    path = manifest(keep)
    plan = ctct(["plan", path, "--allow-delete"])
    assert "No changes." in plan.stdout
    assert "1 segment(s) in the account but not in the manifest are left alone" in plan.stdout
    apply_ok(ctct, path, "--allow-delete")
    assert writes(sb) == []
    assert sb.store().find("segments", "Old test segment") is not None

    path = manifest(keep.rstrip(" ") + "        prune:\n          segments: true\n")
    plan = ctct(["plan", path, "--allow-delete"])
    assert summary_line(plan.stdout) == "Plan: 0 to add, 0 to change, 1 to destroy."
    sb.reset_log()
    apply_ok(ctct, path, "--allow-delete")
    assert write_summary(sb) == [("DELETE", f"/v3/segments/{doomed}", 204)]
    assert sb.store().find("segments", "Old test segment") is None
    assert sb.store().find("segments", "Keep") is not None
    plan_is_clean(ctct, path)


def test_segment_noop(sb, ctct, manifest):
    sb.seed(
        {
            "tags": [{"name": "VIP"}],
            "segments": [{"name": "Engaged", "criteria": _tag_criteria("${tag:VIP}")}],
        }
    )
    # the same criteria written differently (key order, flow style) are the same criteria
    path = manifest("""
        version: 1
        segments:
          - name: Engaged
            criteria:
              criteria:
                group:
                  - group: [{const_value: "${tag:VIP}", op: contains-any, field: tag_id, source: tags}]
                    type: or
                type: and
              version: "1.0.0"
    """)
    res = ctct(["apply", path, "--auto-approve"])
    assert res.code == 0, res
    assert "No changes." in res.stdout
    assert writes(sb) == []
    plan_is_clean(ctct, path)


# -- webhooks ---------------------------------------------------------------------------


def test_webhook_create(sb, ctct, manifest):
    path = manifest("""
        version: 1
        webhooks:
          - topic: billing_tier_upgrade
            hook_uri: https://hooks.example.com/ctct/billing
          - topic_id: 3
            hook_uri: https://hooks.example.com/ctct/cancelled
    """)
    plan = ctct(["plan", path])
    assert summary_line(plan.stdout) == "Plan: 2 to add, 0 to change, 0 to destroy."
    sb.reset_log()
    apply_ok(ctct, path)
    assert sorted(write_summary(sb)) == [
        ("PUT", "/v3/partner/webhooks/subscriptions/1", 200),
        ("PUT", "/v3/partner/webhooks/subscriptions/3", 200),
    ]
    assert sb.partner.webhooks == {
        1: "https://hooks.example.com/ctct/billing",
        3: "https://hooks.example.com/ctct/cancelled",
    }
    plan_is_clean(ctct, path)


def test_webhook_update_sends_one_put(sb, ctct, manifest):
    sb.seed({"webhooks": [{"topic_id": 1, "hook_uri": "https://old.example.com/hook"}]})
    path = manifest("""
        version: 1
        webhooks:
          - topic: billing_tier_upgrade
            hook_uri: https://new.example.com/hook
    """)
    plan = ctct(["plan", path])
    assert summary_line(plan.stdout) == "Plan: 0 to add, 1 to change, 0 to destroy."
    assert '~ hook_uri = "https://old.example.com/hook" -> "https://new.example.com/hook"' in (
        plan.stdout
    )
    sb.reset_log()
    apply_ok(ctct, path)
    assert write_summary(sb) == [("PUT", "/v3/partner/webhooks/subscriptions/1", 200)]
    assert sb.partner.webhooks == {1: "https://new.example.com/hook"}
    plan_is_clean(ctct, path)


def test_webhook_not_pruned_without_prune_and_warned(sb, ctct, manifest):
    sb.seed(
        {
            "webhooks": [
                {"topic_id": 1, "hook_uri": "https://hooks.example.com/a"},
                {"topic_id": 4, "hook_uri": "https://hooks.example.com/disabled"},
            ]
        }
    )
    path = manifest("""
        version: 1
        webhooks:
          - topic: billing_tier_upgrade
            hook_uri: https://hooks.example.com/a
    """)
    sb.reset_log()
    apply_ok(ctct, path)
    assert writes(sb) == []
    assert sb.partner.webhooks[4] == "https://hooks.example.com/disabled"
    plan = ctct(["plan", path])
    assert "No changes." in plan.stdout
    # like every other kind, an undeclared live resource that is kept is mentioned
    assert "left alone" in plan.stdout and "prune.webhooks: true" in plan.stdout, plan


def test_webhook_pruned_with_prune(sb, ctct, manifest):
    sb.seed(
        {
            "webhooks": [
                {"topic_id": 1, "hook_uri": "https://hooks.example.com/a"},
                {"topic_id": 4, "hook_uri": "https://hooks.example.com/disabled"},
            ]
        }
    )
    path = manifest("""
        version: 1
        webhooks:
          - topic: billing_tier_upgrade
            hook_uri: https://hooks.example.com/a
        prune:
          webhooks: true
    """)
    plan = ctct(["plan", path, "--allow-delete"])
    assert summary_line(plan.stdout) == "Plan: 0 to add, 0 to change, 1 to destroy."
    sb.reset_log()
    apply_ok(ctct, path, "--allow-delete")
    assert write_summary(sb) == [("DELETE", "/v3/partner/webhooks/subscriptions/4", 204)]
    assert sb.partner.webhooks == {1: "https://hooks.example.com/a"}
    plan_is_clean(ctct, path)


def test_webhook_noop(sb, ctct, manifest):
    sb.seed({"webhooks": [{"topic_id": 2, "hook_uri": "https://hooks.example.com/down"}]})
    path = manifest("""
        version: 1
        webhooks:
          - topic: billing_tier_downgrade
            hook_uri: https://hooks.example.com/down
    """)
    res = ctct(["apply", path, "--auto-approve"])
    assert res.code == 0, res
    assert "No changes." in res.stdout
    assert writes(sb) == []
    plan_is_clean(ctct, path)


# -- everything at once -----------------------------------------------------------------


def test_demo_example_every_write_is_2xx(sb, ctct):
    """examples/basic against the drifted demo seed: every kind changes in one apply; every
    write the client made was accepted (the sandbox validates bodies against the spec)."""
    from .helpers import EXAMPLES

    sb.seed(EXAMPLES / "demo-seed.yaml")
    buyers = sb.store().find("lists", "Buyers").list_id
    gold = sb.store().find("tags", "Gold member").tag_id
    path = EXAMPLES / "basic"
    plan = ctct(["plan", path, "--detailed-exitcode"])
    assert plan.code == 2, plan
    assert summary_line(plan.stdout) == "Plan: 5 to add, 5 to change, 2 to destroy."

    sb.reset_log()
    res = apply_ok(ctct, path)
    assert "Apply complete! Resources: 5 added, 5 changed, 2 destroyed." in res.stdout
    bad = [(r.method, r.path, r.status) for r in sb.requests if not 200 <= r.status < 300]
    assert bad == []
    assert len(writes(sb)) == 12  # one write per change
    assert sb.store().find("lists", "Customers").list_id == buyers
    assert sb.store().find("tags", "Gold card member").tag_id == gold
    assert sb.store().find("tags", "Temp import 2024") is None
    assert sb.store().find("segments", "Old test segment") is None
    assert sb.store().find("lists", "Spring promo 2024") is not None  # lists not pruned
    plan_is_clean(ctct, path)
