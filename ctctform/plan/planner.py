"""The planner: desired state (manifest) against live state, as ordered, checked changes.

Pure: it reads nothing. The workflow asks it what to read (`kinds_to_read`,
`details_wanted`), reads, and plans; when a check needed details the live state lacks
(`Plan.unread`: criteria of kept segments, to see that a delete leaves none dangling), the
workflow reads those and plans again.
"""

from __future__ import annotations

from collections.abc import Iterable

from ctctform.kinds import BY_REF, REGISTRY, FieldChange, Kind, Live
from ctctform.live import LiveState
from ctctform.manifest import Manifest, Resource
from ctctform.manifest.refs import find_refs
from ctctform.plan import checks
from ctctform.plan.model import (
    Action,
    Change,
    Plan,
    Policy,
    dependencies,
    pending_marker,
)
from ctctform.plan.order import order_changes, order_errors
from ctctform.plan.selection import Selection


class _RefError(Exception):
    pass


class Planner:
    """Matches desired to live, diffs, orders and checks. One per manifest."""

    def __init__(self, manifest: Manifest, selection: Selection, policy: Policy) -> None:
        self.manifest = manifest
        self.sel = selection
        self.policy = policy
        # Looked up once per reference: keep them as sets and maps, not scans.
        self.declared = {k: {r.key for r in rs} for k, rs in manifest.resources.items()}

    # -- what to read ------------------------------------------------------------------------

    def kinds_to_read(self) -> list[str]:
        """Kinds the manifest declares or prunes, narrowed by the selection, plus the kinds
        segment criteria name (their ids resolve the references). (When the plan deletes or
        replaces something a segment could point at, it asks for segments: `Plan.unread`.)"""
        m = self.manifest
        scope = {k for k, rs in m.resources.items() if rs or m.prune.get(k)}
        kinds = self.sel.kinds(scope)
        for name in list(kinds):
            for res in m.resources.get(name, []):
                kinds.update(BY_REF[r.kind].name for r in find_refs(res.spec) if r.kind in BY_REF)
        return [k for k in REGISTRY if k in kinds]

    def details_wanted(self, live: LiveState) -> dict[str, list[Live]]:
        """The managed resources of kinds whose collection omits managed fields."""
        out: dict[str, list[Live]] = {}
        for name, state in live.kinds.items():
            if state.kind.has_details:
                matched = _Matching(self.manifest, state.kind, live).matched.values()
                out[name] = list(matched)
        return out

    # -- the plan ----------------------------------------------------------------------------

    def plan(self, live: LiveState) -> Plan:
        return _Build(self, live).run()


class _Matching:
    """Pairs each declared resource of one kind with its live one (by identity, then by an
    earlier name in `renamed_from`)."""

    def __init__(self, manifest: Manifest, kind: Kind, live: LiveState) -> None:
        key = kind.match_key
        self.by_key = {key(lv.key): lv for lv in live.get(kind.name).items}
        self.matched: dict[str, Live] = {}
        self.warnings: list[str] = []
        claimed: set[str] = set()
        for res in manifest.resources.get(kind.name, []):
            found = self.by_key.get(key(res.key))
            if found is None:
                found = next(
                    (
                        c
                        for o in res.renamed_from
                        if (c := self.by_key.get(key(o))) and c.id not in claimed
                    ),
                    None,
                )
            else:
                for old in res.renamed_from:
                    if key(old) in self.by_key:
                        self.warnings.append(
                            f"{res.location}: {kind.noun} {res.key!r} already exists, so "
                            f"{old!r} is not renamed; it stays as it is unless pruned"
                        )
            if found is not None:
                claimed.add(found.id)
                self.matched[res.key] = found
        self.leftovers = [lv for lv in live.get(kind.name).items if lv.id not in claimed]


