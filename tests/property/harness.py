"""Running plan and apply in-process against a real sandbox, and an independent oracle of
what the account must hold afterwards (read straight from the sandbox's store, not through
ctctform's readers)."""

from __future__ import annotations

import json
import math
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ctctform.api import Client, ClientConfig
from ctctform.apply import Applier, ApplyResult
from ctctform.kinds import REGISTRY, api_routes
from ctctform.kinds.webhooks import TOPIC_IDS
from ctctform.manifest import Manifest
from ctctform.plan import Plan, Policy, Selection
from ctctform.render import render_plan
from ctctform.render.progress import render_result
from ctctform.sandbox import Sandbox
from ctctform.workflow import Options, load_manifest, make_plan

from .strategies import SELECT_TYPES, Scenario

KEY = {"lists": "name", "tags": "name", "custom_fields": "label", "segments": "name"}
# Collection page sizes the client asks for (kinds/*.py page_limit), for request counting.
PAGE = {"lists": 1000, "tags": 500, "custom_fields": 100, "segments": 1000, "webhooks": None}
REF = re.compile(r"\$\$\{|\$\{(list|tag|custom_field|segment):([^}]*)\}")

# Plan errors that a valid manifest may legitimately get against some live account; any other
# plan error fails the property.
LEGIT_PLAN_ERRORS = (
    re.compile(r"is protected and cannot be replaced"),
    re.compile(r"segment .* refers to .*, which this plan (deletes|replaces)"),
    re.compile(r"names a .* this plan deletes \(pruned\)"),
    # a custom field whose label gives the API name a kept live field has (`a b` / `a_b`)
    re.compile(r"would have the API name .* which custom field .* in the account keeps"),
)

KINDS = tuple(REGISTRY)


# -- running --------------------------------------------------------------------------------


def start_sandbox(seed: dict[str, Any], activity_polls: int = 1, **options: Any) -> Sandbox:
    return Sandbox(port=0, seed=seed, activity_polls=activity_polls, **options).start()


def client_config(sb: Sandbox, **overrides: Any) -> ClientConfig:
    settings: dict[str, Any] = {
        "api_url": sb.base_url,
        "access_token": "sandbox",
        "partner_api_key": "sandbox",
        "partner_client_id": "sandbox",
        "partner_client_secret": "sandbox",
        "partner_token_url": sb.partner_token_url,
        "rate_limit": 2000.0,
        "activity_poll_initial": 0.005,
        "activity_poll_max": 0.02,
        "backoff_initial": 0.01,
    }
    settings.update(overrides)
    return ClientConfig.from_env({}, **settings)


def options(cache_path: Path | None = None, parallelism: int = 8) -> Options:
    policy = Policy(allow_delete=True, allow_replace=True)
    return Options(Selection(), policy, parallelism=parallelism, cache_path=cache_path)


@contextmanager
def manifest_dir(scenario: Scenario) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="ctctform-prop-") as tmp:
        root = Path(tmp) / "manifest"
        root.mkdir()
        for name, doc in scenario.files.items():
            text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=10_000)
            (root / name).write_text(text, encoding="utf-8")
        yield root


@dataclass
class Run:
    plan: Plan
    result: ApplyResult | None
    reads: int
    writes: int
    requests: list[Any] = field(default_factory=list)  # sandbox records of this run


def plan_and_apply(
    sb: Sandbox, manifest: Manifest, cache_path: Path | None = None, apply: bool = True
) -> Run:
    """make_plan, then run_apply when the plan is clean and has changes (as `apply` does)."""
    sb.reset_log()
    with Client(client_config(sb), routes=api_routes()) as client:
        opts = options(cache_path)
        plan, live = make_plan(client, manifest, opts, {})
        result = None
        if apply and not plan.errors and plan.has_changes:
            result = Applier(client, plan, live, parallelism=opts.parallelism).run()
        reads, writes = client.stats.reads, client.stats.writes
    return Run(plan, result, reads, writes, api_requests(sb))


def api_requests(sb: Sandbox) -> list[Any]:
    """Requests to the API itself (not the OAuth token endpoints)."""
    return [r for r in sb.requests if r.path.startswith("/v3/")]


def describe(run: Run) -> str:
    text = render_plan(run.plan, False)
    if run.result is not None:
        text += "\n" + render_result(run.result)
    return text


def check_plan_errors(plan: Plan) -> None:
    for error in plan.errors:
        assert any(p.search(error) for p in LEGIT_PLAN_ERRORS), f"unexpected plan error: {error}"


