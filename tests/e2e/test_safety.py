"""Safety: replaces, protect, delete thresholds, dangling references, confirmation, saved
plans. Every refusal is decided before the first write, so each checks that nothing was
written."""

from __future__ import annotations

import json
import os
import pty
import subprocess

import pytest

from .helpers import apply_ok, plan_is_clean, summary_line, write_summary, writes

EMPTY = {"version": "1.0.0", "criteria": {"type": "and", "group": []}}


def _list_criteria(ref: str) -> dict:
    return {
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
                            "const_value": ref,
                        }
                    ],
                }
            ],
        },
    }


# -- replace ----------------------------------------------------------------------------

TYPE_CHANGE = """
    version: 1
    custom_fields:
      - label: Signup Date
        type: date
"""


def test_type_change_is_a_replace_refused_without_allow_replace(sb, ctct, manifest):
    sb.seed({"custom_fields": [{"label": "Signup Date", "type": "string"}]})
    old_id = sb.store().find("custom_fields", "Signup Date").custom_field_id
    path = manifest(TYPE_CHANGE)

    plan = ctct(["plan", path])
    assert plan.code == 1, plan
    assert '-/+ custom_fields "Signup Date"' in plan.stdout
    assert summary_line(plan.stdout) == "Plan: 1 to add, 0 to change, 1 to destroy."
    assert "--allow-replace" in plan.output

    res = ctct(["apply", path, "--auto-approve"])
    assert res.code == 1, res
    assert "--allow-replace" in res.output
    assert writes(sb) == []
    assert sb.store().get_custom_field(old_id).type == "string"


def test_type_change_replaced_with_allow_replace(sb, ctct, manifest):
    sb.seed({"custom_fields": [{"label": "Signup Date", "type": "string"}]})
    old_id = sb.store().find("custom_fields", "Signup Date").custom_field_id
    path = manifest(TYPE_CHANGE)

    res = apply_ok(ctct, path, "--allow-replace")
    assert "Apply complete! Resources: 1 added, 0 changed, 1 destroyed." in res.stdout
    assert [(m, p) for m, p, _ in write_summary(sb)] == [
        ("POST", "/v3/activities/custom_fields_delete"),
        ("POST", "/v3/contact_custom_fields"),
    ]
    new = sb.store().find("custom_fields", "Signup Date")
    assert new.type == "date"
    assert new.custom_field_id != old_id
    assert old_id not in sb.store().custom_fields
    assert len(sb.store().custom_fields) == 1
    plan_is_clean(ctct, path)


def test_protect_blocks_replace_even_with_allow_replace(sb, ctct, manifest):
    sb.seed({"custom_fields": [{"label": "Signup Date", "type": "string"}]})
    old_id = sb.store().find("custom_fields", "Signup Date").custom_field_id
    path = manifest("""
        version: 1
        custom_fields:
          - label: Signup Date
            type: date
            protect: true
    """)
    res = ctct(["apply", path, "--auto-approve", "--allow-replace"])
    assert res.code == 1, res
    assert "protected" in res.output
    assert "ctctform.yaml:3:" in res.output  # where the protected resource is declared
    assert writes(sb) == []
    assert sb.store().get_custom_field(old_id).type == "string"


# -- delete thresholds ------------------------------------------------------------------


def test_more_than_ten_deletes_need_allow_delete(sb, ctct, manifest):
    sb.seed({"tags": [{"name": f"Tag {i}"} for i in range(11)]})
    path = manifest("""
        version: 1
        prune:
          tags: true
    """)
    res = ctct(["apply", path, "--auto-approve"])
    assert res.code == 1, res
    assert "deletes 11 resources, more than the threshold of 10" in res.output
    assert "--allow-delete" in res.output
    assert writes(sb) == []
    assert len(sb.store().tags) == 11

    apply_ok(ctct, path, "--allow-delete")
    assert sb.store().tags == {}
    plan_is_clean(ctct, path)


def test_deleting_over_a_quarter_of_a_kind_needs_allow_delete(sb, ctct, manifest):
    sb.seed({"lists": [{"name": f"List {i}"} for i in range(10)]})
    kept = "\n".join(f"          - name: List {i}" for i in range(7))
    path = manifest(
        "version: 1\nlists:\n" + kept.replace("          ", "  ") + "\nprune:\n  lists: true\n"
    )
    res = ctct(["apply", path, "--auto-approve"])
    assert res.code == 1, res
    assert "deletes 3 of 10 lists" in res.output
    assert writes(sb) == []
    assert len(sb.store().lists) == 10


