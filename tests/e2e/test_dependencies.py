"""Dependencies: what a segment references is created first, and its new id is used."""

from __future__ import annotations

import json

from .helpers import apply_ok, count, plan_is_clean, summary_line, writes


def _detail_criteria(api, name: str, sb) -> dict:
    seg = sb.store().find("segments", name)
    assert seg is not None, f"segment {name!r} was not created"
    r = api.get(f"/segments/{seg.segment_id}")
    assert r.status_code == 200, r.text
    return json.loads(r.json()["segment_criteria"])


def test_segment_with_new_list_tag_and_field_in_one_apply(sb, ctct, manifest, api):
    path = manifest("""
        version: 1
        lists:
          - name: Newsletter
        tags:
          - name: VIP
        custom_fields:
          - label: Loyalty Points
            type: number
        segments:
          - name: Engaged VIPs
            criteria:
              version: "1.0.0"
              criteria:
                type: and
                group:
                  - {type: or, group: [{source: tags, field: tag_id, op: contains-any, const_value: "${tag:VIP}"}]}
                  - type: or
                    group:
                      - source: list_membership
                        field: list_id
                        op: contains-any
                        const_value: "${list:Newsletter}"
                  - source: custom_field
                    field: "${custom_field:Loyalty Points}"
                    op: gt
                    const_value: "100"
    """)
    plan = ctct(["plan", path])
    assert summary_line(plan.stdout) == "Plan: 4 to add, 0 to change, 0 to destroy."
    assert "(known after apply: list Newsletter)" in plan.stdout
    assert "(known after apply: tag VIP)" in plan.stdout

    sb.reset_log()
    apply_ok(ctct, path)
    assert len(writes(sb)) == 4
    # the segment was created after what it references (one apply, in order)
    order = [r.path for r in writes(sb)]
    assert order[-1] == "/v3/segments"
    store = sb.store()
    tag_id = store.find("tags", "VIP").tag_id
    list_id = store.find("lists", "Newsletter").list_id
    field_id = store.find("custom_fields", "Loyalty Points").custom_field_id
    group = _detail_criteria(api, "Engaged VIPs", sb)["criteria"]["group"]
    assert group[0]["group"][0]["const_value"] == tag_id
    assert group[1]["group"][0]["const_value"] == list_id
    assert group[2]["field"] == field_id
    assert "known after apply" not in json.dumps(group)
    plan_is_clean(ctct, path)


def test_segment_referencing_a_segment_created_in_the_same_apply(sb, ctct, manifest, api):
    path = manifest("""
        version: 1
        segments:
          - name: Derived
            criteria:
              version: "1.0.0"
              criteria:
                type: and
                group:
                  - {source: segments, field: segment_id, op: contains-any, const_value: "${segment:Base}"}
          - name: Base
            criteria: {version: "1.0.0", criteria: {type: and, group: []}}
    """)
    plan = ctct(["plan", path])
    assert summary_line(plan.stdout) == "Plan: 2 to add, 0 to change, 0 to destroy."
    sb.reset_log()
    apply_ok(ctct, path)
    assert count(sb, "POST", "/v3/segments") == 2
    assert len(writes(sb)) == 2
    base = sb.store().find("segments", "Base").segment_id
    group = _detail_criteria(api, "Derived", sb)["criteria"]["group"]
    assert group[0]["const_value"] == str(base)
    plan_is_clean(ctct, path)


def test_renamed_list_reference_keeps_its_id(sb, ctct, manifest, api):
    sb.seed({"lists": [{"name": "Buyers"}]})
    list_id = sb.store().find("lists", "Buyers").list_id
    path = manifest("""
        version: 1
        lists:
          - name: Customers
            renamed_from: [Buyers]
        segments:
          - name: Customers segment
            criteria:
              version: "1.0.0"
              criteria:
                type: and
                group:
                  - {type: or, group: [{source: list_membership, field: list_id, op: contains-any, const_value: "${list:Customers}"}]}
    """)
    plan = ctct(["plan", path])
    assert summary_line(plan.stdout) == "Plan: 1 to add, 1 to change, 0 to destroy."
    apply_ok(ctct, path)
    group = _detail_criteria(api, "Customers segment", sb)["criteria"]["group"]
    assert group[0]["group"][0]["const_value"] == list_id
    assert sb.store().find("lists", "Customers").list_id == list_id
    plan_is_clean(ctct, path)


def test_reference_to_undeclared_live_tag_resolves(sb, ctct, manifest, api):
    sb.seed({"tags": [{"name": "Existing"}]})
    tag_id = sb.store().find("tags", "Existing").tag_id
    path = manifest("""
        version: 1
        segments:
          - name: Uses a live tag
            criteria:
              version: "1.0.0"
              criteria:
                type: and
                group:
                  - {type: or, group: [{source: tags, field: tag_id, op: contains-any, const_value: "${tag:Existing}"}]}
    """)
    apply_ok(ctct, path)
    group = _detail_criteria(api, "Uses a live tag", sb)["criteria"]["group"]
    assert group[0]["group"][0]["const_value"] == tag_id
    plan_is_clean(ctct, path)


def test_segment_update_waits_for_the_segment_it_now_references(sb, ctct, manifest, api):
    """An update of a live segment that starts referencing a segment the same apply creates
    runs after that create, with its new id."""
    sb.seed(
        {
            "segments": [
                {
                    "name": "Existing",
                    "criteria": {"version": "1.0.0", "criteria": {"type": "and", "group": []}},
                }
            ]
        }
    )
    path = manifest("""
        version: 1
        segments:
          - name: Existing
            criteria:
              version: "1.0.0"
              criteria:
                type: and
                group:
                  - {source: segment, field: segment_id, op: eq, const_value: "${segment:Brand new}"}
          - name: Brand new
            criteria: {version: "1.0.0", criteria: {type: and, group: []}}
    """)
    plan = ctct(["plan", path])
    assert summary_line(plan.stdout) == "Plan: 1 to add, 1 to change, 0 to destroy."
    sb.reset_log()
    apply_ok(ctct, path)
    assert [(r.method, r.path.rsplit("/", 1)[0]) for r in writes(sb)] == [
        ("POST", "/v3"),
        ("PUT", "/v3/segments"),
    ]
    new_id = sb.store().find("segments", "Brand new").segment_id
    group = _detail_criteria(api, "Existing", sb)["criteria"]["group"]
    assert group[0]["const_value"] == str(new_id)
    assert plan_is_clean(ctct, path)
