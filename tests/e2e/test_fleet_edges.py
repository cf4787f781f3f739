"""Fleet runs at their edges: overlays beside partner-level webhooks, --target/--exclude at
the partner level, a billing plan as the only change, exact request counts per account, a
segment cache per account, resuming, secrets needed only to create, variable order, and the
Markdown comment of a fleet plan."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from .test_fleet import BASELINE, SYNC, _seed_accounts

HOOKS = "/v3/partner/webhooks/subscriptions"
PARTNER = "/v3/partner/accounts"
WEBHOOKS = """
webhooks:
  - topic: billing_tier_upgrade
    hook_uri: https://hooks.example.com/ctct/billing
"""
OVERLAY = "version: 1\ntags:\n  - name: Overlay tag\n"
PROVISION = """
  - login_name: hanks_fruit
    provision:
      contact_email: owner@hanks.example
      country_code: US
      state_code: MA
      organization_name: Hanks Fresh Fruit
      password: ${env:HANKS_PASSWORD}
""".lstrip("\n")


def _fleet(tmp_path: Path, accounts: str = "", baseline_extra: str = "", head: str = "") -> Path:
    (tmp_path / "baseline").mkdir(exist_ok=True)
    (tmp_path / "baseline" / "ctctform.yaml").write_text(BASELINE + baseline_extra)
    text = "version: 1\nmanifests: [baseline/]\nselect: {account_type: all}\n" + head
    if accounts:
        text += "accounts:\n" + accounts
    path = tmp_path / "fleet.yaml"
    path.write_text(text)
    return path


def _overlay(tmp_path: Path, text: str = OVERLAY) -> str:
    (tmp_path / "overlay.yaml").write_text(text)
    return "overlay.yaml"


def _rows(report: Path) -> dict[str, dict]:
    return {a["key"]: a for a in json.loads(report.read_text())["accounts"]}


def _hook_writes(sb) -> list:
    return [r for r in sb.requests if r.path.startswith(HOOKS) and r.method != "GET"]


def test_an_overlay_beside_baseline_webhooks_is_fine_and_webhooks_in_one_are_located(
    sb, ctct, tmp_path
):
    ids = _seed_accounts(sb, 2)
    entry = f"  - encoded_account_id: {ids[0]}\n    manifests: [{_overlay(tmp_path)}]\n"
    fleet = _fleet(tmp_path, entry, WEBHOOKS)
    report = tmp_path / "r.json"
    res = ctct(["apply", "--fleet", fleet, "--auto-approve", "--report", report])
    assert res.code == 0, res
    rows = _rows(report)
    assert rows[ids[0]]["result"] == "applied" and rows["partner"]["result"] == "applied"
    assert sb.store(ids[0]).find("tags", "Overlay tag") is not None
    assert len(_hook_writes(sb)) == 1  # the subscription, once, at the partner level

    _overlay(tmp_path, OVERLAY + WEBHOOKS.replace("billing_tier_upgrade", "account_disabled"))
    bad = ctct(["plan", "--fleet", fleet, "--report", report])
    assert bad.code == 1, bad
    failed = _rows(report)[ids[0]]
    assert failed["result"] == "failed"
    assert "overlay.yaml:6: webhooks are partner-level" in failed["summary"], failed
    assert _rows(report)[ids[1]]["result"] == "no changes"
    check = ctct(["validate", "--fleet", fleet])
    assert check.code == 1 and "overlay.yaml:6: webhooks are partner-level" in check.stderr


def test_target_and_exclude_reach_the_partner_level(sb, ctct, tmp_path):
    ids = _seed_accounts(sb, 2)
    fleet = _fleet(tmp_path, baseline_extra=WEBHOOKS)
    report = tmp_path / "r.json"

    res = ctct(["apply", "--fleet", fleet, "--auto-approve", "--exclude", "webhooks"])
    assert res.code == 0, res
    assert _hook_writes(sb) == [] and "partner level" not in res.stdout
    assert all(sb.store(i).find("segments", "VIP customers") for i in ids)

    plan = ctct(["plan", "--fleet", fleet, "--report", report])
    partner = _rows(report)["partner"]
    assert partner["result"] == "changes" and "partial" not in (partner["plan"] or ""), plan

    sb.reset_log()
    only = ctct(["apply", "--fleet", fleet, "--auto-approve", "--target", "webhooks"])
    assert only.code == 0, only
    assert len(_hook_writes(sb)) == 1
    assert not any(r.path.endswith(SYNC) for r in sb.requests)  # no account was touched
    assert not any(r.path == "/v3/partner/accounts" for r in sb.requests)  # nor listed


def test_a_target_that_leaves_nothing_at_all_says_so(sb, ctct, tmp_path):
    _seed_accounts(sb, 2)
    fleet = _fleet(tmp_path)  # a baseline without webhooks
    res = ctct(["plan", "--fleet", fleet, "--target", "webhooks"])
    assert res.code == 0, res
    assert (
        "Warning: --target webhooks leaves only the partner level, and the fleet's baseline "
        "declares no webhooks: nothing to plan"
    ) in res.stdout
    assert not any(r.path == SYNC or r.path.endswith(SYNC) for r in sb.requests)


def test_a_billing_plan_alone_is_a_change_planned_applied_and_then_gone(sb, ctct, tmp_path):
    (ident,) = _seed_accounts(sb, 1)
    ctct(["apply", "--fleet", _fleet(tmp_path), "--auto-approve"])  # converge the manifest
    entry = f"  - encoded_account_id: {ident}\n    plan: {{plan_type: GOLD}}\n"
    fleet = _fleet(tmp_path, entry)
    report = tmp_path / "plan.json"
    res = ctct(["plan", "--fleet", fleet, "--detailed-exitcode", "--report", report])
    assert res.code == 2, res
    row = _rows(report)[ident]
    assert row["result"] == "changes" and row["billing_plan"] == "GOLD", row
    assert row["summary"] == "billing plan GOLD to set"

    applied = tmp_path / "apply.json"
    res = ctct(["apply", "--fleet", fleet, "--auto-approve", "--report", applied])
    assert res.code == 0, res
    row = _rows(applied)[ident]
    assert row["result"] == "applied" and row["summary"] == "billing plan GOLD set", row
    assert sb.partner.accounts[ident].plan_type == "GOLD"
    again = ctct(["plan", "--fleet", fleet, "--detailed-exitcode"])
    assert again.code == 0, again


def test_each_row_counts_exactly_the_requests_made_for_it(sb, ctct, tmp_path):
    ids = _seed_accounts(sb, 3)
    sb.faults.replace(
        "GET",
        "/v3/contact_tags",
        account=ids[1],
        status=400,
        body=[{"error_key": "contacts.api.bad.request", "error_message": "refused"}],
    )
    plan_entry = f"  - encoded_account_id: {ids[2]}\n    plan: {{plan_type: GOLD}}\n"
    fleet = _fleet(tmp_path, PROVISION + plan_entry, WEBHOOKS)
    report = tmp_path / "r.json"
    res = ctct(
        ["apply", "--fleet", fleet, "--auto-approve", "--report", report],
        env_extra={"HANKS_PASSWORD": "Hanks-pa55-word"},
    )
    assert res.code == 1, res  # ids[1] failed
    rows = _rows(report)
    created = next(a for a in sb.partner.accounts.values() if a.site_owner_name == "hanks_fruit")
    sent = Counter()
    for r in sb.requests:
        if r.path.startswith("/v3/partner/accounts/"):
            sent[r.path.split("/")[4]] += 1  # sync wrappers and billing plan calls
    for ident in ids:
        assert rows[ident]["requests"] == sent[ident], (ident, rows[ident], sent)
    assert rows[ids[1]]["result"] == "failed" and rows[ids[1]]["requests"] > 0
    # The created account's row also counts the create itself.
    creates = [r for r in sb.requests if r.method == "POST" and r.path == "/v3/partner/accounts"]
    assert len(creates) == 1
    assert rows["login:hanks_fruit"]["requests"] == sent[created.encoded_account_id] + 1
    hooks = [r for r in sb.requests if r.path.startswith(HOOKS)]
    assert rows["partner"]["requests"] == len(hooks)
    listing = [r for r in sb.requests if r.method == "GET" and r.path == "/v3/partner/accounts"]
    doc = json.loads(report.read_text())
    assert doc["totals"]["listing_requests"] == len(listing)
    # Every request on the wire (the sandbox also logs each wrapped one, with its account).
    wire = [r for r in sb.requests if r.path.startswith("/v3/") and r.account is None]
    assert doc["totals"]["requests"] == len(wire)


def test_each_account_keeps_its_own_segment_cache(sb, ctct, tmp_path):
    ids = _seed_accounts(sb, 4)
    fleet = _fleet(tmp_path)
    assert ctct(["apply", "--fleet", fleet, "--auto-approve"]).code == 0
    assert ctct(["plan", "--fleet", fleet]).code == 0  # fills every account's cache
    sb.reset_log()
    assert ctct(["plan", "--fleet", fleet]).code == 0
    details = [
        r for i in ids for r in sb.requests if r.account == i and r.path.startswith("/v3/segments/")
    ]
    assert details == []  # nothing was edited: every criteria came from the cache


def test_a_resumed_report_keeps_the_earlier_rows_partner_level_included(sb, ctct, tmp_path):
    ids = _seed_accounts(sb, 3)
    fleet = _fleet(tmp_path, baseline_extra=WEBHOOKS)
    sb.faults.replace("GET", "/v3/contact_tags", account=ids[0], status=503, times=20)
    first = tmp_path / "first.json"
    assert ctct(["apply", "--fleet", fleet, "--auto-approve", "--report", first]).code == 1
    assert _rows(first)[ids[0]]["result"] == "failed"
    sb.faults.clear()
    sb.reset_log()
    second = tmp_path / "second.json"
    res = ctct(["apply", "--fleet", fleet, "--auto-approve", "--resume", first, "--report", second])
    assert res.code == 0, res
    rows = _rows(second)
    assert rows[ids[0]]["result"] == "applied" and not rows[ids[0]]["resumed"]
    assert rows["partner"]["resumed"] and rows[ids[1]]["resumed"] and rows[ids[2]]["resumed"]
    assert [r for r in sb.requests if r.path.startswith(HOOKS)] == []
    synced = {r.path.split("/")[4] for r in sb.requests if r.path.endswith(SYNC)}
    assert synced == {ids[0]}
    # The second report is whole: resuming from it again has nothing left to do.
    sb.reset_log()
    third = ctct(["apply", "--fleet", fleet, "--auto-approve", "--resume", second])
    assert third.code == 0, third
    assert not any(r.path.endswith(SYNC) for r in sb.requests)


def test_the_password_is_needed_only_to_create_the_account(sb, ctct, tmp_path):
    _seed_accounts(sb, 1)
    fleet = _fleet(tmp_path, PROVISION)
    unset = {"HANKS_PASSWORD": None}
    assert ctct(["validate", "--fleet", fleet], env_extra=unset).code == 0
    plan = ctct(["plan", "--fleet", fleet, "--detailed-exitcode"], env_extra=unset)
    assert plan.code == 2, plan
    assert "fleet.yaml:11: provision.password: ${env:HANKS_PASSWORD} is not set" in plan.stdout
    report = tmp_path / "r.json"
    res = ctct(["apply", "--fleet", fleet, "--auto-approve", "--report", report], env_extra=unset)
    assert res.code == 1, res
    rows = _rows(report)
    assert rows["login:hanks_fruit"]["result"] == "failed"
    assert (
        "fleet.yaml:11: provision.password: ${env:HANKS_PASSWORD} is not set"
        in (rows["login:hanks_fruit"]["summary"])
    )
    assert not any(r.method == "POST" and r.path == "/v3/partner/accounts" for r in sb.requests)
    assert all(a["result"] == "applied" for k, a in rows.items() if not k.startswith("login:"))


def test_a_provisioning_503_is_queued_by_the_api_so_it_is_never_posted_again(sb, ctct, tmp_path):
    """POST /partner/accounts (spec): on a 503 "the client account provision data is stored
    and processed when provisioning becomes available": a second POST could make a second
    account, so that entry fails saying so, and the others go on."""
    _seed_accounts(sb, 2)
    fleet = _fleet(tmp_path, PROVISION)
    sb.faults.replace("POST", "/v3/partner/accounts", status=503, times=1)
    report = tmp_path / "r.json"
    env = {"HANKS_PASSWORD": "Hanks-Pa55word"}
    res = ctct(["apply", "--fleet", fleet, "--auto-approve", "--report", report], env_extra=env)
    assert res.code == 1, res
    rows = _rows(report)
    assert rows["login:hanks_fruit"]["result"] == "failed"
    assert "queued the account 'hanks_fruit'" in rows["login:hanks_fruit"]["summary"]
    assert [r.status for r in sb.requests if (r.method, r.path) == ("POST", PARTNER)] == [503]
    assert all(a["result"] == "applied" for k, a in rows.items() if not k.startswith("login:"))


@pytest.mark.parametrize(
    "answer", [{"body": {}}, {"raw": b"<html>created</html>"}], ids=["no-id", "not-json"]
)
def test_a_create_answered_without_its_id_is_found_by_login_not_failed(sb, ctct, tmp_path, answer):
    _seed_accounts(sb, 1)
    fleet = _fleet(tmp_path, PROVISION)
    sb.faults.replace("POST", PARTNER, status=201, commit=True, times=1, **answer)
    report = tmp_path / "r.json"
    env = {"HANKS_PASSWORD": "Hanks-Pa55word"}
    res = ctct(["apply", "--fleet", fleet, "--auto-approve", "--report", report], env_extra=env)
    assert res.code == 0, res
    assert _rows(report)["login:hanks_fruit"]["result"] == "provisioned"
    assert [r.method for r in sb.requests if r.path == PARTNER].count("POST") == 1


def test_variables_fleet_then_builtins_then_entry_then_command_line(sb, ctct, tmp_path):
    ids = _seed_accounts(sb, 2)
    head = "vars: {organization_name: Fleet default, region: Fleet region}\n"
    entry = f"  - encoded_account_id: {ids[1]}\n    vars: {{region: Entry region}}\n"
    fleet = _fleet(tmp_path, entry, head=head)
    assert ctct(["apply", "--fleet", fleet, "--auto-approve"]).code == 0
    first = sb.store(ids[0]).find("lists", "Client 00 news")  # the built-in wins
    assert first is not None and first.description == "For Fleet region"
    second = sb.store(ids[1]).find("lists", "Client 01 news")
    assert second is not None and second.description == "For Entry region"
    res = ctct(["plan", "--fleet", fleet, "--var", "region=Command line", "--detailed-exitcode"])
    assert res.code == 2 and res.stdout.count('"For Command line"') == 2, res


def test_the_fleet_plan_as_one_markdown_comment(sb, ctct, tmp_path):
    ids = _seed_accounts(sb, 30)
    sb.add_client_account("unmanaged01", organization_name="<b>Referred</b> | Co", managed=False)
    fleet = _fleet(tmp_path)
    md = tmp_path / "fleet.md"
    res = ctct(["plan", "--fleet", fleet, "--markdown", md, "--detailed-exitcode"])
    assert res.code == 2, res
    text = md.read_text()
    assert len(text) <= 65_000
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    kinds = [t.type for t in tokens]
    assert "table_open" in kinds and kinds.count("html_block") >= 2 * 20
    heading = text.splitlines()[0]
    assert heading.startswith("### ctctform fleet plan: ") and "fleet.yaml" in heading
    assert all(f"`{i}`" in text for i in ids)  # every account with changes has a row
    assert "<b>Referred</b>" not in text  # names are escaped, never HTML

    small = tmp_path / "small.md"
    from ctctform.fleet.markdown import render_fleet_markdown
    from ctctform.fleet.report import AccountResult, Report

    report = Report("plan", "fleet.yaml", None, None)
    for i in range(400):
        row = AccountResult(f"a{i:04d}", f"a{i:04d}", f"Org {i}", result="changes")
        row.plan = "\n".join(f'  + tags "T{j}"' for j in range(40))
        report.add(row)
    small.write_text(render_fleet_markdown(report))
    cut = small.read_text()
    assert len(cut) <= 65_000 and "Cut to fit one comment" in cut
    assert "`a0000`" in cut


def test_accounts_start_as_their_page_of_the_listing_arrives(sb, ctct, tmp_path):
    """120 managed accounts are three pages of 50; the second page takes 1.5 s to come: by
    then the first page's accounts are already being planned."""
    ids = _seed_accounts(sb, 120)

    def slow(request, real):
        time.sleep(1.5)
        return real

    sb.faults.replace("GET", "/v3/partner/accounts", after=1, times=1, commit=True, respond=slow)
    report = tmp_path / "r.json"
    res = ctct(["plan", "--fleet", _fleet(tmp_path), "--report", report])
    assert res.code == 0, res
    log = [r for r in sb.requests if r.account is None]
    second_page = [i for i, r in enumerate(log) if r.path == "/v3/partner/accounts"][1]
    first_sync = next(i for i, r in enumerate(log) if r.path.endswith(SYNC))
    assert first_sync < second_page, "no account started before the listing ended"
    assert {k for k in _rows(report)} == set(ids)
    # three managed pages, then (`account_type: all`) the three pages of every account
    assert json.loads(report.read_text())["totals"]["listing_requests"] == 6


