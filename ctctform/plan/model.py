"""What a plan is: changes on resources, the safety policy they were checked against, and the
facts an apply of a saved plan needs (fingerprint, what was read, the account)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from ctctform.errors import CtctformError
from ctctform.kinds import BY_REF, FieldChange, Live
from ctctform.manifest import Resource, Selector
from ctctform.manifest.refs import Unresolved, find_refs

PLAN_FORMAT = 2


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
    pending: list[str] = field(default_factory=list)  # "tag:VIP": ids known only after apply
    note: str | None = None  # right but not finished (an email waiting for confirmation)

    @property
    def live_id(self) -> str | None:
        return self.live.id if self.live else None

    @property
    def old_key(self) -> str | None:
        return self.live.key if self.live and self.live.key != self.key else None

    @property
    def address(self) -> str:
        """`lists:Newsletter`, as --target and settings spell it."""
        return f"{self.kind}:{self.key}"


def dependencies(change: Change) -> list[tuple[str, str]]:
    """The (kind, key) of every resource a change's declared fields reference."""
    if change.resource is None:
        return []
    return [
        (BY_REF[r.kind].name, r.name) for r in find_refs(change.resource.spec) if r.kind in BY_REF
    ]


@dataclass
class Policy:
    """Safety settings decided at plan time, before any write: the command line's, then the
    manifest's `settings:` (acknowledgements carried by the pull request itself)."""

    allow_delete: bool = False
    allow_replace: bool = False
    max_deletes: int = 10
    max_delete_percent: float = 25.0
    delete_acknowledged: list[Selector] = field(default_factory=list)
    replace_acknowledged: list[Selector] = field(default_factory=list)
    # Where each acknowledgement comes from, for the plan to say that it is in effect.
    sources: dict[str, str] = field(default_factory=dict)

    def deletes_ok(self, change: Change) -> bool:
        return any(s.matches(change.kind, change.key) for s in self.delete_acknowledged)

    def replace_ok(self, change: Change) -> bool:
        return self.allow_replace or any(
            s.matches(change.kind, change.key) for s in self.replace_acknowledged
        )


@dataclass
class Plan:
    changes: list[Change]  # every change including no-ops, in apply order
    fingerprint: str
    live_counts: dict[str, int]
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # safety violations: apply refuses
    kinds: list[str] = field(default_factory=list)  # kinds read, for the fingerprint on apply
    detailed: list[list[str]] = field(default_factory=list)  # (kind, id) whose details were read
    account: str | None = None  # the encoded id of the account the plan was made against
    organization: str | None = None
    partner_account: bool = False  # made through the partner API for a client account
    # "list:Newsletter" -> id, for every reference to a declared resource that already
    # exists: its id holds even when its own rename or update is left out (--exclude).
    references: dict[str, str] = field(default_factory=dict)
    # Names of the live resources this plan's changes point at (criteria ids, for reading).
    names: dict[str, str] = field(default_factory=dict)
    acknowledgements: list[str] = field(default_factory=list)  # settings: gates in effect
    partial: list[str] = field(default_factory=list)  # --target/--exclude as given
    refresh_only: bool = False
    # (kind, id) whose details a check needed but the live state lacked (read, then replan).
    unread: list[tuple[str, str]] = field(default_factory=list)

    @property
    def actionable(self) -> list[Change]:
        return [c for c in self.changes if c.action is not Action.NOOP]

    @property
    def has_changes(self) -> bool:
        return bool(self.actionable)

    @property
    def notes(self) -> list[Change]:
        return [c for c in self.changes if c.note]

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
            if self.refresh_only:
                return "No drift. The account matches the manifest."
            return "No changes. The account matches the manifest."
        if self.refresh_only:
            total = n["add"] + n["change"] + n["destroy"] - n["replace"]
            return f"Drift: {total} resource(s) differ from the manifest; nothing will be changed."
        return f"Plan: {n['add']} to add, {n['change']} to change, {n['destroy']} to destroy."


def pending_marker(ref: str, name: str) -> str:
    """What the planner's resolver answers for a resource the same apply creates."""
    return Unresolved.of(ref, name)


__all__ = [
    "PLAN_FORMAT",
    "Action",
    "Change",
    "Plan",
    "PlanError",
    "Policy",
    "dependencies",
    "pending_marker",
]
