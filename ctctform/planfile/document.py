"""Saved plans (`plan --out FILE`, `apply --plan FILE`, `show FILE`): the JSON format, and
the check that the account has not moved since the plan was made. The format is documented
in docs/plan-format.md; `format_version` changes whenever a reader of an older version would
misread a newer document.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from ctctform import __version__
from ctctform.errors import CtctformError
from ctctform.kinds import BY_REF, REGISTRY, FieldChange, Live
from ctctform.live import LiveReader, LiveState
from ctctform.manifest import Location, Resource
from ctctform.plan import PLAN_FORMAT, Action, Change, Plan
from ctctform.planfile.schema import document_problem, item_problem
from ctctform.safefile import read_regular

MAX_PLAN_BYTES = 64 * 1024 * 1024


def plan_document(plan: Plan, requests: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "format_version": PLAN_FORMAT,
        "ctctform_version": __version__,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "account": plan.account,
        "organization": plan.organization,
        "partner_account": plan.partner_account,
        "fingerprint": plan.fingerprint,
        "kinds": plan.kinds,
        "detailed": plan.detailed,
        "references": plan.references,
        "names": plan.names,
        "partial": plan.partial,
        "refresh_only": plan.refresh_only,
        "acknowledgements": plan.acknowledgements,
        "summary": plan.counts(),
        "live_counts": plan.live_counts,
        "changes": [change_document(c) for c in plan.actionable],
        "notes": [{"kind": c.kind, "key": c.key, "note": c.note} for c in plan.notes],
        "warnings": plan.warnings,
        "errors": plan.errors,
        "api_requests": requests or {},
    }


def plan_json(plan: Plan, requests: dict[str, Any] | None = None) -> str:
    doc = plan_document(plan, requests)
    doc["digest"] = digest(doc)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def digest(doc: dict[str, Any]) -> str:
    """sha256 of the document without its digest, canonically written. `apply --plan`
    executes each change from its `resource`, while `show` displays its `fields`: a file
    edited after review could show one thing and do another, so any edit is refused. (A
    checksum, not a signature: who can rewrite the file can rewrite it whole.)"""
    body = {k: v for k, v in doc.items() if k != "digest"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def change_document(change: Change) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": change.kind,
        "key": change.key,
        "action": str(change.action),
        "id": change.live_id,
    }
    if change.old_key:
        out["renamed_from"] = change.old_key
    if change.fields:
        out["fields"] = {
            k: {"before": v.before, "after": v.after} for k, v in change.fields.items()
        }
    if change.pending:
        out["known_after_apply"] = change.pending
    if change.resource:
        r = change.resource
        out["resource"] = {
            "spec": r.spec,
            "renamed_from": r.renamed_from,
            "protect": r.protect,
            "location": {"file": r.location.file, "line": r.location.line},
        }
    return out


def change_from_document(doc: dict[str, Any], live: Live | None) -> Change:
    res = None
    if rd := doc.get("resource"):
        loc = rd.get("location") or {}
        res = Resource(
            kind=doc["kind"],
            key=doc["key"],
            spec=rd.get("spec") or {},
            renamed_from=rd.get("renamed_from") or [],
            protect=bool(rd.get("protect")),
            location=Location(loc.get("file", "<plan>"), int(loc.get("line", 0))),
        )
    fields = {k: FieldChange(v["before"], v["after"]) for k, v in (doc.get("fields") or {}).items()}
    if live is None and doc.get("id") is not None:
        # Offline (`show`): enough of the live resource to name it as the plan did.
        key = doc.get("renamed_from") or doc["key"]
        live = Live(doc["kind"], str(doc["id"]), key, {})
    return Change(
        kind=doc["kind"],
        key=doc["key"],
        action=Action(doc["action"]),
        resource=res,
        live=live,
        fields=fields,
        pending=list(doc.get("known_after_apply") or []),
    )


def read_document(path: Path) -> dict[str, Any]:
    """A saved plan's JSON, checked against the plan schema before any of it is used."""
    try:
        data = read_regular(path, MAX_PLAN_BYTES)
        if len(data) > MAX_PLAN_BYTES:
            raise CtctformError(f"{path}: larger than any plan ctctform writes")
        doc = json.loads(data.decode("utf-8"))
    except OSError as exc:
        raise CtctformError(f"{path}: cannot read the plan file: {exc.strerror or exc}") from None
    except (ValueError, RecursionError) as exc:
        raise CtctformError(
            f"{path}: not a readable plan file ({exc.__class__.__name__})"
        ) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("changes"), list):
        raise CtctformError(f"{path}: not a ctctform plan file")
    if doc.get("format_version") != PLAN_FORMAT:
        raise CtctformError(
            f"{path}: plan format {doc.get('format_version')!r:.40} is not supported "
            f"(this ctctform reads format {PLAN_FORMAT}); make the plan again"
        )
    if problem := document_problem(doc):
        raise CtctformError(f"{path}: not a valid plan file: {problem}")
    if doc["digest"] != digest(doc):
        raise CtctformError(
            f"{path}: the plan file was changed after it was made (its digest does not "
            "match); make the plan again"
        )
    for index, change in enumerate(doc["changes"]):
        if problem := change_problem(change):
            raise CtctformError(
                f"{path}: not a plan ctctform can apply: changes[{index}] {problem}"
            )
    return doc


