"""The plan: desired state (manifest) against live state, as ordered, checked changes.

Planning is pure given a LiveState, except that it may ask the reader for segment details it
turns out to need (to check that a delete leaves no kept segment pointing at nothing).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ctctform import __version__
from ctctform.errors import CtctformError
from ctctform.kinds import BY_REF, REGISTRY, FieldChange, Kind, Live
from ctctform.live import LiveReader, LiveState
from ctctform.manifest import Location, Manifest, Resource
from ctctform.manifest.refs import find_refs
from ctctform.selection import Selection

PLAN_FORMAT = 1


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    RENAME = "rename"
    REPLACE = "replace"
    DELETE = "delete"
    NOOP = "no-op"


class PlanError(CtctformError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class Change:
    kind: str
    key: str
    action: Action
    resource: Resource | None = None  # what the manifest declares (absent for deletes)
    live: Live | None = None  # what the account holds (absent for creates)
    fields: dict[str, FieldChange] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)  # references known only after apply

    @property
    def live_id(self) -> str | None:
        return self.live.id if self.live else None

    @property
    def old_key(self) -> str | None:
        return self.live.key if self.live and self.live.key != self.key else None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "key": self.key,
            "action": str(self.action),
            "id": self.live_id,
        }
        if self.old_key:
            out["renamed_from"] = self.old_key
        if self.fields:
            out["fields"] = {
                k: {"before": v.before, "after": v.after} for k, v in self.fields.items()
            }
        if self.pending:
            out["known_after_apply"] = self.pending
        if self.resource:
            r = self.resource
            out["resource"] = {
                "spec": r.spec,
                "renamed_from": r.renamed_from,
                "protect": r.protect,
                "location": {"file": r.location.file, "line": r.location.line},
            }
        return out

    @classmethod
    def from_dict(cls, doc: dict[str, Any], live: Live | None) -> Change:
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
        fields = {
            k: FieldChange(v["before"], v["after"]) for k, v in (doc.get("fields") or {}).items()
        }
        return cls(
            kind=doc["kind"],
            key=doc["key"],
            action=Action(doc["action"]),
            resource=res,
            live=live,
            fields=fields,
            pending=list(doc.get("known_after_apply") or []),
        )


@dataclass
class Policy:
    """Safety settings decided at plan time, before any write."""

    allow_delete: bool = False
    allow_replace: bool = False
    max_deletes: int = 10
    max_delete_percent: float = 25.0


@dataclass
class Plan:
    changes: list[Change]  # every change including no-ops, in apply order
    fingerprint: str
    live_counts: dict[str, int]
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # safety violations: apply refuses
    kinds: list[str] = field(default_factory=list)  # kinds read, for the fingerprint on apply
    detailed: list[list[str]] = field(default_factory=list)  # (kind, id) whose details were read
    account: str | None = None
    # "list:Newsletter" -> id, for every reference to a declared resource that already
    # exists: its id holds even when its own rename or update is left out (--exclude).
    references: dict[str, str] = field(default_factory=dict)

    @property
    def actionable(self) -> list[Change]:
        return [c for c in self.changes if c.action is not Action.NOOP]

    @property
    def has_changes(self) -> bool:
        return bool(self.actionable)

    def counts(self) -> dict[str, int]:
        c = Counter(ch.action for ch in self.changes)
        return {
            "add": c[Action.CREATE] + c[Action.REPLACE],
            "change": c[Action.UPDATE] + c[Action.RENAME],
            "destroy": c[Action.DELETE] + c[Action.REPLACE],
            "replace": c[Action.REPLACE],
            "unchanged": c[Action.NOOP],
        }

    def summary(self) -> str:
        n = self.counts()
        if not self.has_changes:
            return "No changes. The account matches the manifest."
        return f"Plan: {n['add']} to add, {n['change']} to change, {n['destroy']} to destroy."

    def to_dict(self, requests: dict[str, Any] | None = None) -> dict[str, Any]:
        return {
            "format_version": PLAN_FORMAT,
            "ctctform_version": __version__,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "account": self.account,
            "fingerprint": self.fingerprint,
            "kinds": self.kinds,
            "detailed": self.detailed,
            "references": self.references,
            "summary": self.counts(),
            "live_counts": self.live_counts,
            "changes": [c.to_dict() for c in self.actionable],
            "warnings": self.warnings,
            "errors": self.errors,
            "api_requests": requests or {},
        }


class Planner:
    """Matches desired to live, diffs, orders and checks. One per plan."""

    def __init__(
        self,
        manifest: Manifest,
        live: LiveState,
        reader: LiveReader | None,
        selection: Selection,
        policy: Policy,
    ) -> None:
        self.manifest = manifest
        self.live = live
        self.reader = reader
        self.sel = selection
        self.policy = policy
        self.errors: list[str] = []
        self.warnings: list[str] = list(manifest.warnings)
        self.matched: dict[tuple[str, str], Live] = {}  # (kind, declared key) -> live
        self.changes: dict[tuple[str, str], Change] = {}
        self.deleted_ids: dict[str, set[str]] = {}
        self._pending: list[str] = []
        # Looked up once per reference: keep them as sets and maps, not scans.
        self.declared = {k: {r.key for r in rs} for k, rs in manifest.resources.items()}
        self.live_by_key = {k: st.by_key() for k, st in live.kinds.items()}

    # -- matching ----------------------------------------------------------------
    def match(self, kind: Kind) -> list[Live]:
        """Pair each declared resource with its live one; returns the live ones left over."""
        state = self.live.get(kind.name)
        by_key = self.live_by_key.get(kind.name, {})
        claimed: set[str] = set()
        for res in self.manifest.resources[kind.name]:
            live = by_key.get(res.key)
            if live is None:
                for old in res.renamed_from:
                    cand = by_key.get(old)
                    if cand is not None and cand.id not in claimed:
                        live = cand
                        break
            else:
                for old in res.renamed_from:
                    if old in by_key:
                        self.warnings.append(
                            f"{res.location.file}:{res.location.line}: {kind.noun} {res.key!r} "
                            f"already exists, so {old!r} is not renamed; it stays as it is "
                            "unless pruned"
                        )
            if live is not None:
                claimed.add(live.id)
                self.matched[(kind.name, res.key)] = live
        return [lv for lv in state.items if lv.id not in claimed]

    # -- references --------------------------------------------------------------
    def resolve(self, ref: str, name: str) -> str:
        kind = BY_REF.get(ref)
        if kind is None:
            raise _RefError(f"unknown reference kind {ref!r}")
        if name in self.declared.get(kind.name, ()):
            ch = self.changes.get((kind.name, name))
            live = self.matched.get((kind.name, name))
            if live is not None and (ch is None or ch.action is not Action.REPLACE):
                return live.id
            self._pending.append(f"{ref}:{name}")
            return _pending(ref, name)
        live = self.live_by_key.get(kind.name, {}).get(name)
        if live is None:
            raise _RefError(
                f"${{{ref}:{name}}} names a {kind.noun} that is neither declared nor in the account"
            )
        if live.id in self.deleted_ids.get(kind.name, set()):
            raise _RefError(f"${{{ref}:{name}}} names a {kind.noun} this plan deletes (pruned)")
        return live.id

    # -- diffing -----------------------------------------------------------------
    def plan_kind(self, kind: Kind, leftovers: list[Live]) -> None:
        for res in self.manifest.resources[kind.name]:
            self.plan_resource(kind, res)
        prunable = [lv for lv in leftovers if not self.sel.excluded(kind.name, lv.key)]
        if self.manifest.prune.get(kind.name):
            for live in prunable:
                if not self.sel.targeted(kind.name, live.key):
                    continue
                self.changes[(kind.name, live.key)] = Change(
                    kind.name, live.key, Action.DELETE, live=live
                )
                self.deleted_ids.setdefault(kind.name, set()).add(live.id)
        elif prunable:
            self.warnings.append(
                f"{len(prunable)} {kind.noun}(s) in the account not in the manifest are left "
                f"alone (set prune.{kind.name}: true to delete them)"
            )

    def plan_resource(self, kind: Kind, res: Resource) -> None:
        self._pending = []
        try:
            want = kind.desired(res, self.resolve)
        except _RefError as exc:
            self.errors.append(
                f"{res.location.file}:{res.location.line}: {kind.name} {res.key!r}: {exc}"
            )
            return
        pending = sorted(set(self._pending))
        live = self.matched.get((kind.name, res.key))
        if live is None:
            fields = {k: FieldChange(None, v) for k, v in want.items() if k not in kind.create_only}
            self.changes[(kind.name, res.key)] = Change(
                kind.name, res.key, Action.CREATE, res, None, fields, pending
            )
            return
        fields = kind.diff(want, kind.current(live))
        action = self._action(kind, fields)
        if action is Action.REPLACE:
            self.deleted_ids.setdefault(kind.name, set()).add(live.id)
            if res.protect:
                self.errors.append(
                    f"{res.location.file}:{res.location.line}: {kind.noun} {res.key!r} is protected "
                    f"and cannot be replaced (changing {', '.join(sorted(fields))})"
                )
        self.changes[(kind.name, res.key)] = Change(
            kind.name, res.key, action, res, live, fields, pending
        )

    @staticmethod
    def _action(kind: Kind, fields: dict[str, FieldChange]) -> Action:
        if not fields:
            return Action.NOOP
        if any(f in kind.replace_fields for f in fields):
            return Action.REPLACE
        if set(fields) == {kind.key_field}:
            return Action.RENAME
        return Action.UPDATE

    def known_references(self) -> dict[str, str]:
        out = {}
        for ch in self.changes.values():
            for kind, key in dependencies(ch):
                live = self.matched.get((kind, key))
                dep = self.changes.get((kind, key))
                if live is not None and not (dep and dep.action is Action.REPLACE):
                    out[f"{REGISTRY[kind].ref}:{key}"] = live.id
        return out

    # -- checks ------------------------------------------------------------------
    def check_dangling(self) -> None:
        """A kept segment must not point at a resource this plan deletes or replaces."""
        referable = {*REGISTRY["segments"].depends_on, "segments"}
        gone = {
            c.live.id: c
            for c in self.changes.values()
            if c.live is not None
            and c.kind in referable
            and c.action in (Action.DELETE, Action.REPLACE)
        }
        if not gone:
            return
        if "segments" not in self.live.kinds:
            if self.reader is None:
                return
            # The manifest leaves segments alone, but the account's segments must still not
            # end up pointing at what this plan deletes.
            self.live.kinds.update(self.reader.read(["segments"]).kinds)
        final = self._final_criteria(gone)
        for name, criteria in final.items():
            for ident in sorted(_referenced(criteria, gone)):
                doomed = gone[ident]
                what = "deletes" if doomed.action is Action.DELETE else "replaces"
                self.errors.append(
                    f"segment {name!r} refers to {REGISTRY[doomed.kind].noun} {doomed.key!r}, "
                    f"which this plan {what}; change or prune the segment, or keep the "
                    f"{REGISTRY[doomed.kind].noun}"
                )

    def _final_criteria(self, gone: dict[str, Change]) -> dict[str, Any]:
        """The criteria each segment will have after the apply: from the manifest where the
        plan rewrites them, otherwise as the account holds them (read if not read yet)."""
        by_live = {c.live.id: c for c in self.changes.values() if c.live is not None}
        out: dict[str, Any] = {}
        as_is = []
        for lv in self.live.get("segments").items:
            ch = by_live.get(lv.id)
            if lv.id in gone:
                continue
            if ch is not None and "criteria" in ch.fields:
                out[ch.key] = ch.fields["criteria"].after
            else:
                as_is.append(lv)
        if as_is and self.reader is not None:
            self.reader.details(self.live, "segments", as_is)
        for lv in as_is:
            out[lv.key] = REGISTRY["segments"].current(lv)["criteria"]
        for c in self.changes.values():
            if c.kind == "segments" and c.action is Action.CREATE:
                out[c.key] = c.fields["criteria"].after
        return out

    def check_names(self, kind: Kind) -> None:
        """After the apply, what the API keeps unique must be unique: a create or rename may
        not take a name that a live resource keeps (custom fields: `a b` vs `a_b`)."""
        managed = {lv.id for (k, _), lv in self.matched.items() if k == kind.name}
        gone = self.deleted_ids.get(kind.name, set())
        final = {
            kind.unique_name(lv.key): lv.key
            for lv in self.live.get(kind.name).items
            if lv.id not in managed and lv.id not in gone
        }
        for res in self.manifest.resources[kind.name]:
            name = kind.unique_name(res.key)
            other = final.setdefault(name, res.key)
            if other != res.key:
                self.errors.append(
                    f"{res.location.file}:{res.location.line}: {kind.noun} {res.key!r} would "
                    f"have the API name {name!r}, which {kind.noun} {other!r} in the account "
                    "keeps; rename or prune one of them"
                )

    def check_deletes(self) -> None:
        pol = self.policy
        deletes = Counter(c.kind for c in self.changes.values() if c.action is Action.DELETE)
        replaces = [c for c in self.changes.values() if c.action is Action.REPLACE]
        if replaces and not pol.allow_replace:
            names = ", ".join(f"{c.kind}:{c.key}" for c in replaces)
            self.errors.append(
                f"this plan replaces {len(replaces)} resource(s) ({names}): the old one is deleted "
                "with its contact data; re-run with --allow-replace to accept"
            )
        if pol.allow_delete:
            return
        total = sum(deletes.values())
        if total > pol.max_deletes:
            self.errors.append(
                f"this plan deletes {total} resources, more than the threshold of {pol.max_deletes}; "
                "re-run with --allow-delete to accept"
            )
            return
        for kind, n in sorted(deletes.items()):
            live_n = len(self.live.get(kind).items)
            if n * 100 > pol.max_delete_percent * live_n:
                self.errors.append(
                    f"this plan deletes {n} of {live_n} {kind} (more than "
                    f"{pol.max_delete_percent:g}%); re-run with --allow-delete to accept"
                )

    # -- the whole -----------------------------------------------------------------
    def build(self) -> Plan:
        kinds = [k for k in REGISTRY.values() if k.name in self.live.kinds]
        for kind in kinds:
            leftovers = self.match(kind)
            if kind.has_details and self.reader is not None:
                managed = [lv for (k, _), lv in self.matched.items() if k == kind.name]
                self.reader.details(self.live, kind.name, managed)
            self.plan_kind(kind, leftovers)
            self.check_names(kind)
        self.warnings += self.sel.unmatched(self.changes)
        self.changes = self.sel.apply(self.changes, self.errors)
        self.check_dangling()
        self.check_deletes()
        ordered = order_changes(list(self.changes.values()))
        try:
            waves([c for c in ordered if c.action is not Action.DELETE])
        except PlanError as exc:
            self.errors.extend(exc.errors)
        return Plan(
            changes=ordered,
            fingerprint=self.live.fingerprint(),
            live_counts={n: len(s.items) for n, s in self.live.kinds.items()},
            warnings=[w for w in self.warnings if w],
            errors=self.errors,
            kinds=sorted(self.live.kinds),
            detailed=sorted([k, i] for k, i in self.live.detailed),
            references=self.known_references(),
        )


class _RefError(Exception):
    pass


def _referenced(criteria: Any, gone: dict[str, Change]) -> set[str]:
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


def _pending(ref: str, name: str) -> str:
    return f"(known after apply: {ref} {name})"


def dependencies(change: Change) -> list[tuple[str, str]]:
    """The (kind, key) of every resource a change's declared fields reference."""
    if change.resource is None:
        return []
    return [
        (BY_REF[r.kind].name, r.name) for r in find_refs(change.resource.spec) if r.kind in BY_REF
    ]


