"""Partner: --account applies to a client account through account_operations/sync."""

from __future__ import annotations

import json

from .helpers import apply_ok, plan_is_clean, summary_line, v3, writes

CLIENT = "a08e1izvh8t9"
OTHER = "b19f2jawi9u0"
SYNC = f"/v3/partner/accounts/{CLIENT}/account_operations/sync"

SEED = {
    "lists": [{"name": "Buyers", "description": "the partner's own"}],
    "tags": [{"name": "Temp"}],
    "accounts": [
        {
            "encoded_account_id": CLIENT,
            "organization_name": "Zenomatic",
            "lists": [{"name": "Buyers", "description": "client list"}],
            "tags": [{"name": "Temp"}, {"name": "VIP"}],
        },
        {"encoded_account_id": OTHER, "organization_name": "Other Co", "tags": [{"name": "Temp"}]},
    ],
}

MANIFEST = """
    version: 1
    lists:
      - name: Customers
        renamed_from: [Buyers]
      - name: Newsletter
        favorite: true
    tags:
      - name: VIP
    segments:
      - name: Newsletter VIPs
        criteria:
          version: "1.0.0"
          criteria:
            type: and
            group:
              - {type: or, group: [{source: tags, field: tag_id, op: contains-any, const_value: "${tag:VIP}"}]}
              - {type: or, group: [{source: list_membership, field: list_id, op: contains-any, const_value: "${list:Newsletter}"}]}
    prune:
      tags: true
"""


def test_account_applies_to_the_client_account_only(sb, ctct, manifest, api):
    sb.seed(SEED)
    default_before = sb.store().snapshot()
    other_before = sb.store(OTHER).snapshot()
    client_buyers = sb.store(CLIENT).find("lists", "Buyers").list_id
    path = manifest(MANIFEST)

    plan = ctct(["plan", path, "--account", CLIENT, "--allow-delete"])
    assert plan.code == 0, plan
    assert summary_line(plan.stdout) == "Plan: 2 to add, 1 to change, 1 to destroy."

    sb.reset_log()
    res = apply_ok(ctct, path, "--account", CLIENT, "--allow-delete")
    assert "Apply complete! Resources: 2 added, 1 changed, 1 destroyed." in res.stdout
    client = sb.store(CLIENT)
    assert client.find("lists", "Customers").list_id == client_buyers
    assert client.find("lists", "Newsletter").favorite is True
    assert sorted(t.name for t in client.tags.values()) == ["VIP"]
    seg = client.find("segments", "Newsletter VIPs")
    group = json.loads(seg.segment_criteria)["criteria"]["group"]
    assert group[0]["group"][0]["const_value"] == client.find("tags", "VIP").tag_id
    assert group[1]["group"][0]["const_value"] == client.find("lists", "Newsletter").list_id

    # the partner's own account and the other client are untouched
    assert sb.store().snapshot() == default_before
    assert sb.store(OTHER).snapshot() == other_before
    # every account request went through the partner sync endpoint
    direct = [r for r in v3(sb) if r.path != SYNC]
    assert direct == []
    inner_writes = writes(sb, CLIENT)
    assert len(inner_writes) == 4
    assert all(200 <= r.status < 300 for r in inner_writes)
    assert writes(sb, OTHER) == []

    plan_is_clean(ctct, path, "--account", CLIENT)
    # the same manifest still has work to do in the default account
    default_plan = ctct(["plan", path, "--detailed-exitcode", "--allow-delete"])
    assert default_plan.code == 2, default_plan


