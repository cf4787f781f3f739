"""What an apply did: each change done, failed, skipped (something it needs failed) or not
started (the run stopped: a systemic failure)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ctctform.plan import Action, Change


@dataclass
class ApplyResult:
    done: list[tuple[Change, str]] = field(default_factory=list)
    failed: list[tuple[Change, str]] = field(default_factory=list)
    skipped: list[tuple[Change, str]] = field(default_factory=list)
    not_started: list[Change] = field(default_factory=list)
    stopped: str | None = None  # why no new work started, after a systemic failure

    @property
    def ok(self) -> bool:
        return not self.failed and not self.skipped and not self.not_started

    def counts(self) -> dict[str, int]:
        out = {"added": 0, "changed": 0, "destroyed": 0}
        for ch, _ in self.done:
            if ch.action in (Action.CREATE, Action.REPLACE):
                out["added"] += 1
            if ch.action in (Action.UPDATE, Action.RENAME):
                out["changed"] += 1
            if ch.action in (Action.DELETE, Action.REPLACE):
                out["destroyed"] += 1
        return out