# -- gates acknowledged in the manifest (settings:) ------------------------------------


def test_a_replace_acknowledged_in_the_manifest_needs_no_flag_and_is_shown(sb, ctct, manifest):
    sb.seed({"custom_fields": [{"label": "Signup Date", "type": "string"}]})
    path = manifest(
        TYPE_CHANGE + "    settings:\n      allow_replace: ['custom_fields:Signup Date']\n"
    )
    plan = ctct(["plan", path])
    assert plan.code == 0, plan
    line = next(ln for ln in plan.stdout.splitlines() if ln.startswith("Acknowledged: "))
    assert line == (
        f"Acknowledged: settings.allow_replace ({path}:6) accepts replacing 1 custom_fields: "
        "'Signup Date'"
    )
    md = ctct(["plan", path, "--markdown", "plan.md"])
    assert md.code == 0, md
    text = (path.parent / "plan.md").read_text()
    assert "#### Acknowledged in the manifest\n\n- settings.allow\\_replace" in text, text
    apply_ok(ctct, path)
    assert sb.store().find("custom_fields", "Signup Date").type == "date"


def test_an_acknowledgement_names_only_what_it_covers(sb, ctct, manifest):
    sb.seed({"custom_fields": [{"label": "Signup Date", "type": "string"}]})
    path = manifest(TYPE_CHANGE + "    settings:\n      allow_replace: ['custom_fields:Other']\n")
    res = ctct(["apply", path, "--auto-approve"])
    assert res.code == 1 and "--allow-replace" in res.output, res
    assert writes(sb) == []


def test_deletes_acknowledged_per_kind_and_a_raised_threshold(sb, ctct, manifest):
    sb.seed({"tags": [{"name": f"Tag {i:02d}"} for i in range(30)]})
    sb.seed({"lists": [{"name": f"List {i}"} for i in range(12)]})
    path = manifest("""
        version: 1
        prune:
          tags: true
          lists: true
        settings:
          allow_delete: [tags]
          max_deletes: 12
          max_delete_percent: 100
    """)
    plan = ctct(["plan", path])
    assert plan.code == 0, plan
    assert (
        f"Acknowledged: settings.allow_delete ({path}:6) accepts deleting 30 tags: 'Tag 00', "
        "'Tag 01', 'Tag 02', 'Tag 03', 'Tag 04' and 25 more"
    ) in plan.stdout
    # A threshold given on the command line wins over the manifest's.
    res = ctct(["apply", path, "--auto-approve", "--max-deletes", "5"])
    assert res.code == 1 and "deletes 12 resources, more than the threshold of 5" in res.output
    assert writes(sb) == []
    apply_ok(ctct, path)
    assert sb.store().tags == {} and sb.store().lists == {}


def test_an_acknowledgement_may_name_its_resource_through_a_var(sb, ctct, manifest):
    sb.seed({"custom_fields": [{"label": "Signup Date", "type": "string"}]})
    text = TYPE_CHANGE + "    vars: {field: Signup Date}\n"
    path = manifest(text + "    settings:\n      allow_replace: ['custom_fields:${var:field}']\n")
    apply_ok(ctct, path)
    assert sb.store().find("custom_fields", "Signup Date").type == "date"


# -- dangling references ----------------------------------------------------------------


@pytest.mark.parametrize("declares_a_segment", [True, False], ids=["with-segments", "lists-only"])
def test_prune_leaving_a_kept_segment_dangling_is_a_plan_error(
    sb, ctct, manifest, declares_a_segment
):
    sb.seed(
        {
            "lists": [{"name": "Keep"}, {"name": "Old promo"}],
            "segments": [
                {"name": "Promo people", "criteria": _list_criteria("${list:Old promo}")},
                {"name": "Managed", "criteria": EMPTY},
            ],
        }
    )
    text = """
        version: 1
        lists:
          - name: Keep
        prune:
          lists: true
    """
    if declares_a_segment:
        text += """
        segments:
          - name: Managed
            criteria: {version: "1.0.0", criteria: {type: and, group: []}}
        """
    path = manifest(text)
    plan = ctct(["plan", path, "--allow-delete"])
    assert plan.code == 1, plan
    assert "segment 'Promo people' refers to list 'Old promo', which this plan deletes" in (
        plan.stderr
    ), plan
    res = ctct(["apply", path, "--auto-approve", "--allow-delete"])
    assert res.code == 1, res
    assert writes(sb) == []
    assert sb.store().find("lists", "Old promo") is not None


