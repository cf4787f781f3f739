"""Output formats: JSON, Markdown, the text plan's last line, exit codes."""

from __future__ import annotations

import json
import re

import jsonschema

from ctctform.planfile import PLAN_SCHEMA_PATH, plan_schema

from .helpers import EXAMPLES, apply_ok, reads, v3, writes

SEED = EXAMPLES / "demo-seed.yaml"
BASIC = EXAMPLES / "basic"


def test_plan_json_is_the_only_thing_on_stdout(sb, ctct):
    sb.seed(SEED)
    res = ctct(["plan", BASIC, "--json"])
    assert res.code == 0, res
    doc = json.loads(res.stdout)  # nothing but the document on stdout
    for key in ("format_version", "fingerprint", "summary", "changes", "api_requests"):
        assert key in doc, key
    assert doc["format_version"] == 2
    assert doc["fingerprint"].startswith("sha256:")
    assert doc["summary"]["add"] == 5
    assert doc["summary"]["change"] == 5
    assert doc["summary"]["destroy"] == 2
    actions = {(c["kind"], c["key"]): c["action"] for c in doc["changes"]}
    assert actions[("lists", "Customers")] == "rename"
    assert actions[("tags", "Temp import 2024")] == "delete"
    assert actions[("segments", "Attendees without a purchase")] == "create"
    assert len(doc["changes"]) == 12
    rename = next(c for c in doc["changes"] if c["key"] == "Customers")
    assert rename["renamed_from"] == "Buyers"
    assert rename["id"] == sb.store().find("lists", "Buyers").list_id
    update = next(c for c in doc["changes"] if c["key"] == "Newsletter")
    assert update["fields"]["favorite"] == {"before": False, "after": True}
    # the request accounting matches what the sandbox saw
    assert doc["api_requests"]["total"] == len(v3(sb))
    assert doc["api_requests"]["reads"] == len(reads(sb))
    assert doc["api_requests"]["writes"] == 0 == len(writes(sb))


def test_plan_json_with_detailed_exitcode_and_out(sb, ctct, tmp_path):
    sb.seed(SEED)
    out = tmp_path / "plan.json"
    res = ctct(["plan", BASIC, "--json", "--detailed-exitcode", "--out", out])
    assert res.code == 2, res
    printed = json.loads(res.stdout)
    saved = json.loads(out.read_text())
    assert saved["fingerprint"] == printed["fingerprint"]
    assert saved["changes"] == printed["changes"]
    assert "Saved the plan" in res.stderr  # the notice does not spoil the JSON


def test_a_saved_plan_validates_against_the_committed_plan_schema(sb, ctct, tmp_path):
    sb.seed(SEED)
    res = ctct(["plan", BASIC, "--out", tmp_path / "plan.json"])
    assert res.code == 0, res
    committed = json.loads(PLAN_SCHEMA_PATH.read_text(encoding="utf-8"))
    assert committed == plan_schema()  # `make schemas` rewrites it
    doc = json.loads((tmp_path / "plan.json").read_text())
    jsonschema.Draft7Validator(committed).validate(doc)
    assert {c["action"] for c in doc["changes"]} >= {"create", "rename", "update", "delete"}
    printed = ctct(["schema", "--for", "plan"])
    assert json.loads(printed.stdout) == committed


def test_plan_markdown_summary(sb, ctct, tmp_path):
    sb.seed(SEED)
    md = tmp_path / "plan.md"
    res = ctct(["plan", BASIC, "--markdown", md])
    assert res.code == 0, res
    text = md.read_text()
    assert text.startswith("### ctctform plan: Sandbox Organization (`a07e1l8cdif9`)\n")
    assert "| add | change | destroy | replace |" in text
    assert "| 5 | 5 | 2 | 0 |" in text
    assert "```diff" in text
    assert '- tags "Temp import 2024"' in text
    assert '+ lists "Event attendees"' in text
    assert ":warning:" in text  # the list left alone
    assert re.search(r"API requests: \d+ \(\d+ reads, 0 writes\)", text)


def test_plan_markdown_when_clean(sb, ctct, tmp_path):
    sb.seed(SEED)
    apply_ok(ctct, BASIC)
    md = tmp_path / "clean.md"
    res = ctct(["plan", BASIC, "--markdown", md])
    assert res.code == 0, res
    assert "No changes. The account matches the manifest." in md.read_text()