def test_saved_plan_is_for_its_account_only(sb, ctct, manifest, tmp_path):
    sb.seed(SEED)
    path = manifest(MANIFEST)
    out = tmp_path / "plan.json"
    assert ctct(["plan", path, "--account", CLIENT, "--out", out, "--allow-delete"]).code == 0
    sb.reset_log()
    res = ctct(["apply", "--plan", out, "--auto-approve"])
    assert res.code == 1, res
    assert f"made for account {CLIENT}" in res.stderr
    assert writes(sb) == [] and writes(sb, CLIENT) == []

    res = ctct(["apply", "--plan", out, "--auto-approve", "--account", CLIENT])
    assert res.code == 0, res
    assert sb.store(CLIENT).find("lists", "Newsletter") is not None
    assert sb.store().find("lists", "Newsletter") is None


def test_unknown_account_is_an_error_without_writes(sb, ctct, manifest):
    sb.seed(SEED)
    path = manifest(MANIFEST)
    res = ctct(["apply", path, "--auto-approve", "--account", "nosuchaccount"])
    assert res.code == 1, res
    assert "nosuchaccount" in res.stderr
    # only wrapped reads were sent (and refused); nothing reached any account's store
    assert {r.path for r in v3(sb)} == {
        "/v3/partner/accounts/nosuchaccount/account_operations/sync"
    }
    assert writes(sb, "nosuchaccount") == []


def test_account_manifest_with_partner_webhooks(sb, ctct, manifest):
    """Webhook subscriptions belong to the partner, not to a client account: with --account
    they are still read and written on the partner endpoints (never wrapped in a sync)."""
    sb.seed(SEED)
    path = manifest("""
        version: 1
        lists:
          - name: Newsletter
        webhooks:
          - topic: billing_tier_upgrade
            hook_uri: https://hooks.example.com/ctct/billing
    """)
    res = ctct(["apply", path, "--auto-approve", "--account", CLIENT])
    assert res.code == 0, res
    assert sb.partner.webhooks == {1: "https://hooks.example.com/ctct/billing"}
    assert sb.store(CLIENT).find("lists", "Newsletter") is not None
    assert sb.store().find("lists", "Newsletter") is None
    plan_is_clean(ctct, path, "--account", CLIENT)


def test_a_fleet_applies_the_baseline_to_every_client_with_a_report(sb, ctct, manifest, tmp_path):
    """One baseline, per-account variables, every managed client account; the partner's own
    account is untouched, and a plan afterwards finds every account clean."""
    sb.seed(SEED)
    own_before = sb.store().snapshot()
    manifest(
        """
        version: 1
        vars:
          region: Anywhere
        lists:
          - name: ${var:organization_name} news
            description: News for ${var:region}
        tags:
          - name: VIP
    """,
        name="baseline/ctctform.yaml",
    )
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(
        "version: 1\nmanifests: [baseline/]\nselect: {account_type: managed}\n"
        f"accounts:\n  - {{encoded_account_id: {CLIENT}, vars: {{region: Lisbon}}}}\n"
    )
    plan = ctct(["plan", "--fleet", fleet, "--detailed-exitcode"])
    assert plan.code == 2, plan
    assert "2 account(s): 2 changes; " in plan.stdout
    own_writes = [r for r in writes(sb) if "account_operations/sync" not in r.path]
    assert own_writes == [] and writes(sb, CLIENT) == [] and writes(sb, OTHER) == []

    refused = ctct(["apply", "--fleet", fleet])
    assert refused.code == 1 and "--auto-approve" in refused.stderr

    res = ctct(["apply", "--fleet", fleet, "--auto-approve"])
    assert res.code == 0, res
    assert "1 added, 0 changed, 0 destroyed" in res.stdout  # the client had VIP
    assert "2 added, 0 changed, 0 destroyed" in res.stdout
    client, other = sb.store(CLIENT), sb.store(OTHER)
    assert client.find("lists", "Zenomatic news").description == "News for Lisbon"
    assert other.find("lists", "Other Co news").description == "News for Anywhere"
    assert other.find("tags", "VIP") is not None
    assert sb.store().snapshot() == own_before

    again = ctct(["plan", "--fleet", fleet, "--detailed-exitcode"])
    assert again.code == 0, again
    assert "2 account(s): 2 no changes; " in again.stdout