def test_no_billing_plan_is_set_for_a_broken_account_or_a_partial_run(sb, ctct, tmp_path):
    (ident,) = _seed_accounts(sb, 1)
    overlay = _overlay(
        tmp_path, OVERLAY + WEBHOOKS.replace("billing_tier_upgrade", "account_disabled")
    )
    entry = f"  - encoded_account_id: {ident}\n    manifests: [{overlay}]\n    plan: {{plan_type: GOLD}}\n"
    fleet = _fleet(tmp_path, entry)
    res = ctct(["apply", "--fleet", fleet, "--auto-approve"])
    assert res.code == 1 and "webhooks are partner-level" in res.stdout, res
    assert sb.partner.accounts[ident].plan_type != "GOLD"  # the broken account got no write

    _overlay(tmp_path)  # fixed
    res = ctct(["apply", "--fleet", fleet, "--auto-approve", "--target", "tags"])
    assert res.code == 0, res
    assert sb.partner.accounts[ident].plan_type != "GOLD"  # --target names no billing plan
    assert not [r for r in sb.requests if r.path.endswith("/plan") and r.method == "PUT"]


def test_a_report_resumes_only_its_own_shard(sb, ctct, tmp_path):
    _seed_accounts(sb, 4)
    fleet = _fleet(tmp_path)
    first = tmp_path / "shard-1.json"
    assert ctct(["plan", "--fleet", fleet, "--shard", "1/2", "--report", first]).code == 0
    sb.reset_log()
    other = ctct(["plan", "--fleet", fleet, "--shard", "2/2", "--resume", first])
    assert other.code == 1
    assert "the report of shard 1/2, and this run is shard 2/2" in other.stderr, other
    whole = ctct(["plan", "--fleet", fleet, "--resume", first])
    assert whole.code == 1 and "this run is the whole fleet" in whole.stderr, whole
    assert sb.requests == []  # refused before any request


