"""Reading the live account: collections of every kind in scope, then segment details.

Collections are read in parallel and details overlap within the client's rate limit, so a
plan of a large account costs the collection pages plus one read per managed segment. A local
cache of details, keyed by id and edit time, lets a repeat plan skip the unchanged ones.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
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

    def get(self, kind: str) -> KindState:
        """A kind's live resources; empty (and not recorded as read) if it was not read."""
        return self.kinds.get(kind) or KindState(REGISTRY[kind])

    def fingerprint(self) -> str:
        """A digest of what the plan depends on: ids, identities, and managed fields (for
        segments, edited_at stands for the criteria so undetailed segments still count)."""
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


class DetailCache:
    """Segment criteria kept on disk between runs, keyed by segment_id and edited_at."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.data: dict[str, dict[str, Any]] = {}
        self.dirty = False
        if path and path.exists():
            try:
                self.data = json.loads(path.read_text())
            except (OSError, ValueError):
                self.data = {}  # a damaged cache is only a slower plan

    @staticmethod
    def default_path(api_url: str, account: str | None) -> Path:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ctctform"
        digest = hashlib.sha256(f"{api_url}|{account or ''}".encode()).hexdigest()[:16]
        return base / f"details-{digest}.json"

    def get(self, key: str | None) -> dict[str, Any] | None:
        return self.data.get(key) if key else None

    def put(self, key: str | None, detail: dict[str, Any]) -> None:
        if key:
            self.data[key] = detail
            self.dirty = True

    def save(self, keep: Iterable[str]) -> None:
        if not (self.path and self.dirty):
            return
        wanted = set(keep)
        self.data = {k: v for k, v in self.data.items() if k in wanted}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.data))
            tmp.replace(self.path)
        except OSError:
            pass  # caching is an optimisation; a read-only home must not fail the plan


class LiveReader:
    """Reads collections and details through one client, overlapping requests."""

    def __init__(self, client: Any, parallelism: int = 4, cache: DetailCache | None = None):
        self.client = client
        self.parallelism = max(1, parallelism)
        self.cache = cache or DetailCache(None)

    def read(self, kinds: Iterable[str]) -> LiveState:
        state = LiveState()
        names = list(kinds)
        with ThreadPoolExecutor(max_workers=min(self.parallelism, max(1, len(names)))) as pool:
            results = pool.map(lambda n: (n, REGISTRY[n].read(self.client)), names)
            for name, items in results:
                state.kinds[name] = KindState(REGISTRY[name], items)
        return state

    def details(self, state: LiveState, kind_name: str, lives: Iterable[Live]) -> None:
        kind = REGISTRY[kind_name]
        todo = [lv for lv in lives if (kind_name, lv.id) not in state.detailed]
        missing = []
        for lv in todo:
            cached = self.cache.get(kind.detail_cache_key(lv))
            if cached is None:
                missing.append(lv)
            else:
                kind.merge_detail(lv, cached)
            state.detailed.add((kind_name, lv.id))
        if not missing:
            return
        with ThreadPoolExecutor(max_workers=self.parallelism) as pool:
            for lv, detail in zip(
                missing,
                pool.map(lambda lv: kind.read_detail(self.client, lv), missing),
                strict=True,
            ):
                kind.merge_detail(lv, detail)
                self.cache.put(kind.detail_cache_key(lv), detail)

    def save_cache(self, state: LiveState) -> None:
        keys = []
        for st in state.kinds.values():
            if st.kind.has_details:
                keys.extend(k for lv in st.items if (k := st.kind.detail_cache_key(lv)))
        self.cache.save(keys)