def test_reference_to_unknown_name_is_an_error_before_any_write(sb, ctct, manifest):
    sb.seed({"tags": [{"name": "VIP"}]})
    path = manifest("""
        version: 1
        lists:
          - name: Newsletter
        segments:
          - name: Ghost readers
            criteria:
              version: "1.0.0"
              criteria:
                type: and
                group:
                  - {type: or, group: [{source: tags, field: tag_id, op: contains-any, const_value: "${tag:Nope}"}]}
    """)
    plan = ctct(["plan", path])
    assert plan.code == 1, plan
    assert "${tag:Nope}" in plan.output
    assert "neither declared nor in the account" in plan.output
    assert "ctctform.yaml:5: segments 'Ghost readers'" in plan.output  # where it is declared
    res = ctct(["apply", path, "--auto-approve"])
    assert res.code == 1, res
    assert writes(sb) == []
    assert sb.store().find("lists", "Newsletter") is None  # not even the unrelated create


# -- confirmation -----------------------------------------------------------------------

CREATE_TAG = """
    version: 1
    tags:
      - name: VIP
"""


def test_apply_without_terminal_shows_the_plan_and_stops_there(sb, ctct_proc, manifest):
    path = manifest(CREATE_TAG)
    res = ctct_proc(["apply", path], stdin=subprocess.DEVNULL)
    assert res.code == 1, res
    assert "no terminal" in res.stderr and "--auto-approve" in res.stderr
    assert '# tags "VIP" will be created' in res.stdout
    assert res.stdout.startswith("Account: ")  # the account named first, as always
    assert "Do you want to perform these actions?" not in res.stdout
    assert writes(sb) == []
    assert sb.store().tags == {}


def test_apply_without_terminal_and_nothing_to_do_is_0(sb, ctct, ctct_proc, manifest):
    path = manifest(CREATE_TAG)
    apply_ok(ctct, path)
    sb.reset_log()
    res = ctct_proc(["apply", path], stdin=subprocess.DEVNULL, env_extra={"CI": "true"})
    assert res.code == 0, res
    assert "No changes." in res.stdout and "no terminal" not in res.stderr
    assert writes(sb) == []


def _with_tty(run, args, answer: bytes, env_extra=None):
    """Run with stdin a pseudo-terminal that already holds `answer`."""
    master, slave = pty.openpty()
    try:
        os.write(master, answer)
        return run(args, env_extra=env_extra, stdin=slave)
    finally:
        os.close(slave)
        os.close(master)


def test_apply_with_ci_set_refuses_even_on_a_terminal(sb, ctct_proc, manifest):
    path = manifest(CREATE_TAG)
    res = _with_tty(ctct_proc, ["apply", path], b"yes\n", env_extra={"CI": "1"})
    assert res.code == 1, res
    assert "CI is set" in res.stderr and "--auto-approve" in res.stderr
    assert writes(sb) == []
    assert sb.store().tags == {}


def test_apply_on_a_terminal_asks_and_no_cancels(sb, ctct_proc, manifest):
    path = manifest(CREATE_TAG)
    res = _with_tty(ctct_proc, ["apply", path], b"no\n")
    assert res.code == 1, res
    assert "Do you want to perform these actions?" in res.stdout
    assert "apply cancelled; nothing was changed" in res.stderr
    assert writes(sb) == []


def test_apply_on_a_terminal_asks_and_yes_applies(sb, ctct_proc, manifest):
    path = manifest(CREATE_TAG)
    res = _with_tty(ctct_proc, ["apply", path], b"yes\n")
    assert res.code == 0, res
    assert "Apply complete! Resources: 1 added, 0 changed, 0 destroyed." in res.stdout
    assert [t.name for t in sb.store().tags.values()] == ["VIP"]


def test_auto_approve_in_ci_applies(sb, ctct, manifest):
    path = manifest(CREATE_TAG)
    res = ctct(["apply", path, "--auto-approve"], env_extra={"CI": "true"})
    assert res.code == 0, res
    assert [t.name for t in sb.store().tags.values()] == ["VIP"]


# -- saved plans ------------------------------------------------------------------------


