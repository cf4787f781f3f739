"""Partner fleets through the CLI against the sandbox (DESIGN §8): many client accounts,
one baseline, provisioning exactly once, reports, shards and resuming."""

from __future__ import annotations

import json
import subprocess
import time
from collections import Counter
from pathlib import Path

from .helpers import CTCTFORM_BIN, v3, writes

BASELINE = """
version: 1
lists:
  - name: ${var:organization_name} news
    description: For ${var:region}
  - name: Customers
tags:
  - name: VIP
segments:
  - name: VIP customers
    criteria:
      version: "1.0.0"
      criteria:
        type: and
        group:
          - type: or
            group:
              - {source: tags, field: tag_id, op: contains-any, const_value: "${tag:VIP}"}
vars:
  region: Anywhere
prune:
  tags: true
settings:
  allow_delete: [tags]        # stray tags go, whatever their share: acknowledged here
"""
SYNC = "/account_operations/sync"


def _ids(n: int) -> list[str]:
    return [f"a{i:03d}fleet{i:02d}" for i in range(n)]


def _seed_accounts(sb, n: int) -> list[str]:
    """n managed client accounts with varied drift: some empty, some with an extra tag,
    some with the list under an old description."""
    ids = _ids(n)
    for i, ident in enumerate(ids):
        entry = {"organization_name": f"Client {i:02d}"}
        if i % 3 == 1:
            entry["tags"] = [{"name": "VIP"}, {"name": f"Stray {i}"}]
        if i % 3 == 2:
            entry["lists"] = [{"name": f"Client {i:02d} news", "description": "old"}]
        sb.add_client_account(ident, **entry)
    return ids


def _fleet(tmp_path: Path, extra: str = "", select: bool = True) -> Path:
    (tmp_path / "baseline").mkdir(exist_ok=True)
    (tmp_path / "baseline" / "ctctform.yaml").write_text(BASELINE)
    text = "version: 1\nmanifests: [baseline/]\n"
    if select:
        text += "select: {account_type: all}\n"
    path = tmp_path / "fleet.yaml"
    path.write_text(text + extra)
    return path


def _accounts_synced(sb) -> Counter[str]:
    return Counter(r.path.split("/")[4] for r in v3(sb) if r.path.endswith(SYNC))


def test_a_fleet_converges_every_healthy_account_and_reports_the_broken_one(sb, ctct, tmp_path):
    ids = _seed_accounts(sb, 26)
    sb.add_client_account("unmanaged01", organization_name="Referred Co", managed=False)
    sb.add_client_account("cancelled01", organization_name="Gone Co", billing_status="Canceled")
    broken = ids[5]
    # The broken account's writes fail (the API refuses them); every other account goes on.
    sb.faults.replace(
        "POST",
        "/v3/contact_lists",
        account=broken,
        status=400,
        body=[{"error_key": "contacts.api.validation.error", "error_message": "refused"}],
    )
    fleet = _fleet(tmp_path)
    report = tmp_path / "report.json"
    html = tmp_path / "report.html"
    res = ctct(["apply", "--fleet", fleet, "--auto-approve", "--report", report, "--html", html])
    assert res.code == 1, res  # one account failed
    doc = json.loads(report.read_text())
    results = {a["encoded_account_id"]: a["result"] for a in doc["accounts"]}
    assert results[broken] == "failed"
    assert results["unmanaged01"] == "skipped" and results["cancelled01"] == "skipped"
    healthy = [i for i in ids if i != broken]
    assert all(results[i] == "applied" for i in healthy), results
    assert doc["complete"] is True and doc["totals"]["failed"] == 1
    # Nothing was ever sent for the accounts that cannot be operated.
    synced = _accounts_synced(sb)
    assert synced["unmanaged01"] == 0 and synced["cancelled01"] == 0
    for ident in healthy:
        store = sb.store(ident)
        assert sorted(t.name for t in store.tags.values()) == ["VIP"]
        assert store.find("segments", "VIP customers") is not None
    page = html.read_text()
    assert "<script" in page and 'src="http' not in page and "<link" not in page
    assert broken in page and "failed" in page

    sb.faults.clear()
    sb.reset_log()
    again = ctct(["plan", "--fleet", fleet, "--detailed-exitcode", "--report", report])
    assert again.code == 2, again  # only the broken account still has changes
    doc = json.loads(report.read_text())
    changed = [a["encoded_account_id"] for a in doc["accounts"] if a["result"] == "changes"]
    assert changed == [broken]
    own = [r for r in writes(sb) if not r.path.endswith(SYNC)]  # the sync wrappers are POSTs
    assert own == [] and not any(writes(sb, i) for i in ids)


