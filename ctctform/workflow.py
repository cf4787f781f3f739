"""The steps the commands share: what to read, planning, saved plans, applying."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ctctform.apply import Applier, ApplyResult
from ctctform.errors import CtctformError
from ctctform.kinds import BY_REF, REGISTRY
from ctctform.live import DetailCache, LiveReader, LiveState
from ctctform.manifest import KINDS, Manifest
from ctctform.manifest.refs import find_refs
from ctctform.plan import PLAN_FORMAT, Change, Plan, Planner, Policy
from ctctform.selection import Selection


@dataclass
class Options:
    selection: Selection
    policy: Policy
    parallelism: int = 8
    cache_path: Path | None = None
    account: str | None = None


def kinds_to_read(manifest: Manifest, selection: Selection) -> list[str]:
    """Kinds the manifest declares or prunes, narrowed by the selection, plus the kinds that
    segment criteria name (their ids resolve the references)."""
    scope = {k for k in KINDS if manifest.resources[k] or manifest.prune.get(k)}
    kinds = selection.kinds(scope)
    for name in list(kinds):
        for res in manifest.resources[name]:
            for ref in find_refs(res.spec):
                if ref.kind in BY_REF:
                    kinds.add(BY_REF[ref.kind].name)
    return [k for k in REGISTRY if k in kinds]


def make_plan(client: Any, manifest: Manifest, opts: Options) -> tuple[Plan, LiveState]:
    reader = LiveReader(client, opts.parallelism, DetailCache(opts.cache_path))
    live = reader.read(kinds_to_read(manifest, opts.selection))
    plan = Planner(manifest, live, reader, opts.selection, opts.policy).build()
    plan.account = opts.account
    reader.save_cache(live)
    return plan, live


def plan_document(plan: Plan, requests: dict[str, Any]) -> str:
    return json.dumps(plan.to_dict(requests), indent=2, ensure_ascii=False) + "\n"


def load_saved_plan(client: Any, path: Path, opts: Options) -> tuple[Plan, LiveState]:
    """A saved plan, checked against the account: refuses if the live state has moved."""
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise CtctformError(
            f"{path}: not a readable plan file ({exc.__class__.__name__})"
        ) from None
    if doc.get("format_version") != PLAN_FORMAT:
        raise CtctformError(f"{path}: plan format {doc.get('format_version')!r} is not supported")
    if doc.get("errors"):
        raise CtctformError(f"{path}: this plan has errors and cannot be applied")
    if doc.get("account") != opts.account:
        raise CtctformError(
            f"{path}: the plan was made for account {doc.get('account') or 'default'}, "
            f"not {opts.account or 'default'}"
        )
    reader = LiveReader(client, opts.parallelism, DetailCache(None))
    live = reader.read(doc.get("kinds") or [])
    for kind, ids in _group(doc.get("detailed") or []).items():
        items = live.get(kind).by_id()
        reader.details(live, kind, [items[i] for i in ids if i in items])
    if live.fingerprint() != doc.get("fingerprint"):
        raise CtctformError(
            f"{path}: the account has changed since this plan was made; run plan again"
        )
    changes = []
    for cd in doc.get("changes") or []:
        lv = live.get(cd["kind"]).by_id().get(str(cd["id"])) if cd.get("id") is not None else None
        changes.append(Change.from_dict(cd, lv))
    plan = Plan(
        changes=changes,
        fingerprint=doc["fingerprint"],
        live_counts=doc.get("live_counts") or {},
        warnings=doc.get("warnings") or [],
        kinds=doc.get("kinds") or [],
        account=doc.get("account"),
        references=doc.get("references") or {},
    )
    return plan, live


def _group(pairs: list[list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for kind, ident in pairs:
        out.setdefault(kind, []).append(ident)
    return out


def run_apply(client: Any, plan: Plan, live: LiveState, opts: Options, report: Any) -> ApplyResult:
    return Applier(client, plan, live, parallelism=opts.parallelism, report=report).run()