def test_saved_plan_applies_exactly_that_plan(sb, ctct, manifest, tmp_path):
    sb.seed({"lists": [{"name": "Newsletter", "favorite": False}], "tags": [{"name": "Old"}]})
    list_id = sb.store().find("lists", "Newsletter").list_id
    path = manifest("""
        version: 1
        lists:
          - name: Newsletter
            favorite: true
        tags:
          - name: VIP
        prune:
          tags: true
    """)
    out = tmp_path / "plan.json"
    plan = ctct(["plan", path, "--out", out, "--allow-delete"])
    assert plan.code == 0, plan
    assert summary_line(plan.stdout) == "Plan: 1 to add, 1 to change, 1 to destroy."
    saved = json.loads(out.read_text())
    assert {(c["kind"], c["key"], c["action"]) for c in saved["changes"]} == {
        ("lists", "Newsletter", "update"),
        ("tags", "VIP", "create"),
        ("tags", "Old", "delete"),
    }
    assert writes(sb) == []

    # the manifest moves on after the plan was saved; the saved plan is what gets applied
    manifest("""
        version: 1
        lists:
          - name: Newsletter
            favorite: true
          - name: Added later
        tags:
          - name: VIP
          - name: Also later
        prune:
          tags: true
    """)
    sb.reset_log()
    res = ctct(["apply", "--plan", out, "--auto-approve"])
    assert res.code == 0, res
    assert "Apply complete! Resources: 1 added, 1 changed, 1 destroyed." in res.stdout
    assert sorted(write_summary(sb)) == [
        ("POST", "/v3/activities/contacts_tags_delete", 201),
        ("POST", "/v3/contact_tags", 201),
        ("PUT", f"/v3/contact_lists/{list_id}", 200),
    ]
    store = sb.store()
    assert [t.name for t in store.tags.values()] == ["VIP"]
    assert [rec.name for rec in store.lists.values()] == ["Newsletter"]
    assert store.find("lists", "Newsletter").favorite is True


def test_saved_plan_refused_when_the_account_changed(sb, ctct, manifest, tmp_path, api):
    sb.seed({"tags": [{"name": "VIP"}]})
    path = manifest("""
        version: 1
        tags:
          - name: VIP
          - name: Webinar
    """)
    out = tmp_path / "plan.json"
    assert ctct(["plan", path, "--out", out]).code == 0

    created = api.post("/contact_tags", json={"name": "Made by hand"})
    assert created.status_code == 201, created.text
    sb.reset_log()
    res = ctct(["apply", "--plan", out, "--auto-approve"])
    assert res.code == 1, res
    assert "changed since" in res.stderr
    assert writes(sb) == []
    assert sb.store().find("tags", "Webinar") is None


def test_saved_plan_with_pending_references(sb, ctct, manifest, tmp_path, api):
    path = manifest("""
        version: 1
        lists:
          - name: Newsletter
        segments:
          - name: Readers
            criteria:
              version: "1.0.0"
              criteria:
                type: and
                group:
                  - {type: or, group: [{source: list_membership, field: list_id, op: contains-any, const_value: "${list:Newsletter}"}]}
    """)
    out = tmp_path / "plan.json"
    assert ctct(["plan", path, "--out", out]).code == 0
    res = ctct(["apply", "--plan", out, "--auto-approve"])
    assert res.code == 0, res
    list_id = sb.store().find("lists", "Newsletter").list_id
    seg = sb.store().find("segments", "Readers")
    criteria = json.loads(api.get(f"/segments/{seg.segment_id}").json()["segment_criteria"])
    assert criteria == _list_criteria(list_id)
    plan_is_clean(ctct, path)


def test_custom_field_label_colliding_with_a_kept_live_name_is_a_plan_error(sb, ctct, manifest):
    """`a b` and the live `a_b` share the API name `a_b`: the plan refuses before any write
    instead of failing with a 409 half-way; pruning the old one makes it work."""
    sb.seed({"custom_fields": [{"label": "a_b", "type": "string"}]})
    text = """
        version: 1
        custom_fields:
          - {label: a b, type: string}
    """
    plan = ctct(["plan", manifest(text), "--allow-delete"])
    assert plan.code == 1
    assert "would have the API name 'a_b', which custom field 'a_b' in the account keeps" in (
        plan.stdout + plan.stderr
    )
    res = ctct(["apply", manifest(text), "--auto-approve", "--allow-delete"])
    assert res.code == 1 and writes(sb) == []
    pruned = manifest(text.rstrip() + "\n        prune: {custom_fields: true}\n")
    apply_ok(ctct, pruned, "--allow-delete")
    assert [f.label for f in sb.store().custom_fields.values()] == ["a b"]
    assert plan_is_clean(ctct, pruned)
