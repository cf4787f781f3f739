"""Orderings and normalisations a reconciler gets wrong: rename chains, freed names,
deletes before what they reference, replaces under a segment, paging, empty values, vars."""

from __future__ import annotations

import json
from collections import Counter

from .helpers import apply_ok, calls, count, plan_is_clean, summary_line, write_summary, writes


def test_renaming_from_a_declared_name_is_refused_offline(sb, ctct, manifest):
    """`C renamed_from [B]` while B is declared too (a chain A -> B -> C) is ambiguous: the
    manifest is refused, located, before any request."""
    sb.seed({"tags": [{"name": "A"}, {"name": "B"}]})
    path = manifest("""
        version: 1
        tags:
          - name: B
            renamed_from: [A]
          - name: C
            renamed_from: [B]
    """)
    res = ctct(["apply", path, "--auto-approve"])
    assert res.code == 1, res
    assert "ctctform.yaml:6: tags[1].renamed_from:" in res.stderr
    assert sb.requests == []


def test_rename_to_a_name_that_already_exists_keeps_both(sb, ctct, manifest):
    sb.seed({"tags": [{"name": "Gold member"}, {"name": "Gold card member"}]})
    ids = {t.name: t.tag_id for t in sb.store().tags.values()}
    path = manifest("""
        version: 1
        tags:
          - name: Gold card member
            renamed_from: [Gold member]
    """)
    plan = ctct(["plan", path, "--detailed-exitcode"])
    assert plan.code == 0, plan
    assert "'Gold member' is not renamed" in plan.stdout
    apply_ok(ctct, path)
    assert writes(sb) == []
    assert {t.name: t.tag_id for t in sb.store().tags.values()} == ids


def test_segment_deleted_before_the_list_it_references(sb, ctct, manifest):
    sb.seed(
        {
            "lists": [{"name": "Keep"}, {"name": "Old promo"}],
            "segments": [
                {
                    "name": "Promo people",
                    "criteria": {
                        "version": "1.0.0",
                        "criteria": {
                            "type": "and",
                            "group": [
                                {
                                    "type": "or",
                                    "group": [
                                        {
                                            "source": "list_membership",
                                            "field": "list_id",
                                            "op": "contains-any",
                                            "const_value": "${list:Old promo}",
                                        }
                                    ],
                                }
                            ],
                        },
                    },
                }
            ],
        }
    )
    seg = sb.store().find("segments", "Promo people").segment_id
    path = manifest("""
        version: 1
        lists:
          - name: Keep
        prune:
          lists: true
          segments: true
    """)
    plan = ctct(["plan", path, "--allow-delete"])
    assert plan.code == 0, plan
    assert summary_line(plan.stdout) == "Plan: 0 to add, 0 to change, 2 to destroy."
    sb.reset_log()
    apply_ok(ctct, path, "--allow-delete")
    assert write_summary(sb) == [
        ("DELETE", f"/v3/segments/{seg}", 204),
        ("POST", "/v3/activities/list_delete", 201),
    ]
    assert [rec.name for rec in sb.store().lists.values()] == ["Keep"]
    assert sb.store().live_segments() == []
    plan_is_clean(ctct, path)


def test_replaced_custom_field_gets_its_new_id_in_segments(sb, ctct, manifest, api):
    sb.seed(
        {
            "custom_fields": [{"label": "Score", "type": "string"}],
            "segments": [
                {
                    "name": "High score",
                    "criteria": {
                        "version": "1.0.0",
                        "criteria": {
                            "type": "and",
                            "group": [
                                {
                                    "source": "custom_field",
                                    "field": "${custom_field:Score}",
                                    "op": "gt",
                                    "const_value": "10",
                                }
                            ],
                        },
                    },
                }
            ],
        }
    )
    old = sb.store().find("custom_fields", "Score").custom_field_id
    path = manifest("""
        version: 1
        custom_fields:
          - label: Score
            type: number
        segments:
          - name: High score
            criteria:
              version: "1.0.0"
              criteria:
                type: and
                group:
                  - {source: custom_field, field: "${custom_field:Score}", op: gt, const_value: "10"}
    """)
    plan = ctct(["plan", path])
    assert plan.code == 1, plan  # a replace needs --allow-replace
    res = apply_ok(ctct, path, "--allow-replace")
    assert "1 added, 1 changed, 1 destroyed" in res.stdout
    new = sb.store().find("custom_fields", "Score")
    assert new.custom_field_id != old and new.type == "number"
    seg = sb.store().find("segments", "High score")
    criteria = json.loads(api.get(f"/segments/{seg.segment_id}").json()["segment_criteria"])
    assert criteria["criteria"]["group"][0]["field"] == new.custom_field_id
    plan_is_clean(ctct, path)


def test_collections_are_paged_with_the_cursor(sb, ctct, manifest):
    # More tags live than one page of 500 holds (the manifest declares only a few: an
    # account may hold at most 500, but the reader must not trust that).
    names = [f"Tag {i:04}" for i in range(620)]
    sb.settings.max_tags = 1000  # a server that holds more than the documented limit
    sb.seed({"tags": [{"name": n} for n in names]})
    path = manifest("version: 1\ntags:\n" + "".join(f"  - name: {n}\n" for n in names[:3]))
    res = ctct(["plan", path, "--detailed-exitcode"])
    assert res.code == 0, res
    assert calls(sb) == Counter({("GET", "/v3/contact_tags"): 2, ("GET", "/v3/account/summary"): 1})
    first, second = (r.query for r in sb.requests if r.path == "/v3/contact_tags")
    assert "limit=500" in first and "cursor=" in second