def test_a_listing_that_breaks_off_still_reports_every_account_it_named(sb, ctct, tmp_path):
    _seed_accounts(sb, 60)  # two pages of the listing (50 a page)
    fleet = _fleet(tmp_path)
    sb.faults.replace("GET", PARTNER, raw=b'{"site_owner_list": [', after=1, times=1)
    report, page = tmp_path / "r.json", tmp_path / "r.html"
    res = ctct(["plan", "--fleet", fleet, "--report", report, "--html", page])
    assert res.code == 1, res
    assert "GET /partner/accounts: the answer (200) is not JSON (page 2)" in res.stderr, res
    rows = _rows(report)
    listed = [k for k in rows if k != "partner"]
    assert len(listed) == 50  # the first page's accounts: planned, or not started with why
    assert all(
        rows[k]["result"] == "changes" or "listing broke off" in rows[k]["summary"] for k in listed
    )
    assert page.is_file() and "account(s)" in res.stdout  # the table and the page are written


def test_a_resumed_run_whose_listing_breaks_reports_each_account_once(sb, ctct, tmp_path):
    _seed_accounts(sb, 60)
    fleet = _fleet(tmp_path)
    first = tmp_path / "r1.json"
    assert ctct(["plan", "--fleet", fleet, "--report", first]).code == 0
    doc = json.loads(first.read_text())
    doc["accounts"] = doc["accounts"][2:]  # two accounts left to do
    first.write_text(json.dumps(doc))
    sb.faults.replace("GET", PARTNER, raw=b"not json", after=1, times=1)
    second = tmp_path / "r2.json"
    args = ["plan", "--fleet", fleet, "--resume", first, "--report", second]
    res = ctct([*args, "--parallelism", "1"])
    assert res.code == 1, res
    keys = [a["key"] for a in json.loads(second.read_text())["accounts"]]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
