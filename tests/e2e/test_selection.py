"""--target and --exclude."""

from __future__ import annotations

import json

from .helpers import apply_ok, plan_is_clean, summary_line, writes

MANIFEST = """
    version: 1
    lists:
      - name: Newsletter
        favorite: true
      - name: Other list
      - name: Unrelated list
    tags:
      - name: VIP
    segments:
      - name: Readers
        criteria:
          version: "1.0.0"
          criteria:
            type: and
            group:
              - {type: or, group: [{source: list_membership, field: list_id, op: contains-any, const_value: "${list:Other list}"}]}
"""


def test_target_one_list_plans_and_applies_only_that(sb, ctct, manifest):
    path = manifest(MANIFEST)
    plan = ctct(["plan", path, "--target", "lists:Newsletter", "--json"])
    assert plan.code == 0, plan
    doc = json.loads(plan.stdout)
    assert [(c["kind"], c["key"], c["action"]) for c in doc["changes"]] == [
        ("lists", "Newsletter", "create")
    ]
    text = ctct(["plan", path, "--target", "lists:Newsletter"])
    assert summary_line(text.stdout) == "Plan: 1 to add, 0 to change, 0 to destroy."

    sb.reset_log()
    apply_ok(ctct, path, "--target", "lists:Newsletter")
    assert [(r.method, r.path) for r in writes(sb)] == [("POST", "/v3/contact_lists")]
    assert [rec.name for rec in sb.store().lists.values()] == ["Newsletter"]
    assert sb.store().tags == {}
    assert sb.store().live_segments() == []
    plan_is_clean(ctct, path, "--target", "lists:Newsletter")

    # the rest is still to do without the target
    rest = ctct(["plan", path])
    assert summary_line(rest.stdout) == "Plan: 4 to add, 0 to change, 0 to destroy."


def test_targeted_segment_pulls_in_the_list_it_references(sb, ctct, manifest, api):
    path = manifest(MANIFEST)
    plan = ctct(["plan", path, "--target", "segments:Readers"])
    assert summary_line(plan.stdout) == "Plan: 2 to add, 0 to change, 0 to destroy."
    assert '+ lists "Other list"' in plan.stdout
    assert "Newsletter" not in plan.stdout and "VIP" not in plan.stdout

    sb.reset_log()
    apply_ok(ctct, path, "--target", "segments:Readers")
    assert sorted((r.method, r.path) for r in writes(sb)) == [
        ("POST", "/v3/contact_lists"),
        ("POST", "/v3/segments"),
    ]
    list_id = sb.store().find("lists", "Other list").list_id
    seg = sb.store().find("segments", "Readers")
    criteria = json.loads(api.get(f"/segments/{seg.segment_id}").json()["segment_criteria"])
    assert criteria["criteria"]["group"][0]["group"][0]["const_value"] == list_id
    assert sb.store().find("lists", "Newsletter") is None
    assert sb.store().tags == {}


def test_exclude_of_something_a_kept_change_needs_is_refused(sb, ctct, manifest):
    path = manifest(MANIFEST)
    plan = ctct(["plan", path, "--exclude", "lists:Other list"])
    assert plan.code == 1, plan
    assert "--exclude lists:Other list leaves out a change that segments:Readers needs" in (
        plan.output
    )
    res = ctct(["apply", path, "--auto-approve", "--exclude", "lists:Other list"])
    assert res.code == 1, res
    assert writes(sb) == []
    assert sb.store().lists == {}


def test_exclude_of_an_unneeded_resource_leaves_it_out(sb, ctct, manifest):
    path = manifest(MANIFEST)
    sb.reset_log()
    apply_ok(ctct, path, "--exclude", "lists:Unrelated list", "--exclude", "tags")
    assert sorted(rec.name for rec in sb.store().lists.values()) == ["Newsletter", "Other list"]
    assert sb.store().tags == {}
    assert sb.store().find("segments", "Readers") is not None
    assert len(writes(sb)) == 3


def test_exclude_of_a_live_dependency_is_fine(sb, ctct, manifest):
    # the list already exists and is right: excluding it leaves nothing out
    sb.seed({"lists": [{"name": "Other list"}]})
    path = manifest("""
        version: 1
        lists:
          - name: Other list
        segments:
          - name: Readers
            criteria:
              version: "1.0.0"
              criteria:
                type: and
                group:
                  - {type: or, group: [{source: list_membership, field: list_id, op: contains-any, const_value: "${list:Other list}"}]}
    """)
    apply_ok(ctct, path, "--exclude", "lists:Other list")
    assert sb.store().find("segments", "Readers") is not None


def test_unknown_target_kind_is_an_error_without_requests(sb, ctct, manifest):
    path = manifest(MANIFEST)
    res = ctct(["plan", path, "--target", "widgets:Foo"])
    assert res.code == 1, res
    assert "unknown kind 'widgets'" in res.stderr
    assert sb.requests == []


def test_excluding_a_rename_keeps_the_id_a_kept_segment_needs(sb, ctct, manifest, api):
    """A left-out rename does not change the list's id, so a segment that references the list
    by its new name can still be applied, with the list's id."""
    sb.seed(
        {
            "lists": [{"name": "Old"}],
            "segments": [
                {
                    "name": "S",
                    "criteria": {"version": "1.0.0", "criteria": {"type": "and", "group": []}},
                }
            ],
        }
    )
    list_id = sb.store().find("lists", "Old").list_id
    path = manifest("""
        version: 1
        lists:
          - name: New
            renamed_from: [Old]
        segments:
          - name: S
            criteria:
              version: "1.0.0"
              criteria:
                type: and
                group:
                  - {type: or, group: [{source: list_membership, field: list_id, op: contains-any, const_value: "${list:New}"}]}
    """)
    plan = ctct(["plan", path, "--exclude", "lists:New"])
    assert plan.code == 0, plan
    assert summary_line(plan.stdout) == "Plan: 0 to add, 1 to change, 0 to destroy."
    res = ctct(["apply", path, "--exclude", "lists:New", "--auto-approve"])
    assert res.code == 0, res
    seg = sb.store().find("segments", "S")
    assert list_id in seg.segment_criteria
    assert sb.store().find("lists", "Old") is not None  # the rename was left out
    apply_ok(ctct, path)
    assert sb.store().find("lists", "New").list_id == list_id
    assert plan_is_clean(ctct, path)