def order_changes(changes: list[Change]) -> list[Change]:
    """Deletes first, dependents before what they depend on; then creates and updates with
    what is depended on first. Within a kind, renames before creates (a create may take a
    name a rename frees) and segments in reference order."""
    rank = {name: i for i, name in enumerate(REGISTRY)}
    n = len(rank)

    def key(c: Change) -> tuple[int, int, int, str]:
        if c.action is Action.DELETE:
            return (0, n - rank[c.kind], 0, c.key)
        sub = {
            Action.RENAME: 0,
            Action.UPDATE: 1,
            Action.REPLACE: 2,
            Action.CREATE: 2,
            Action.NOOP: 3,
        }
        return (1, rank[c.kind], sub[c.action], c.key)

    return sorted(changes, key=key)


def waves(group: list[Change]) -> list[list[Change]]:
    """Split a group into waves so that each change runs after those it must follow: after
    the rename that frees its name, and after the creation of what it references."""
    index = {(c.kind, c.key): c for c in group}
    after: dict[int, set[int]] = {id(c): set() for c in group}

    def unique(c: Change, key: str) -> tuple[str, str]:
        return (c.kind, REGISTRY[c.kind].unique_name(key))

    freed = {unique(c, c.live.key): c for c in group if c.live and c.live.key != c.key}
    for c in group:
        holder = freed.get(unique(c, c.key))
        if holder is not None and holder is not c:
            after[id(c)].add(id(holder))
        for p in c.pending:
            ref, _, name = p.partition(":")
            dep = index.get((BY_REF[ref].name, name))
            if dep is not None and dep is not c:
                after[id(c)].add(id(dep))
    out: list[list[Change]] = []
    left = list(group)
    done: set[int] = set()
    while left:
        ready = [c for c in left if after[id(c)] <= done]
        if not ready:
            names = ", ".join(f"{c.kind}:{c.key}" for c in left)
            raise PlanError(
                [f"these changes wait on each other ({names}); rename through an unused name first"]
            )
        out.append(ready)
        done |= {id(c) for c in ready}
        left = [c for c in left if id(c) not in done]
    return out