# -- the account, read straight from the sandbox ------------------------------------------------


def account(sb: Sandbox) -> dict[str, dict[str, dict[str, Any]]]:
    """kind -> id -> the record as the API shows it (segments with criteria)."""
    store = sb.store()
    with store.lock:
        return {
            "lists": {r.list_id: r.to_api() for r in store.lists.values()},
            "tags": {r.tag_id: r.to_api() for r in store.tags.values()},
            "custom_fields": {r.custom_field_id: r.to_api() for r in store.custom_fields.values()},
            "segments": {str(r.segment_id): r.to_detail() for r in store.live_segments()},
            "webhooks": {
                str(topic): {"topic_id": topic, "hook_uri": uri}
                for topic, uri in sb.partner.webhooks.items()
            },
        }


def identity(kind: str, record: dict[str, Any]) -> str:
    return str(record["topic_id"]) if kind == "webhooks" else record[KEY[kind]]


def declared_identity(kind: str, item: dict[str, Any]) -> str:
    if kind == "webhooks":
        return str(item.get("topic_id") or TOPIC_IDS[item["topic"]])
    return item[KEY[kind]]


def renamed_from(item: dict[str, Any]) -> list[str]:
    value = item.get("renamed_from") or []
    return [value] if isinstance(value, str) else list(value)


def match(scenario: Scenario, before: dict[str, dict[str, dict]]) -> dict[tuple[str, str], str]:
    """(kind, declared identity) -> the live id it takes over: the live resource with that
    identity, else the first live one named in renamed_from (DESIGN §1)."""
    out: dict[tuple[str, str], str] = {}
    for kind, records in before.items():
        by_key = {identity(kind, rec): rid for rid, rec in records.items()}
        claimed: set[str] = set()
        for item in scenario.declared(kind):
            key = declared_identity(kind, item)
            rid = by_key.get(key)
            if rid is None:
                rid = next(
                    (
                        by_key[o]
                        for o in renamed_from(item)
                        if o in by_key and by_key[o] not in claimed
                    ),
                    None,
                )
            if rid is not None:
                claimed.add(rid)
                out[(kind, key)] = rid
    return out


def replaced(item: dict[str, Any], live: dict[str, Any]) -> bool:
    """A custom field whose type or a declared metadata key differs is replaced."""
    if item["type"] != live["type"]:
        return True
    have = live.get("metadata") or {}
    return any(have.get(k) != v for k, v in (item.get("metadata") or {}).items())