def test_the_fleet_shares_one_rate_limiter_and_reads_each_account_once(sb, ctct, tmp_path):
    ids = _seed_accounts(sb, 6)
    fleet = _fleet(tmp_path)
    res = ctct(["plan", "--fleet", fleet])
    assert res.code == 0, res
    per_account = {i: len(v3(sb, i)) for i in ids}
    # summary + lists, tags, segments (+ the details the account's managed segments need)
    assert set(per_account.values()) <= {4, 5}, per_account


def test_three_shards_are_disjoint_and_cover_the_fleet(sb, ctct, tmp_path):
    ids = _seed_accounts(sb, 12)
    fleet = _fleet(tmp_path)
    seen: list[str] = []
    for shard in ("1/3", "2/3", "3/3"):
        report = tmp_path / f"shard-{shard[0]}.json"
        res = ctct(["plan", "--fleet", fleet, "--shard", shard, "--report", report])
        assert res.code == 0, res
        seen += [a["key"] for a in json.loads(report.read_text())["accounts"]]
    assert sorted(seen) == sorted(ids)  # each account in exactly one shard
    assert ctct(["plan", "--fleet", fleet, "--shard", "4/3"]).code == 1


def test_provisioned_accounts_exist_once_even_when_a_create_answer_is_lost(sb, ctct, tmp_path):
    logins = ["hanks_fruit", "zeno_bakery", "acme_tools"]
    extra = "accounts:\n" + "".join(
        f"  - login_name: {login}\n"
        "    provision:\n"
        f"      contact_email: owner@{login}.example\n"
        "      country_code: US\n"
        "      state_code: MA\n"
        f"      organization_name: Org {login}\n"
        "      password: ${env:CLIENT_PASSWORD}\n"
        "    plan: {plan_type: GOLD, billing_day_of_month: 15}\n"
        for login in logins
    )
    fleet = _fleet(tmp_path, extra, select=False)
    password = "Pa55-word-for-the-fleet"
    env = {"CLIENT_PASSWORD": password}
    sb.faults.drop_after_commit = 1  # the first create commits, its answer is lost
    report = tmp_path / "r.json"
    res = ctct(["apply", "--fleet", fleet, "--auto-approve", "--report", report], env_extra=env)
    assert res.code == 0, res
    by_login = Counter(a.site_owner_name for a in sb.partner.accounts.values())
    assert {login: by_login[login] for login in logins} == {login: 1 for login in logins}
    for account in sb.partner.accounts.values():
        if account.site_owner_name in logins:
            assert account.plan_type == "GOLD"
            assert account.store.find("tags", "VIP") is not None
    # The password never shows: not in the output, the report, or the request log.
    assert password not in res.output and password not in report.read_text()
    again = ctct(["plan", "--fleet", fleet, "--detailed-exitcode"], env_extra=env)
    assert again.code == 0, again
    assert (
        sum(1 for r in sb.requests if r.method == "POST" and r.path == "/v3/partner/accounts") == 3
    )


def test_a_secret_in_the_fleet_file_itself_is_refused(sb, ctct, tmp_path):
    extra = (
        "accounts:\n  - login_name: hanks_fruit\n    provision:\n"
        "      {contact_email: a@b.example, country_code: US, state_code: MA, password: hunter2hunter2}\n"
    )
    res = ctct(["validate", "--fleet", _fleet(tmp_path, extra, select=False)])
    assert res.code == 1 and "the password must come from the environment" in res.stderr
    assert "hunter2hunter2" not in res.output


def test_a_killed_fleet_run_resumes_without_touching_finished_accounts(sb, env, tmp_path):
    ids = _seed_accounts(sb, 10)
    sb.latency_ms = 60
    fleet = _fleet(tmp_path)
    report = tmp_path / "report.json"
    args = [str(CTCTFORM_BIN), "apply", "--fleet", str(fleet), "--auto-approve"]
    args += ["--report", str(report), "--parallelism", "2"]
    proc = subprocess.Popen(
        args, env={**_os_env(), **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if report.exists() and len(json.loads(report.read_text() or "{}").get("accounts", [])) >= 3:
            break
        time.sleep(0.05)
    proc.kill()
    proc.wait(10)
    first = json.loads(report.read_text())
    assert first["complete"] is False
    finished = {a["key"] for a in first["accounts"] if a["finished"]}
    assert len(finished) >= 3

    sb.latency_ms = 0
    sb.reset_log()
    second = tmp_path / "second.json"
    res = subprocess.run(
        [*args[:-4], "--report", str(second), "--resume", str(report)],
        env={**_os_env(), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    synced = _accounts_synced(sb)
    assert all(synced[i] == 0 for i in finished)  # never touched again
    for ident in ids:
        assert sorted(t.name for t in sb.store(ident).tags.values()) == ["VIP"]


def _os_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("CTCT_")}