PENDING = re.compile(r"([a-z_]+):(.+)")  # `list:Newsletter`, as `Placeholder` writes it
NEEDS_RESOURCE = ("create", "update", "rename", "replace")


def change_problem(change: dict[str, Any]) -> str | None:
    """What makes a change (that passed the schema) one no ctctform writes: the digest is a
    checksum anyone can recompute, so the plan's own sense is checked before any write."""
    kind = REGISTRY[change["kind"]]
    action = change["action"]
    if action in NEEDS_RESOURCE and not change.get("resource"):
        return f"({action} {change['kind']}) has no resource"
    if action in ("delete", "replace") and not kind.can_delete:
        return f"deletes {change['kind']}, which ctctform never deletes"
    for pending in change.get("known_after_apply") or []:
        match = PENDING.fullmatch(pending) if isinstance(pending, str) else None
        if match is None or match.group(1) not in BY_REF:
            return f"waits for {str(pending)[:60]!r}, which is no reference"
    resource = change.get("resource")
    if resource and resource.get("spec"):  # an identity alone (a sender email) sends nothing else
        spec = dict(resource["spec"])
        # The identity as the manifest writes it, unless the spec already carries it in a
        # normalised form (a webhook's `topic_id`).
        named = {**spec, kind.identity: change["key"]} if kind.identity else spec
        problem = item_problem(kind.name, named)
        if problem and named is not spec and item_problem(kind.name, spec) is None:
            problem = None
        if problem:
            return f"({action} {change['kind']} {change['key']!r:.60}): {problem}"
    return None


def offline_plan(doc: dict[str, Any]) -> Plan:
    """The plan as it was saved, for rendering (`ctctform show`)."""
    return _plan(doc, [change_from_document(c, None) for c in doc["changes"]])


def load_for_apply(
    reader: LiveReader, path: Path, summary: dict[str, Any]
) -> tuple[Plan, LiveState]:
    """A saved plan, checked against the account: refuses if the live state has moved or the
    plan was made for another account. `summary` is the account the credentials open."""
    doc = read_document(path)
    account = summary.get("encoded_account_id")
    if doc.get("errors"):
        raise CtctformError(f"{path}: this plan has errors and cannot be applied")
    if doc.get("refresh_only"):
        raise CtctformError(f"{path}: a refresh-only report, not a plan to apply")
    if account is not None and doc.get("account") != account:
        raise CtctformError(
            f"{path}: the plan was made for account {doc.get('account')}, but these "
            f"credentials open {account}; nothing was changed"
        )
    live = reader.read(doc.get("kinds") or [], LiveState(account=summary))
    wanted: dict[str, list[Live]] = defaultdict(list)
    for kind, ident in doc.get("detailed") or []:
        item = live.get(kind).by_id().get(str(ident))
        if item is not None:
            wanted[kind].append(item)
    reader.details(live, wanted)
    if live.fingerprint() != doc.get("fingerprint"):
        raise CtctformError(
            f"{path}: the account has changed since this plan was made; run plan again"
        )
    changes = []
    for cd in doc["changes"]:
        lv = live.get(cd["kind"]).by_id().get(str(cd["id"])) if cd.get("id") is not None else None
        changes.append(change_from_document(cd, lv))
    return _plan(doc, changes), live


def _plan(doc: dict[str, Any], changes: list[Change]) -> Plan:
    return Plan(
        changes=changes,
        fingerprint=doc.get("fingerprint") or "",
        live_counts=doc.get("live_counts") or {},
        warnings=doc.get("warnings") or [],
        errors=doc.get("errors") or [],
        kinds=doc.get("kinds") or [],
        account=doc.get("account"),
        organization=doc.get("organization"),
        partner_account=bool(doc.get("partner_account")),
        references=doc.get("references") or {},
        names=doc.get("names") or {},
        acknowledgements=doc.get("acknowledgements") or [],
        partial=doc.get("partial") or [],
        refresh_only=bool(doc.get("refresh_only")),
    )