def live_choices(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The choices that are choices: a soft-deleted one (deleted_at) is not."""
    return [c for c in record.get("choices") or [] if not c.get("deleted_at")]


def choice_labels(record: dict[str, Any]) -> list[str]:
    choices = sorted(live_choices(record), key=lambda c: c.get("display_order") or 0)
    return [c["choice_label"] for c in choices]


def expected_criteria(item: dict[str, Any], after: dict[str, dict[str, dict]]) -> Any:
    """The declared criteria with each reference resolved to the id the account now has."""
    raw = item.get("criteria_json")
    criteria = json.loads(raw) if raw is not None else item["criteria"]

    def ref(m: re.Match[str]) -> str:
        if m.group(0) == "$${":
            return "${"
        kind = {"list": "lists", "tag": "tags", "custom_field": "custom_fields"}.get(
            m.group(1), "segments"
        )
        found = [rid for rid, rec in after[kind].items() if identity(kind, rec) == m.group(2)]
        assert len(found) == 1, f"{m.group(0)} resolves to {found} after apply"
        return found[0]

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return REF.sub(ref, value)
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return walk(criteria)


def _criteria_text(item: dict[str, Any]) -> str:
    raw = item.get("criteria_json")
    criteria = json.loads(raw) if raw is not None else item.get("criteria")
    return json.dumps(criteria, ensure_ascii=False)


def check_account(
    scenario: Scenario, before: dict[str, dict[str, dict]], after: dict[str, dict[str, dict]]
) -> None:
    """The account holds what the manifest declares, and leaves alone what it does not."""
    matched = match(scenario, before)
    # No duplicates by identity, in any kind.
    for kind, records in after.items():
        keys = [identity(kind, rec) for rec in records.values()]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        assert not dupes, f"duplicate {kind}: {dupes}"
    for kind in after:
        by_key = {identity(kind, rec): (rid, rec) for rid, rec in after[kind].items()}
        for item in scenario.declared(kind):
            key = declared_identity(kind, item)
            assert key in by_key, f"declared {kind} {key!r} is not in the account"
            rid, rec = by_key[key]
            old_id = matched.get((kind, key))
            old = before[kind].get(old_id) if old_id else None
            if old is not None:
                if kind == "custom_fields" and replaced(item, old):
                    assert old_id not in after[kind], f"replaced {kind} {key!r}: old one remains"
                else:
                    assert rid == old_id, f"{kind} {key!r}: id changed {old_id} -> {rid}"
            check_fields(kind, key, item, rec, old, after)
    # Resources the manifest does not declare: gone if the kind is pruned, else untouched.
    claimed = set(matched.items())
    claimed_ids = {(kind, rid) for (kind, _), rid in claimed}
    for kind, records in before.items():
        for rid, rec in records.items():
            if (kind, rid) in claimed_ids:
                continue
            if scenario.prune[kind]:
                assert rid not in after[kind], (
                    f"undeclared {kind} {identity(kind, rec)!r} not pruned"
                )
            else:
                assert after[kind].get(rid) == rec, (
                    f"undeclared {kind} {identity(kind, rec)!r} (prune off) was changed: "
                    f"{rec} -> {after[kind].get(rid)}"
                )


def check_fields(
    kind: str,
    key: str,
    item: dict[str, Any],
    rec: dict[str, Any],
    old: dict[str, Any] | None,
    after: dict[str, dict[str, dict]],
) -> None:
    where = f"{kind} {key!r}"
    if kind == "lists":
        for name, default in (("description", ""), ("favorite", False)):
            # Undeclared fields are not managed: kept as they were, or the API default.
            want = item.get(name, (old or {}).get(name, default))
            have = rec.get(name, default)
            if name == "description":
                want, have = want or "", have or ""  # absent and empty are the same state
            assert have == want, f"{where}: {name} is {have!r}, want {want!r}"
    elif kind == "tags":
        if old is None and item.get("tag_source"):
            assert rec.get("tag_source") == item["tag_source"], f"{where}: tag_source"
        elif old is not None:
            assert rec.get("tag_source") == old.get("tag_source"), f"{where}: tag_source changed"
    elif kind == "custom_fields":
        assert rec["type"] == item["type"], f"{where}: type {rec['type']} want {item['type']}"
        have_meta = rec.get("metadata") or {}
        for k, v in (item.get("metadata") or {}).items():
            assert have_meta.get(k) == v, f"{where}: metadata.{k} {have_meta.get(k)!r} want {v!r}"
        kept = old is not None and not replaced(item, old)
        if "choices" in item:
            assert choice_labels(rec) == item["choices"], (
                f"{where}: choices {choice_labels(rec)} want {item['choices']}"
            )
        elif kept and item["type"] in SELECT_TYPES:
            assert choice_labels(rec) == choice_labels(old), f"{where}: undeclared choices changed"
        if kept:
            # A label that stays keeps its choice_id (contacts' selections survive).
            old_ids = {c["choice_label"]: c["choice_id"] for c in live_choices(old)}
            for c in live_choices(rec):
                if c["choice_label"] in old_ids:
                    assert c["choice_id"] == old_ids[c["choice_label"]], f"{where}: choice_id"
    elif kind == "segments":
        have = json.loads(rec["segment_criteria"])
        want = expected_criteria(item, after)
        assert have == want, f"{where}: criteria {have} want {want}"
    elif kind == "webhooks":
        assert rec["hook_uri"] == item["hook_uri"], f"{where}: hook_uri"


# -- request counting -------------------------------------------------------------------------


def kinds_in_scope(scenario: Scenario) -> set[str]:
    """Kinds a plan must read: declared or pruned ones, and those segment criteria name."""
    scope = {k for k in KINDS if scenario.declared(k) or scenario.prune.get(k)}
    names = {"list": "lists", "tag": "tags", "custom_field": "custom_fields", "segment": "segments"}
    for item in scenario.declared("segments"):
        text = _criteria_text(item)
        scope |= {names[m.group(1)] for m in REF.finditer(text) if m.group(1)}
    return scope


def minimum_plan_requests(
    scenario: Scenario, after: dict[str, dict[str, dict]], cached_segments: int = 0
) -> int:
    """Collection pages of every kind in scope, plus one detail per managed segment not cached."""
    total = 0
    for kind in kinds_in_scope(scenario):
        limit = PAGE[kind]
        total += 1 if limit is None else max(1, math.ceil(len(after[kind]) / limit))
    return total + len(scenario.declared("segments")) - cached_segments


def load(root: Path) -> Manifest:
    return load_manifest(root)