def test_text_plan_ends_with_request_count(sb, ctct):
    sb.seed(SEED)
    res = ctct(["plan", BASIC])
    assert res.code == 0, res
    last = res.stdout.rstrip("\n").splitlines()[-1]
    n = len(v3(sb))
    assert last == f"API requests: {n} ({n} reads, 0 writes)"


def test_apply_ends_with_request_count(sb, ctct):
    sb.seed(SEED)
    res = apply_ok(ctct, BASIC)
    last = res.stdout.rstrip("\n").splitlines()[-1]
    n, w = len(v3(sb)), len(writes(sb))
    assert last == f"API requests: {n} ({n - w} reads, {w} writes)"


def test_detailed_exitcode(sb, ctct):
    sb.seed(SEED)
    with_changes = ctct(["plan", BASIC, "--detailed-exitcode"])
    assert with_changes.code == 2, with_changes
    without_flag = ctct(["plan", BASIC])
    assert without_flag.code == 0, without_flag
    apply_ok(ctct, BASIC)
    clean = ctct(["plan", BASIC, "--detailed-exitcode"])
    assert clean.code == 0, clean
    assert "No changes." in clean.stdout


def test_detailed_exitcode_from_the_installed_command(sb, ctct, ctct_proc):
    sb.seed(SEED)
    res = ctct_proc(["plan", BASIC, "--detailed-exitcode"])
    assert res.code == 2, res
    assert "Plan: 5 to add, 5 to change, 2 to destroy." in res.stdout
    assert "\x1b[" not in res.stdout  # no colour when stdout is not a terminal
    apply_ok(ctct, BASIC)
    res = ctct_proc(["plan", BASIC, "--detailed-exitcode"])
    assert res.code == 0, res


def test_plan_with_errors_exits_1_even_with_detailed_exitcode(sb, ctct, manifest):
    sb.seed({"custom_fields": [{"label": "Signup Date", "type": "string"}]})
    path = manifest("version: 1\ncustom_fields:\n  - label: Signup Date\n    type: date\n")
    res = ctct(["plan", path, "--detailed-exitcode"])
    assert res.code == 1, res


def test_plan_json_with_errors_is_still_json(sb, ctct, manifest):
    sb.seed({"custom_fields": [{"label": "Signup Date", "type": "string"}]})
    path = manifest("version: 1\ncustom_fields:\n  - label: Signup Date\n    type: date\n")
    res = ctct(["plan", path, "--json"])
    assert res.code == 1, res
    doc = json.loads(res.stdout)
    assert doc["changes"][0]["action"] == "replace"
    assert any("--allow-replace" in e for e in doc["errors"])


def test_plan_with_errors_is_never_saved(sb, ctct, manifest, tmp_path):
    sb.seed({"custom_fields": [{"label": "Signup Date", "type": "string"}]})
    path = manifest("version: 1\ncustom_fields:\n  - label: Signup Date\n    type: date\n")
    out = tmp_path / "plan.json"
    res = ctct(["plan", path, "--out", out])
    assert res.code == 1, res
    assert not out.exists()


def test_refresh_only_reports_drift_and_saves_nothing(sb, ctct, manifest, tmp_path):
    sb.seed({"tags": [{"name": "VIP"}]})
    path = manifest("""
        version: 1
        tags:
          - name: VIP
          - name: Gold
    """)
    res = ctct(["plan", str(path), "--refresh-only", "--detailed-exitcode"])
    assert res.code == 2, res
    assert res.stdout.startswith("Account: ")  # named before anything else
    assert "Drift: the account differs from the manifest as follows." in res.stdout
    assert "will perform the following actions" not in res.stdout
    assert "nothing will be changed" in res.stdout
    assert '+ tags "Gold"' in res.stdout
    out = tmp_path / "p.json"
    refused = ctct(["plan", str(path), "--refresh-only", "--out", str(out)])
    assert refused.code == 1 and "--refresh-only" in refused.stderr
    assert not out.exists()
    assert [r.method for r in sb.requests if r.method != "GET"] == []
