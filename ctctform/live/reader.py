"""Reading the live account: collections of every kind in scope, then details.

Collections are read in parallel and details overlap within the client's rate limit, so a
plan of a large account costs the collection pages plus one read per managed segment. A local
cache of details, keyed by id and edit time, lets a repeat plan skip the unchanged ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

from ctctform.api.errors import Halted
from ctctform.kinds import REGISTRY, Live
from ctctform.kinds.base import ApiLike
from ctctform.live.cache import DetailCache
from ctctform.live.state import KindState, LiveState


def raise_first_cause(errors: list[BaseException | None]) -> None:
    """Raise the failure that matters: when one read fails systemically the others are
    refused (Halted) only because of it, so the cause is raised, not a refusal."""
    real = [e for e in errors if e is not None and not isinstance(e, Halted)]
    refused = [e for e in errors if isinstance(e, Halted)]
    if real or refused:
        raise (real or refused)[0]


class _Prefetched:
    """A client whose GET of a path already read this run answers from memory (the account
    summary is read first, to name the account, and the account kind reads it too)."""

    def __init__(self, client: ApiLike, answers: Mapping[str, Any]) -> None:
        self._client = client
        self._answers = answers

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def get(self, path: str, params: Any = None) -> Any:
        if params is None and path in self._answers:
            return self._answers[path]
        return self._client.get(path, params)


class LiveReader:
    """Reads collections and details through one client, overlapping requests."""

    def __init__(
        self,
        client: ApiLike,
        parallelism: int = 4,
        cache: DetailCache | None = None,
        prefetched: Mapping[str, Any] | None = None,
    ) -> None:
        self.client: ApiLike = _Prefetched(client, prefetched) if prefetched else client
        self.parallelism = max(1, parallelism)
        self.cache = cache or DetailCache(None)

    def read(self, kinds: Iterable[str], state: LiveState | None = None) -> LiveState:
        state = state or LiveState()
        names = [n for n in kinds if n not in state.kinds]
        if not names:
            return state
        with ThreadPoolExecutor(max_workers=min(self.parallelism, len(names))) as pool:
            futures = {name: pool.submit(REGISTRY[name].read, self.client) for name in names}
            wait(futures.values())
        raise_first_cause([f.exception() for f in futures.values()])
        for name, future in futures.items():
            state.kinds[name] = KindState(REGISTRY[name], future.result())
        return state

    def details(self, state: LiveState, wanted: Mapping[str, Iterable[Live]]) -> None:
        """Read (or take from the cache) the details of `wanted` resources, per kind."""
        for kind_name, lives in wanted.items():
            self._details(state, kind_name, lives)

    def _details(self, state: LiveState, kind_name: str, lives: Iterable[Live]) -> None:
        kind = REGISTRY[kind_name]
        todo = [lv for lv in lives if (kind_name, lv.id) not in state.detailed]
        missing = []
        for lv in todo:
            cached = self.cache.get(kind.detail_cache_key(lv))
            if cached is None or not kind.valid_detail(cached):
                missing.append(lv)
            else:
                kind.merge_detail(lv, cached)
            state.detailed.add((kind_name, lv.id))
        if not missing:
            return
        with ThreadPoolExecutor(max_workers=self.parallelism) as pool:
            futures = [pool.submit(kind.read_detail, self.client, lv) for lv in missing]
            wait(futures)
        raise_first_cause([f.exception() for f in futures])
        for lv, future in zip(missing, futures, strict=True):
            detail = future.result()
            kind.merge_detail(lv, detail)
            self.cache.put(kind.detail_cache_key(lv), detail)

    def save_cache(self, state: LiveState) -> None:
        keys: list[str] = []
        for st in state.kinds.values():
            if st.kind.has_details:
                keys.extend(k for lv in st.items if (k := st.kind.detail_cache_key(lv)))
        self.cache.save(keys)
