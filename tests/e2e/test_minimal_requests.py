"""The fewest requests: what a no-op plan reads, what an update writes, how deletes batch."""

from __future__ import annotations

from collections import Counter

from .helpers import apply_ok, calls, count, plan_is_clean, summary_line, write_summary, writes

EMPTY = {"version": "1.0.0", "criteria": {"type": "and", "group": []}}

SEED = {
    "lists": [{"name": "Newsletter", "description": "Monthly", "favorite": True}],
    "tags": [{"name": "VIP"}],
    "custom_fields": [{"label": "Signup Date", "type": "date"}],
    "segments": [
        {
            "name": "Engaged VIPs",
            "criteria": {
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
                                    "const_value": "${tag:VIP}",
                                }
                            ],
                        }
                    ],
                },
            },
        },
        {"name": "Everyone", "criteria": EMPTY},
        {"name": "Not managed 1", "criteria": EMPTY},
        {"name": "Not managed 2", "criteria": EMPTY},
    ],
}

MANIFEST = """
    version: 1
    lists:
      - name: Newsletter
        description: Monthly
        favorite: true
    tags:
      - name: VIP
    custom_fields:
      - label: Signup Date
        type: date
    segments:
      - name: Engaged VIPs
        criteria:
          version: "1.0.0"
          criteria:
            type: and
            group:
              - {type: or, group: [{source: tags, field: tag_id, op: contains-any, const_value: "${tag:VIP}"}]}
      - name: Everyone
        criteria: {version: "1.0.0", criteria: {type: and, group: []}}
"""


def test_noop_plan_reads_collections_and_one_detail_per_managed_segment(sb, ctct, manifest):
    sb.seed(SEED)
    managed = [sb.store().find("segments", n).segment_id for n in ("Engaged VIPs", "Everyone")]
    path = manifest(MANIFEST)

    res = ctct(["plan", path, "--detailed-exitcode"])
    assert res.code == 0, res
    assert "No changes." in res.stdout
    expected = Counter(
        {
            ("GET", "/v3/account/summary"): 1,  # the account, named first
            ("GET", "/v3/contact_lists"): 1,
            ("GET", "/v3/contact_tags"): 1,
            ("GET", "/v3/contact_custom_fields"): 1,
            ("GET", "/v3/segments"): 1,
            **{("GET", f"/v3/segments/{i}"): 1 for i in managed},
        }
    )
    assert calls(sb) == expected
    assert res.stdout.rstrip().endswith("API requests: 7 (7 reads, 0 writes)")


def test_warm_cache_repeat_plan_reads_only_collections_and_edited_segments(sb, ctct, manifest, api):
    sb.seed(SEED)
    path = manifest(MANIFEST)
    first = ctct(["plan", path])
    assert first.code == 0, first

    # someone edits one managed segment in the web UI: only that one is read again
    everyone = sb.store().find("segments", "Everyone").segment_id
    r = api.put(
        f"/segments/{everyone}",
        json={
            "name": "Everyone",
            "segment_criteria": '{"version":"1.0.0","criteria":{"type":"and","group":['
            '{"source":"contact","field":"first_name","op":"eq","const_value":"x"}]}}',
        },
    )
    assert r.status_code == 200, r.text
    sb.reset_log()
    second = ctct(["plan", path, "--detailed-exitcode"])
    assert second.code == 2, second
    assert calls(sb) == Counter(
        {
            ("GET", "/v3/account/summary"): 1,
            ("GET", "/v3/contact_lists"): 1,
            ("GET", "/v3/contact_tags"): 1,
            ("GET", "/v3/contact_custom_fields"): 1,
            ("GET", "/v3/segments"): 1,
            ("GET", f"/v3/segments/{everyone}"): 1,
        }
    )
    assert summary_line(second.stdout) == "Plan: 0 to add, 1 to change, 0 to destroy."

    # the drift is put back; the next plan is clean and reads the one edited segment only
    apply_ok(ctct, path)
    sb.reset_log()
    plan_is_clean(ctct, path)
    assert [p for (m, p) in calls(sb) if p.startswith("/v3/segments/")] == [
        f"/v3/segments/{everyone}"
    ]


def test_list_update_put_keeps_undeclared_description(sb, ctct, manifest):
    sb.seed({"lists": [{"name": "Newsletter", "description": "Set in the UI", "favorite": False}]})
    list_id = sb.store().find("lists", "Newsletter").list_id
    path = manifest("""
        version: 1
        lists:
          - name: Newsletter
            favorite: true
    """)
    plan = ctct(["plan", path])
    assert summary_line(plan.stdout) == "Plan: 0 to add, 1 to change, 0 to destroy."
    assert "description" not in plan.stdout
    sb.reset_log()
    apply_ok(ctct, path)
    assert write_summary(sb) == [("PUT", f"/v3/contact_lists/{list_id}", 200)]
    rec = sb.store().get_list(list_id)
    assert rec.favorite is True
    assert rec.description == "Set in the UI"
    plan_is_clean(ctct, path)