class _Build:
    def __init__(self, planner: Planner, live: LiveState) -> None:
        self.p = planner
        self.manifest = planner.manifest
        self.live = live
        self.errors: list[str] = []
        self.warnings: list[str] = list(planner.manifest.warnings)
        self.matched: dict[tuple[str, str], Live] = {}
        self.changes: dict[tuple[str, str], Change] = {}
        self.deleted_ids: dict[str, set[str]] = {}
        self.live_by_key = {k: st.by_key() for k, st in live.kinds.items()}
        self._pending: list[str] = []

    def run(self) -> Plan:
        kinds = [k for k in REGISTRY.values() if k.name in self.live.kinds]
        for kind in kinds:
            matching = _Matching(self.manifest, kind, self.live)
            self.warnings += matching.warnings
            self.matched.update({(kind.name, k): lv for k, lv in matching.matched.items()})
            self.plan_kind(kind, matching.leftovers)
            self.errors += checks.names(
                kind, self.manifest, self.live, self.matched, self.deleted_ids
            )
        self.warnings += self.p.sel.unmatched(self.changes)
        self.changes = self.p.sel.apply(self.changes, self.errors)
        dangling, unread = checks.dangling(self.changes, self.live)
        self.errors += dangling
        self.errors += checks.counts(self.changes, self.live)
        gate_errors, acknowledged = checks.deletes(self.changes, self.live, self.p.policy)
        self.errors += gate_errors
        ordered = order_changes(list(self.changes.values()))
        self.errors += order_errors([c for c in ordered if c.action is not Action.DELETE])
        return Plan(
            changes=ordered,
            fingerprint=self.live.fingerprint(),
            live_counts={n: len(s.items) for n, s in self.live.kinds.items()},
            warnings=[w for w in self.warnings if w],
            errors=self.errors,
            kinds=sorted(self.live.kinds),
            detailed=sorted([k, i] for k, i in self.live.detailed),
            account=self.live.account.get("encoded_account_id"),
            organization=self.live.account.get("organization_name"),
            references=self.known_references(),
            names=self.live_names(),
            acknowledgements=acknowledged,
            partial=self.p.sel.partial,
            unread=unread,
        )

    # -- references --------------------------------------------------------------------------

    def resolve(self, ref: str, name: str) -> str:
        kind = BY_REF.get(ref)
        if kind is None:
            raise _RefError(f"unknown reference kind {ref!r}")
        if name in self.p.declared.get(kind.name, ()):
            ch = self.changes.get((kind.name, name))
            live = self.matched.get((kind.name, name))
            if live is not None and (ch is None or ch.action is not Action.REPLACE):
                return live.id
            self._pending.append(f"{ref}:{name}")
            return pending_marker(ref, name)
        live = self.live_by_key.get(kind.name, {}).get(name)
        if live is None:
            raise _RefError(
                f"${{{ref}:{name}}} names a {kind.noun} that is neither declared nor in the account"
            )
        if live.id in self.deleted_ids.get(kind.name, set()):
            raise _RefError(f"${{{ref}:{name}}} names a {kind.noun} this plan deletes (pruned)")
        return live.id

    def known_references(self) -> dict[str, str]:
        out = {}
        for ch in self.changes.values():
            for kind, key in dependencies(ch):
                live = self.matched.get((kind, key))
                dep = self.changes.get((kind, key))
                if live is not None and not (dep and dep.action is Action.REPLACE):
                    out[f"{REGISTRY[kind].ref}:{key}"] = live.id
        return out

    def live_names(self) -> dict[str, str]:
        """id -> `kind:name` of every live resource segments can refer to, for renderers to
        show references by name next to their id."""
        return {
            lv.id: f"{REGISTRY[name].ref}:{lv.key}"
            for name, state in self.live.kinds.items()
            if REGISTRY[name].ref and name != "segments"
            for lv in state.items
        }

    # -- diffing -----------------------------------------------------------------------------

    def plan_kind(self, kind: Kind, leftovers: list[Live]) -> None:
        for res in self.manifest.resources.get(kind.name, []):
            self.plan_resource(kind, res)
        if not kind.prunable:
            return
        prunable = [lv for lv in leftovers if not self.p.sel.excluded(kind.name, lv.key)]
        if self.manifest.prune.get(kind.name):
            for live in prunable:
                if self.p.sel.targeted(kind.name, live.key):
                    self.changes[(kind.name, live.key)] = Change(
                        kind.name, live.key, Action.DELETE, live=live
                    )
                    self.deleted_ids.setdefault(kind.name, set()).add(live.id)
        elif prunable:
            self.warnings.append(_left_alone(kind, [lv.key for lv in prunable]))

    def plan_resource(self, kind: Kind, res: Resource) -> None:
        self._pending = []
        try:
            want = kind.desired(res, self.resolve)
        except _RefError as exc:
            self.errors.append(f"{res.location}: {kind.name} {res.key!r}: {exc}")
            return
        pending = sorted(set(self._pending))
        live = self.matched.get((kind.name, res.key))
        key = (kind.name, res.key)
        if live is None:
            if not kind.can_create:
                self.errors.append(f"{res.location}: the account has no {kind.noun} to update")
                return
            fields = {k: FieldChange(None, v) for k, v in want.items() if k not in kind.create_only}
            self.changes[key] = Change(
                kind.name, res.key, Action.CREATE, res, None, fields, pending
            )
            return
        fields = kind.diff(want, kind.current(live))
        action = _action(kind, fields)
        if action is Action.REPLACE:
            self.deleted_ids.setdefault(kind.name, set()).add(live.id)
            if res.protect:
                self.errors.append(
                    f"{res.location}: {kind.noun} {res.key!r} is protected and cannot be "
                    f"replaced (changing {', '.join(sorted(fields))})"
                )
        note = kind.status_note(live) if action is Action.NOOP else None
        self.changes[key] = Change(kind.name, res.key, action, res, live, fields, pending, note)


def _action(kind: Kind, fields: dict[str, FieldChange]) -> Action:
    if not fields:
        return Action.NOOP
    if any(f in kind.replace_fields for f in fields):
        return Action.REPLACE
    if set(fields) == {kind.key_field} or set(fields) == {kind.identity}:
        return Action.RENAME
    return Action.UPDATE


def _left_alone(kind: Kind, keys: Iterable[str]) -> str:
    names = sorted(keys)
    shown = ", ".join(repr(n) for n in names[:5]) + (
        f" and {len(names) - 5} more" if len(names) > 5 else ""
    )
    return (
        f"{len(names)} {kind.noun}(s) in the account but not in the manifest are left alone "
        f"({shown}); set prune.{kind.name}: true to delete them"
    )
