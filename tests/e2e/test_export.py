"""export: the live account as a manifest, which plans clean against the same account and
rebuilds the same configuration elsewhere."""

from __future__ import annotations

import json

import yaml

from .helpers import EXAMPLES, apply_ok, plan_is_clean, writes

CLIENT = "a08e1izvh8t9"


def test_export_then_plan_is_clean(sb, ctct, tmp_path):
    sb.seed(EXAMPLES / "demo-seed.yaml")
    out = tmp_path / "exported"
    res = ctct(["export", "--out", out])
    assert res.code == 0, res
    assert sorted(p.name for p in out.iterdir()) == [
        "00-version.yaml",
        "account.yaml",  # the seed has no physical address
        "custom_fields.yaml",
        "lists.yaml",
        "segments.yaml",
        "sender_emails.yaml",
        "tags.yaml",
    ]
    assert ctct(["validate", out]).code == 0
    plan_is_clean(ctct, out)
    assert writes(sb) == []


def test_export_to_stdout_uses_references_not_ids(sb, ctct):
    sb.seed(EXAMPLES / "demo-seed.yaml")
    vip = sb.store().find("tags", "VIP").tag_id
    res = ctct(["export"])
    assert res.code == 0, res
    doc = yaml.safe_load(res.stdout)
    assert doc["version"] == 1
    assert vip not in res.stdout
    engaged = next(s for s in doc["segments"] if s["name"] == "Engaged VIPs")
    assert "${tag:VIP}" in json.dumps(engaged["criteria"])


def test_exported_account_rebuilt_in_a_client_account(sb, ctct, tmp_path):
    sb.seed(EXAMPLES / "demo-seed.yaml")
    sb.seed({"accounts": [{"encoded_account_id": CLIENT, "organization_name": "Clone"}]})
    out = tmp_path / "exported"
    # The account's own settings (its contact email, its name) are not copied to another
    # account: the contact email must be one of that account's confirmed addresses.
    kinds = "lists,tags,custom_fields,segments"
    assert ctct(["export", "--kinds", kinds, "--out", out]).code == 0
    assert not (out / "account.yaml").exists()
    apply_ok(ctct, out, "--account", CLIENT)
    plan_is_clean(ctct, out, "--account", CLIENT)
    src, dst = sb.store(), sb.store(CLIENT)
    assert sorted(r.name for r in dst.lists.values()) == sorted(r.name for r in src.lists.values())
    assert sorted(r.name for r in dst.tags.values()) == sorted(r.name for r in src.tags.values())
    seg = dst.find("segments", "Engaged VIPs")
    criteria = json.loads(seg.segment_criteria)
    assert (
        criteria["criteria"]["group"][0]["group"][0]["const_value"]
        == dst.find("tags", "VIP").tag_id
    )


def test_text_that_looks_like_a_reference_or_a_line_break_exports_as_itself(sb, ctct, tmp_path):
    """Live names and descriptions are text: a `${`, `$${` or `${var:x}` the account holds,
    and characters YAML reads as line breaks (U+0085, U+2028), come back unchanged, so a
    pruning apply of the export changes nothing."""
    odd_tags = ["Price $${promo}", "\u0085Launch", "Deal ${var:x}", "Line\u2028Two"]
    sb.seed(
        {
            "tags": [{"name": n} for n in odd_tags],
            "lists": [{"name": "Codes", "description": "Use code $${CODE} or ${tag:x}"}],
        }
    )
    out = tmp_path / "exported"
    assert ctct(["export", "--out", out, "--kinds", "tags,lists"]).code == 0
    (out / "01-prune.yaml").write_text("prune: {tags: true, lists: true}\n")
    assert ctct(["validate", out]).code == 0
    plan_is_clean(ctct, out)
    res = ctct(["apply", out, "--auto-approve"])
    assert res.code == 0, res
    assert writes(sb) == []
    assert sorted(t.name for t in sb.store().tags.values()) == sorted(odd_tags)


def test_criteria_naming_resources_with_a_tab_or_a_quote_export_and_plan_clean(sb, ctct, tmp_path):
    names = ["A\tB", 'Q"uote']
    rules = [
        {"source": "tags", "field": "tag_id", "op": "contains-any", "const_value": f"${{tag:{n}}}"}
        for n in names
    ]
    criteria = {
        "version": "1.0.0",
        "criteria": {"type": "and", "group": [{"type": "or", "group": rules}]},
    }
    sb.seed(
        {"tags": [{"name": n} for n in names], "segments": [{"name": "S", "criteria": criteria}]}
    )
    out = tmp_path / "exported"
    res = ctct(["export", "--out", out, "--kinds", "tags,segments"])
    assert res.code == 0, res
    text = (out / "segments.yaml").read_text()
    assert "${tag:A\\tB}" in text or "${tag:A\\\\tB}" in text  # a reference, not an id
    plan_is_clean(ctct, out)
