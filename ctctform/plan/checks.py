"""Plan-time checks against the live account, all decided before any write.

Each returns error lines (and, where it says so, what it could not check for want of data).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from ctctform.kinds import REGISTRY, Kind, Live
from ctctform.live import LiveState
from ctctform.manifest import Manifest
from ctctform.plan.model import Action, Change, Policy

Changes = Mapping[tuple[str, str], Change]
WHOLE_KIND = "*"  # in Plan.unread: the kind's collection itself was not read


def names(
    kind: Kind,
    manifest: Manifest,
    live: LiveState,
    matched: Mapping[tuple[str, str], Live],
    deleted_ids: Mapping[str, set[str]],
) -> list[str]:
    """After the apply, what the API keeps unique must be unique: a create or rename may
    not take a name that a live resource keeps (custom fields: `A b` vs `a_b`)."""
    managed = {lv.id for (k, _), lv in matched.items() if k == kind.name}
    gone = deleted_ids.get(kind.name, set())
    final = {
        kind.unique_name(lv.key): lv.key
        for lv in live.get(kind.name).items
        if lv.id not in managed and lv.id not in gone
    }
    errors = []
    for res in manifest.resources.get(kind.name, []):
        name = kind.unique_name(res.key)
        other = final.setdefault(name, res.key)
        if other != res.key:
            errors.append(
                f"{res.location}: {kind.noun} {res.key!r} would have the API name {name!r}, "
                f"which {kind.noun} {other!r} in the account keeps; rename or prune one of them"
            )
    return errors


def counts(changes: Changes, live: LiveState) -> list[str]:
    """More resources of a kind after the apply than an account can hold."""
    errors = []
    for name, state in live.kinds.items():
        limit = state.kind.max_count
        if limit is None:
            continue
        delta = sum(
            1 if c.action is Action.CREATE else -1 if c.action is Action.DELETE else 0
            for c in changes.values()
            if c.kind == name
        )
        total = len(state.items) + delta
        if (
            delta > 0 and total > limit
        ):  # an account already over the limit is not this plan's doing
            errors.append(
                f"after this plan the account would hold {total} {name}; the API allows "
                f"{limit}: prune some or declare fewer"
            )
    return errors


def deletes(changes: Changes, live: LiveState, policy: Policy) -> tuple[list[str], list[str]]:
    """Replaces need acceptance; deletes over the threshold need --allow-delete. Returns the
    errors and the acknowledgements (from the manifest's settings) that were used."""
    errors: list[str] = []
    used: list[str] = []
    replaces = [c for c in changes.values() if c.action is Action.REPLACE]
    refused = [c for c in replaces if not policy.replace_ok(c)]
    if refused:
        names = ", ".join(c.address for c in refused)
        errors.append(
            f"this plan replaces {len(refused)} resource(s) ({names}): the old one is deleted "
            "with its contact data; re-run with --allow-replace, or acknowledge it in the "
            "manifest (settings: {allow_replace: [KIND:NAME]})"
        )
    if not policy.allow_replace:
        used += _acks(policy, "allow_replace", [c for c in replaces if policy.replace_ok(c)])
    doomed = [c for c in changes.values() if c.action is Action.DELETE]
    acknowledged = [c for c in doomed if policy.deletes_ok(c)]
    if not policy.allow_delete:
        used += _acks(policy, "allow_delete", acknowledged)
    if policy.allow_delete:
        return errors, used
    counted = Counter(c.kind for c in doomed if not policy.deletes_ok(c))
    total = sum(counted.values())
    if total > policy.max_deletes:
        errors.append(
            f"this plan deletes {total} resources, more than the threshold of "
            f"{policy.max_deletes}; re-run with --allow-delete to accept"
        )
        return errors, used
    for kind, n in sorted(counted.items()):
        live_n = len(live.get(kind).items)
        if n * 100 > policy.max_delete_percent * live_n:
            errors.append(
                f"this plan deletes {n} of {live_n} {kind} (more than "
                f"{policy.max_delete_percent:g}%); re-run with --allow-delete to accept"
            )
    return errors, used


def _acks(policy: Policy, setting: str, changes: list[Change]) -> list[str]:
    """One line per kind: `settings.allow_delete (FILE:LINE) accepts deleting 3 tags: 'A',
    'B', 'C'` (at most five names: a prune of thousands is one line, not thousands)."""
    where = policy.sources.get(setting, "the manifest")
    verb = "replacing" if setting == "allow_replace" else "deleting"
    by_kind: dict[str, list[str]] = {}
    for change in changes:
        by_kind.setdefault(change.kind, []).append(repr(change.key))
    out = []
    for kind, keys in by_kind.items():
        names = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
        out.append(f"settings.{setting} ({where}) accepts {verb} {len(keys)} {kind}: {names}")
    return out


def dangling(changes: Changes, live: LiveState) -> tuple[list[str], list[tuple[str, str]]]:
    """A kept segment must not point at a resource this plan deletes or replaces.

    Returns the errors, and the kept segments whose criteria were needed but not read (the
    workflow reads them and plans again)."""
    referable = {*REGISTRY["segments"].depends_on, "segments"}
    gone = {
        c.live.id: c
        for c in changes.values()
        if c.live is not None
        and c.kind in referable
        and c.action in (Action.DELETE, Action.REPLACE)
    }
    if not gone:
        return [], []
    if "segments" not in live.kinds:
        return [], [("segments", WHOLE_KIND)]  # the account's segments must be read first
    final, unread = _final_criteria(changes, live, gone)
    if unread:
        return [], unread
    errors = []
    for name, criteria in final.items():
        for ident in sorted(_referenced(criteria, gone)):
            doomed = gone[ident]
            noun = REGISTRY[doomed.kind].noun
            what = "deletes" if doomed.action is Action.DELETE else "replaces"
            errors.append(
                f"segment {name!r} refers to {noun} {doomed.key!r}, which this plan {what}; "
                f"change or prune the segment, or keep the {noun}"
            )
    return errors, []


def _final_criteria(
    changes: Changes, live: LiveState, gone: Mapping[str, Change]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The criteria each segment will have after the apply: from the manifest where the
    plan rewrites them, otherwise as the account holds them."""
    by_live = {c.live.id: c for c in changes.values() if c.live is not None}
    out: dict[str, Any] = {}
    unread = []
    segments = REGISTRY["segments"]
    for lv in live.get("segments").items:
        ch = by_live.get(lv.id)
        if lv.id in gone:
            continue
        if ch is not None and "criteria" in ch.fields:
            out[ch.key] = ch.fields["criteria"].after
        elif ("segments", lv.id) in live.detailed:
            out[lv.key] = segments.current(lv)["criteria"]
        else:
            unread.append(("segments", lv.id))
    for c in changes.values():
        if c.kind == "segments" and c.action is Action.CREATE:
            out[c.key] = c.fields["criteria"].after
    return out, unread


def _referenced(criteria: Any, gone: Mapping[str, Change]) -> set[str]:
    """Ids in `gone` that criteria point at. Lists, tags and custom fields have uuids, found
    anywhere in the text; segment ids are small integers, so they count only inside a
    condition about segments (a `const_value` of "5" elsewhere is not segment 5)."""
    text = criteria if isinstance(criteria, str) else json.dumps(criteria)
    hits = {i for i, c in gone.items() if c.kind != "segments" and i in text}
    segment_ids = {i for i, c in gone.items() if c.kind == "segments"}
    if segment_ids:
        hits |= _segment_leaves(criteria) & segment_ids
    return hits


def _segment_leaves(node: Any, about_segments: bool = False) -> set[str]:
    if isinstance(node, dict):
        about = about_segments or any("segment" in str(v) for v in (*node, *node.values()))
        return set().union(*(_segment_leaves(v, about) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_segment_leaves(v, about_segments) for v in node))
    return {str(node)} if about_segments and node is not None else set()
