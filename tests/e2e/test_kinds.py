"""Every kind's lifecycle from one table: create, no-op, update, no-op again.

A kind adds a row: what the account holds first (seed), the manifest that creates or first
sets it, the manifest that changes it, and what the account must hold after each apply
(read straight from the sandbox's store, not through ctctform).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from .helpers import apply_ok, plan_is_clean, summary_line

Check = Callable[[Any], None]  # receives the sandbox


@dataclass
class Row:
    kind: str
    first: str  # manifest body (after `version: 1`)
    second: str
    after_first: Check
    after_second: Check
    seed: dict[str, Any] = field(default_factory=dict)
    first_summary: str = "Plan: 1 to add, 0 to change, 0 to destroy."
    second_summary: str = "Plan: 0 to add, 1 to change, 0 to destroy."


def _list(sb: Any) -> Any:
    return sb.store().find("lists", "Newsletter")


CRITERIA = """
    criteria:
      version: "1.0.0"
      criteria:
        type: and
        group:
          - type: or
            group: [{source: tags, field: tag_id, op: contains-any, const_value: "${tag:%s}"}]
"""

ROWS = [
    Row(
        "lists",
        "lists: [{name: Newsletter, description: Monthly}]",
        "lists: [{name: Newsletter, description: Weekly, favorite: true}]",
        lambda sb: _expect(_list(sb).description, "Monthly"),
        lambda sb: _expect((_list(sb).description, _list(sb).favorite), ("Weekly", True)),
    ),
    Row(
        "tags",
        "tags: [{name: VIP}]",
        "tags: [{name: Gold VIP, renamed_from: [VIP]}]",
        lambda sb: _expect([t.name for t in sb.store().tags.values()], ["VIP"]),
        lambda sb: _expect([t.name for t in sb.store().tags.values()], ["Gold VIP"]),
    ),
    Row(
        "custom_fields",
        "custom_fields: [{label: Color, type: single_select, choices: [Red]}]",
        "custom_fields: [{label: Color, type: single_select, choices: [Red, Blue]}]",
        lambda sb: _expect(_choices(sb, "Color"), ["Red"]),
        lambda sb: _expect(_choices(sb, "Color"), ["Red", "Blue"]),
    ),
    Row(
        "segments",
        "tags: [{name: A}, {name: B}]\nsegments:\n  - name: S" + CRITERIA % "A",
        "tags: [{name: A}, {name: B}]\nsegments:\n  - name: S" + CRITERIA % "B",
        lambda sb: _expect(_segment_tag(sb), sb.store().find("tags", "A").tag_id),
        lambda sb: _expect(_segment_tag(sb), sb.store().find("tags", "B").tag_id),
        first_summary="Plan: 3 to add, 0 to change, 0 to destroy.",
    ),
    Row(
        "webhooks",
        "webhooks: [{topic: billing_tier_upgrade, hook_uri: 'https://hooks.example.com/a'}]",
        "webhooks: [{topic: billing_tier_upgrade, hook_uri: 'https://hooks.example.com/b'}]",
        lambda sb: _expect(sb.partner.webhooks, {1: "https://hooks.example.com/a"}),
        lambda sb: _expect(sb.partner.webhooks, {1: "https://hooks.example.com/b"}),
    ),
    Row(
        "account",
        "account: {organization_name: Hanks Fresh Fruit}",
        "account: {organization_name: Hanks Fresh Fruit, website: 'https://hanks.example'}",
        lambda sb: _expect(_summary(sb)["organization_name"], "Hanks Fresh Fruit"),
        lambda sb: _expect(_summary(sb)["website"], "https://hanks.example"),
        first_summary="Plan: 0 to add, 1 to change, 0 to destroy.",
    ),
    Row(
        "physical_address",
        "physical_address: {address_line1: 1 Main St, city: Boston, state_code: MA, "
        "postal_code: '02451', country_code: US}",
        "physical_address: {address_line1: 2 Elm St, city: Boston, state_code: MA, "
        "postal_code: '02451', country_code: US}",
        lambda sb: _expect(_address(sb)["address_line1"], "1 Main St"),
        lambda sb: _expect(_address(sb)["address_line1"], "2 Elm St"),
    ),
    Row(
        "sender_emails",
        "sender_emails: [news@hanks.example]",
        "sender_emails: [news@hanks.example, hello@hanks.example]",
        lambda sb: _expect(_emails(sb), ["news@hanks.example"]),
        lambda sb: _expect(_emails(sb), ["hello@hanks.example", "news@hanks.example"]),
        second_summary="Plan: 1 to add, 0 to change, 0 to destroy.",
    ),
]


def test_every_registered_kind_has_a_row() -> None:
    from ctctform.kinds import REGISTRY

    assert sorted(r.kind for r in ROWS) == sorted(REGISTRY)


@pytest.mark.parametrize("row", ROWS, ids=[r.kind for r in ROWS])
def test_lifecycle(row: Row, sb, ctct, manifest) -> None:
    sb.seed(row.seed)
    path = manifest("version: 1\n" + row.first)
    plan = ctct(["plan", path, "--detailed-exitcode"])
    assert plan.code == 2, plan
    assert summary_line(plan.stdout) == row.first_summary
    apply_ok(ctct, path)
    row.after_first(sb)
    plan_is_clean(ctct, path)

    path = manifest("version: 1\n" + row.second)
    plan = ctct(["plan", path, "--detailed-exitcode"])
    assert plan.code == 2, plan
    assert summary_line(plan.stdout) == row.second_summary
    apply_ok(ctct, path)
    row.after_second(sb)
    plan_is_clean(ctct, path)


def _expect(got: Any, want: Any) -> None:
    assert got == want


def _choices(sb: Any, label: str) -> list[str]:
    field_ = sb.store().find("custom_fields", label)
    live = [c for c in field_.choices or [] if not getattr(c, "deleted_at", None)]
    return [c.choice_label for c in sorted(live, key=lambda c: c.display_order)]


def _segment_tag(sb: Any) -> str:
    import json

    criteria = json.loads(sb.store().find("segments", "S").segment_criteria)
    return str(criteria["criteria"]["group"][0]["group"][0]["const_value"])


def _summary(sb: Any) -> dict[str, Any]:
    return dict(sb.store().get_summary())


def _address(sb: Any) -> dict[str, Any]:
    return dict(sb.store().get_address())


def _emails(sb: Any) -> list[str]:
    addresses = [e["email_address"] for e in sb.store().list_emails({})]
    return sorted(a for a in addresses if a.endswith("@hanks.example"))
