"""Live state: each kind's resources as read, and a fingerprint of what a plan relied on."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from ctctform.kinds import REGISTRY, Kind, Live


@dataclass
class KindState:
    kind: Kind
    items: list[Live] = field(default_factory=list)

    def by_key(self) -> dict[str, Live]:
        return {lv.key: lv for lv in self.items}

    def by_id(self) -> dict[str, Live]:
        return {lv.id: lv for lv in self.items}


@dataclass
class LiveState:
    kinds: dict[str, KindState] = field(default_factory=dict)
    detailed: set[tuple[str, str]] = field(default_factory=set)
    # GET /account/summary, read first: the account every plan names before anything else.
    account: dict[str, Any] = field(default_factory=dict)

    def get(self, kind: str) -> KindState:
        """A kind's live resources; empty (and not recorded as read) if it was not read."""
        return self.kinds.get(kind) or KindState(REGISTRY[kind])

    def fingerprint(self) -> str:
        """A digest of what the plan depends on: ids, identities, and managed fields (for
        kinds with details, edited_at stands for the detail so undetailed ones still count)."""
        doc: dict[str, list[Any]] = {}
        for name in sorted(self.kinds):
            state = self.kinds[name]
            rows = []
            for lv in sorted(state.items, key=lambda lv: lv.id):
                if state.kind.has_details:
                    rows.append([lv.id, lv.key, lv.record.get("edited_at")])
                else:
                    rows.append([lv.id, lv.key, state.kind.current(lv)])
            doc[name] = rows
        text = json.dumps(doc, sort_keys=True, separators=(",", ":"), default=str)
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()