def test_segment_name_only_change_uses_patch_name(sb, ctct, manifest):
    sb.seed({"segments": [{"name": "Engaged", "criteria": EMPTY}]})
    seg_id = sb.store().find("segments", "Engaged").segment_id
    path = manifest("""
        version: 1
        segments:
          - name: Engaged readers
            renamed_from: [Engaged]
            criteria: {version: "1.0.0", criteria: {type: and, group: []}}
    """)
    sb.reset_log()
    apply_ok(ctct, path)
    assert [(r.method, r.path) for r in writes(sb)] == [("PATCH", f"/v3/segments/{seg_id}/name")]
    assert count(sb, "PUT", f"/v3/segments/{seg_id}") == 0
    assert sb.store().get_segment(seg_id).name == "Engaged readers"


def test_segment_rename_and_criteria_change_is_one_put(sb, ctct, manifest):
    sb.seed({"tags": [{"name": "VIP"}], "segments": [{"name": "Engaged", "criteria": EMPTY}]})
    seg_id = sb.store().find("segments", "Engaged").segment_id
    path = manifest("""
        version: 1
        segments:
          - name: Engaged VIPs
            renamed_from: [Engaged]
            criteria:
              version: "1.0.0"
              criteria:
                type: and
                group:
                  - {type: or, group: [{source: tags, field: tag_id, op: contains-any, const_value: "${tag:VIP}"}]}
    """)
    sb.reset_log()
    apply_ok(ctct, path)
    assert write_summary(sb) == [("PUT", f"/v3/segments/{seg_id}", 200)]
    assert sb.store().get_segment(seg_id).name == "Engaged VIPs"
    plan_is_clean(ctct, path)


def test_prune_250_tags_is_one_bulk_activity_and_waits(sb, ctct, manifest):
    sb.settings.activity_polls = 1  # the activity is still processing at the first poll
    sb.seed({"tags": [{"name": "Keep"}] + [{"name": f"Old tag {i:03}"} for i in range(250)]})
    path = manifest("""
        version: 1
        tags:
          - name: Keep
        prune:
          tags: true
    """)
    refused = ctct(["apply", path, "--auto-approve"])
    assert refused.code == 1, refused
    assert writes(sb) == []

    sb.reset_log()
    res = apply_ok(ctct, path, "--allow-delete")
    assert "Apply complete! Resources: 0 added, 0 changed, 250 destroyed." in res.stdout
    assert write_summary(sb) == [("POST", "/v3/activities/contacts_tags_delete", 201)]
    # the apply returned only once the activity had completed: the tags are gone now
    assert [t.name for t in sb.store().tags.values()] == ["Keep"]
    activity_polls = [r for r in sb.requests if r.path.startswith("/v3/activities/")]
    assert sum(r.method == "GET" for r in activity_polls) == 2
    plan_is_clean(ctct, path)


def test_prune_150_lists_is_two_bulk_activities(sb, ctct, manifest):
    sb.seed({"lists": [{"name": "Keep"}] + [{"name": f"Old list {i:03}"} for i in range(150)]})
    path = manifest("""
        version: 1
        lists:
          - name: Keep
        prune:
          lists: true
    """)
    plan = ctct(["plan", path])
    assert plan.code == 1, plan
    assert summary_line(plan.stdout) == "Plan: 0 to add, 0 to change, 150 to destroy."
    assert "--allow-delete" in plan.output

    sb.reset_log()
    apply_ok(ctct, path, "--allow-delete")
    assert write_summary(sb) == [
        ("POST", "/v3/activities/list_delete", 201),
        ("POST", "/v3/activities/list_delete", 201),
    ]
    assert [rec.name for rec in sb.store().lists.values()] == ["Keep"]
    plan_is_clean(ctct, path)


def test_prune_custom_fields_in_one_activity(sb, ctct, manifest):
    sb.seed({"custom_fields": [{"label": f"Field {i}", "type": "string"} for i in range(12)]})
    path = manifest("""
        version: 1
        custom_fields:
          - label: Field 0
            type: string
        prune:
          custom_fields: true
    """)
    sb.reset_log()
    apply_ok(ctct, path, "--allow-delete")
    assert write_summary(sb) == [("POST", "/v3/activities/custom_fields_delete", 201)]
    assert [f.label for f in sb.store().custom_fields.values()] == ["Field 0"]
    plan_is_clean(ctct, path)
