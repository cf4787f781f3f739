"""Seed data: resources a sandbox holds before the first request, from a dict or a file.

```yaml
lists: [{name: Newsletter, description: Monthly news, favorite: true}]
tags: [{name: VIP}]
custom_fields: [{label: Favorite Color, type: single_select, choices: [Red, Green]}]
segments:
  - {name: Engaged, criteria: {version: "1.0.0", criteria: {...}}}  # ${list:NAME} etc.
  - {name: Raw, criteria_json: '{"version":"1.0.0","criteria":{"type":"and","group":[]}}'}
webhooks: [{topic_id: 1, hook_uri: https://hooks.example.com/billing}]
account: {organization_name: Acme}          # and physical_address:, sender_emails:
accounts:
  - {encoded_account_id: a08e1izvh8t9, organization_name: Zenomatic, lists: [...]}
faults:  # response-replacing rules, as Faults.replace() takes them (raw as text)
  - {method: GET, path: /v3/contact_tags, status: 500, raw: "<html>oops</html>"}
```

Lists may say `deleted: true`, choices `{choice_label: Teal, deleted: true}`; the account
settings are seeded by seed_settings.

Items go through the same definitions and rules as API requests, so a seed cannot hold what
the API would refuse (a duplicate name, an over-long label, criteria that are not JSON).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from .messages import SandboxError
from .partner import ClientAccount
from .provisioning import BILLING_STATUSES, PLAN_TYPES, new_encoded_id
from .seed_common import SeedError, check_keys, flag, items, validate_seed
from .seed_settings import SETTINGS_KEYS, seed_settings
from .state import SandboxState
from .store import AccountStore

KIND_KEYS = ("lists", "tags", "custom_fields", "segments")
ITEM_KEYS = {
    "lists": {"name", "description", "favorite", "membership_count", "deleted"},
    "tags": {"name", "tag_source", "contacts_count"},
    "custom_fields": {"label", "type", "metadata", "choices", "version"},
    "segments": {"name", "criteria", "criteria_json"},
    "webhooks": {"topic_id", "topic", "hook_uri"},
}
ACCOUNT_KEYS = {
    "encoded_account_id",
    "organization_name",
    "site_owner_name",
    "billing_status",
    "subscriber_count",
    "managed",
    "plan_type",
    "billing_day_of_month",
    *KIND_KEYS,
    *SETTINGS_KEYS,
}
TOP_KEYS = {*KIND_KEYS, *SETTINGS_KEYS, "webhooks", "accounts", "faults"}
TOPIC_IDS = {
    "billing_tier_upgrade": 1,
    "billing_tier_downgrade": 2,
    "account_cancelled": 3,
    "account_disabled": 4,
}
REFERENCE = re.compile(r"\$\$\{|\$\{(list|tag|custom_field|segment):([^}]*)\}")


def read_seed_file(path: str | Path) -> dict[str, Any]:
    """A YAML or JSON seed file (JSON is parsed as JSON for exact error positions)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        # One line, file:line first, like a manifest's YAML errors (not PyYAML's excerpt).
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        words = " ".join(w for w in (exc.context, exc.problem) if w)
        raise SeedError(f"{path}{line}: invalid YAML: {words}") from None
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise SeedError(f"{path}: {' '.join(str(exc).split())}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SeedError(f"{path}: a seed file holds a mapping (lists:, tags:, ...)")
    return data


def apply_seed(state: SandboxState, seed: Mapping[str, Any] | str | Path) -> None:
    data = read_seed_file(seed) if isinstance(seed, (str, Path)) else seed
    check_keys(data, TOP_KEYS, "seed")
    seed_account(state.store, data, "seed")
    seed_settings(state.store, data, "seed")
    for index, hook in enumerate(items(data, "webhooks", "seed")):
        _seed_webhook(state, hook, f"seed.webhooks[{index}]")
    for index, account in enumerate(items(data, "accounts", "seed")):
        _seed_client_account(state, account, f"seed.accounts[{index}]")
    for index, rule in enumerate(items(data, "faults", "seed")):
        _seed_fault_rule(state, rule, f"seed.faults[{index}]")


def seed_account(store: AccountStore, data: Mapping[str, Any], where: str) -> None:
    seeders: dict[str, Callable[[AccountStore, dict[str, Any]], None]] = {
        "custom_fields": _seed_custom_field,
        "lists": _seed_list,
        "tags": _seed_tag,
        "segments": _seed_segment,  # last: its criteria may reference the others
    }
    for kind, seeder in seeders.items():
        for index, item in enumerate(items(data, kind, where)):
            at = f"{where}.{kind}[{index}]"
            check_keys(item, ITEM_KEYS[kind], at)
            try:
                seeder(store, item)
            except (SandboxError, TypeError, ValueError) as exc:  # SeedError is a ValueError
                raise SeedError(f"{at}: {exc}") from None


def _seed_list(store: AccountStore, item: dict[str, Any]) -> None:
    body = {k: item[k] for k in ("name", "description", "favorite") if k in item}
    validate_seed(body, "ListInput")
    deleted = flag(item, "deleted")
    record = store.create_list(
        body["name"], body.get("description"), body.get("favorite", False), deleted=deleted
    )
    record.membership_count = int(item.get("membership_count", 0))


def _seed_tag(store: AccountStore, item: dict[str, Any]) -> None:
    body = {k: item[k] for k in ("name", "tag_source") if k in item}
    validate_seed(body, "TagPost")
    record = store.create_tag(body["name"], body.get("tag_source"))
    record.contacts_count = int(item.get("contacts_count", 0))


def _seed_custom_field(store: AccountStore, item: dict[str, Any]) -> None:
    body: dict[str, Any] = {
        k: item[k] for k in ("label", "type", "metadata", "version") if k in item
    }
    choices = [_choice(c) for c in item["choices"] or []] if "choices" in item else None
    deleted = [c for c in choices or [] if flag(c, "deleted")]
    for choice in choices or []:
        choice.pop("deleted", None)
    if choices is not None:
        body["choices"] = choices
    validate_seed(body, "CustomFieldRequest")
    for key in ("label", "type"):
        if key not in body:
            raise SeedError(f"{key} is required")
    # Soft-deleted choices are created first, then dropped by a PUT of the live ones, as
    # the API would have done it (so a deleted and a live choice may share a label).
    record = store.create_custom_field(
        body["label"],
        body["type"],
        metadata=body.get("metadata"),
        choices=deleted if deleted else choices,
        version=body.get("version"),
    )
    if deleted:
        live = [c for c in choices or [] if not any(c is d for d in deleted)]
        store.update_custom_field(record.custom_field_id, record.label, live)


def _choice(choice: Any) -> dict[str, Any]:
    """Plain labels (`[Red, Green]`) or CustomFieldChoiceRequest objects (+ `deleted`)."""
    if isinstance(choice, str):
        return {"choice_label": choice}
    if not isinstance(choice, Mapping):
        raise SeedError("a choice is a label or a mapping with choice_label")
    return dict(choice)


def _seed_segment(store: AccountStore, item: dict[str, Any]) -> None:
    if ("criteria" in item) == ("criteria_json" in item):
        raise SeedError("a segment needs exactly one of criteria or criteria_json")
    if "criteria" in item:
        criteria = json.dumps(_resolve(item["criteria"], store))
    else:
        if not isinstance(item["criteria_json"], str):
            raise SeedError("criteria_json must be a string of JSON")
        criteria = _resolve(item["criteria_json"], store)
    body = {"name": item.get("name"), "segment_criteria": criteria}
    validate_seed(body, "SegmentData")  # a string name, or a SeedError
    store.create_segment(str(body["name"]), criteria)


def _seed_webhook(state: SandboxState, item: Any, where: str) -> None:
    check_keys(item, ITEM_KEYS["webhooks"], where)
    topic = item.get("topic_id", TOPIC_IDS.get(item.get("topic", "")))
    hook_uri = item.get("hook_uri")
    if not isinstance(topic, int) or not isinstance(hook_uri, str):
        raise SeedError(f"{where}: needs topic_id (1-4) or topic, and hook_uri")
    try:
        state.partner.subscribe(topic, hook_uri)
    except SandboxError as exc:
        raise SeedError(f"{where}: {exc}") from None


def add_client_account(
    state: SandboxState, encoded_id: str | None, entry: Mapping[str, Any]
) -> ClientAccount:
    """A client account described as an `accounts:` entry; a fresh encoded id if none."""
    if encoded_id is None:
        hint = str(entry.get("site_owner_name") or entry.get("organization_name") or "client")
        encoded_id = new_encoded_id(hint, set(state.partner.accounts))
    return _seed_client_account(state, {**entry, "encoded_account_id": encoded_id}, "account")


def _seed_client_account(state: SandboxState, item: Any, where: str) -> ClientAccount:
    check_keys(item, ACCOUNT_KEYS, where)
    encoded_id = item.get("encoded_account_id")
    if not isinstance(encoded_id, str) or not encoded_id:
        raise SeedError(f"{where}: encoded_account_id is required")
    if encoded_id in state.partner.accounts:
        raise SeedError(f"{where}: account {encoded_id} appears twice")
    store = state.new_store()
    store.set_identity(encoded_id, _organization_name(item, where))
    status, plan_type, day = _billing(item, where)
    account = ClientAccount(
        encoded_id,
        store,
        site_owner_name=str(item.get("site_owner_name", "")),
        billing_status=status,
        subscriber_count=int(item.get("subscriber_count", 0)),
        managed=flag(item, "managed") if "managed" in item else True,
        plan_type=plan_type,
        billing_day_of_month=day,
    )
    seed_account(account.store, item, where)
    seed_settings(account.store, item, where, client_id=encoded_id)
    return state.partner.add_account(account)


def _billing(item: Mapping[str, Any], where: str) -> tuple[str, str, int | None]:
    """billing_status, plan_type and billing day, consistent as the API keeps them:
    Trial and Trial End accounts are on TRIAL (billing day null), Open ones are not."""
    status = item.get("billing_status", "Trial")
    if status not in BILLING_STATUSES:
        raise SeedError(f"{where}: billing_status must be one of {', '.join(BILLING_STATUSES)}")
    trial = status in ("Trial", "Trial End")
    plan_type = item.get("plan_type", "TRIAL" if trial else "GOLD")
    if plan_type not in PLAN_TYPES:
        raise SeedError(f"{where}: plan_type must be one of {', '.join(PLAN_TYPES)}")
    day = item.get("billing_day_of_month")
    if trial != (plan_type == "TRIAL") and status != "Canceled":
        raise SeedError(f"{where}: a {status} account cannot be on the {plan_type} plan")
    if day is not None and (plan_type == "TRIAL" or not isinstance(day, int) or not 1 <= day <= 31):
        raise SeedError(f"{where}: billing_day_of_month is 1 to 31, and null on TRIAL")
    return status, plan_type, day


def _organization_name(item: Mapping[str, Any], where: str) -> str:
    """An account entry's organization_name, which its `account:` may repeat but not contradict."""
    name = str(item.get("organization_name", ""))
    summary = item.get("account")
    other = summary.get("organization_name") if isinstance(summary, Mapping) else None
    if other is not None and "organization_name" in item and other != name:
        raise SeedError(
            f"{where}: organization_name {name!r} and account.organization_name {other!r} differ"
        )
    return name if other is None else str(other)


def _seed_fault_rule(state: SandboxState, item: Any, where: str) -> None:
    if not isinstance(item, Mapping):
        raise SeedError(f"{where} must be a mapping")
    try:
        state.faults.add_rule(item)
    except (TypeError, ValueError, re.error) as exc:
        raise SeedError(f"{where}: {exc}") from None


def _resolve(value: Any, store: AccountStore) -> Any:
    """Replace ${list:NAME}, ${tag:NAME}, ${custom_field:LABEL}, ${segment:NAME} by ids."""
    if isinstance(value, str):
        return REFERENCE.sub(lambda match: _reference(match, store), value)
    if isinstance(value, list):
        return [_resolve(item, store) for item in value]
    if isinstance(value, dict):
        return {key: _resolve(item, store) for key, item in value.items()}
    return value


def _reference(match: re.Match[str], store: AccountStore) -> str:
    if match.group(0) == "$${":
        return "${"
    kind, name = match.group(1), match.group(2)
    record = store.find(f"{kind}s", name)
    if record is None:
        raise SeedError(f"${{{kind}:{name}}} does not name a seeded {kind.replace('_', ' ')}")
    return str(getattr(record, f"{kind}_id"))