def test_empty_description_is_the_same_as_none(sb, ctct, manifest):
    sb.seed({"lists": [{"name": "Plain"}, {"name": "Described", "description": "words"}]})
    described = sb.store().find("lists", "Described").list_id
    path = manifest("""
        version: 1
        lists:
          - name: Plain
            description: ""
          - name: Described
            description: ""
    """)
    plan = ctct(["plan", path])
    assert summary_line(plan.stdout) == "Plan: 0 to add, 1 to change, 0 to destroy."
    sb.reset_log()
    apply_ok(ctct, path)
    assert write_summary(sb) == [("PUT", f"/v3/contact_lists/{described}", 200)]
    assert sb.store().get_list(described).description in (None, "")
    plan_is_clean(ctct, path)


def test_criteria_json_and_literal_dollar_brace(sb, ctct, manifest, api):
    sb.seed({"tags": [{"name": "VIP"}]})
    vip = sb.store().find("tags", "VIP").tag_id
    path = manifest("""
        version: 1
        segments:
          - name: From JSON
            criteria_json: '{"version":"1.0.0","criteria":{"type":"and","group":[{"type":"or","group":[{"source":"tags","field":"tag_id","op":"contains-any","const_value":"${tag:VIP}"}]}]}}'
          - name: Literal
            criteria:
              version: "1.0.0"
              criteria:
                type: and
                group:
                  - type: or
                    group: [{source: contact, field: first_name, op: eq, const_value: "$${tag:VIP}"}]
    """)
    apply_ok(ctct, path)
    got = {}
    for name in ("From JSON", "Literal"):
        seg = sb.store().find("segments", name)
        detail = api.get(f"/segments/{seg.segment_id}").json()
        group = json.loads(detail["segment_criteria"])["criteria"]["group"]
        got[name] = group[0]["group"][0]["const_value"]
    assert got == {"From JSON": vip, "Literal": "${tag:VIP}"}
    plan_is_clean(ctct, path)


def test_vars_from_file_and_command_line(sb, ctct, manifest):
    path = manifest("""
        version: 1
        vars:
          brand: Acme
        lists:
          - name: ${var:brand} news
            description: News from ${var:brand}
    """)
    apply_ok(ctct, path, "--var", "brand=Zenomatic")
    rec = sb.store().find("lists", "Zenomatic news")
    assert rec is not None and rec.description == "News from Zenomatic"
    assert sb.store().find("lists", "Acme news") is None
    plan_is_clean(ctct, path, "--var", "brand=Zenomatic")
    other = ctct(["plan", path, "--detailed-exitcode"])
    assert other.code == 2, other
    assert summary_line(other.stdout) == "Plan: 1 to add, 0 to change, 0 to destroy."


def test_directory_manifest_merges_files(sb, ctct, manifest, tmp_path):
    manifest("version: 1\nlists:\n  - name: Newsletter\n", name="conf/lists.yaml")
    manifest("tags:\n  - name: VIP\n", name="conf/tags.yml")
    manifest("prune:\n  tags: true\n", name="conf/settings.yaml")
    sb.seed({"tags": [{"name": "Old"}]})
    apply_ok(ctct, tmp_path / "conf", "--allow-delete")
    assert [t.name for t in sb.store().tags.values()] == ["VIP"]
    assert sb.store().find("lists", "Newsletter") is not None
    plan_is_clean(ctct, tmp_path / "conf")


def test_tag_source_is_sent_on_create_and_never_diffed(sb, ctct, manifest):
    path = manifest("""
        version: 1
        tags:
          - name: Imported
            tag_source: Salesforce
    """)
    apply_ok(ctct, path)
    assert count(sb, "POST", "/v3/contact_tags") == 1
    assert sb.store().find("tags", "Imported").tag_source == "Salesforce"
    sb.reset_log()
    plan_is_clean(ctct, path)
    assert writes(sb) == []


def test_rename_cycle_is_a_plan_error_not_an_apply_failure(sb, ctct, manifest):
    """Two custom fields swapping API names (`p q` <-> `r s` as `r_s` / `p_q`) cannot be done
    in any order; the plan says so, and apply writes nothing."""
    sb.seed(
        {
            "custom_fields": [
                {"label": "p q", "type": "string"},
                {"label": "r s", "type": "string"},
            ]
        }
    )
    path = manifest("""
        version: 1
        custom_fields:
          - {label: p_q, type: string, renamed_from: [r s]}
          - {label: r_s, type: string, renamed_from: [p q]}
    """)
    plan = ctct(["plan", path, "--detailed-exitcode"])
    assert plan.code == 1, plan
    assert "wait on each other" in plan.stderr
    res = ctct(["apply", path, "--auto-approve"])
    assert res.code == 1 and writes(sb) == []
