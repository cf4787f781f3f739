"""Executes a plan: stage by stage, requests within a stage overlapping.

Stages follow dependencies: deletes of dependents, bulk deletes, then creates, updates and
renames of custom fields, lists, tags and webhooks, then of the kinds that reference them
(segments). Within a stage, waves order what must be sequential (a create of a name that a
rename frees; a segment that references a segment created in the same apply). On the first
failure no new request starts; what is in flight finishes and is reported, and a re-run
converges.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ctctform.api.errors import AmbiguousWriteError, ApiError
from ctctform.errors import CtctformError
from ctctform.kinds import BY_REF, REGISTRY, Kind, Live
from ctctform.live import LiveState
from ctctform.plan import Action, Change, Plan, waves

# A create whose answer is lost is read back, then tried again at most this many times.
CREATE_ATTEMPTS = 4


@dataclass
class Task:
    changes: list[Change]
    run: Callable[[], str]
    # Replaces whose delete half this task is: done only once their create is.
    partial: tuple[Change, ...] = ()


@dataclass
class ApplyResult:
    done: list[tuple[Change, str]] = field(default_factory=list)
    failed: list[tuple[Change, str]] = field(default_factory=list)
    not_started: list[Change] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.not_started

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


class Applier:
    def __init__(
        self,
        client: Any,
        plan: Plan,
        live: LiveState,
        *,
        parallelism: int = 4,
        report: Callable[[Change, str, bool, bool], None] | None = None,
    ) -> None:
        self.client = client
        self.plan = plan
        self.live = live
        self.parallelism = max(1, parallelism)
        # report(change, text, ok, partial): called from worker threads as changes finish.
        self.report = report or (lambda change, text, ok, partial: None)
        self.ids: dict[tuple[str, str], str] = {}
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.result = ApplyResult()
        self._failed: set[int] = set()  # id() of changes that failed: Change compares by value
        self.live_by_key = {k: st.by_key() for k, st in live.kinds.items()}
        for ref, ident in plan.references.items():
            kind_ref, _, name = ref.partition(":")
            self.ids[(kind_ref, name)] = ident
        for ch in plan.actionable:
            if ch.live is not None and ch.action not in (Action.DELETE, Action.REPLACE):
                self.ids[(REGISTRY[ch.kind].ref, ch.key)] = ch.live.id

    # -- references ----------------------------------------------------------------
    def resolve(self, ref: str, name: str) -> str:
        with self.lock:
            if (ref, name) in self.ids:
                return self.ids[(ref, name)]
        kind = BY_REF[ref]
        live = self.live_by_key.get(kind.name, {}).get(name)
        if live is None:
            raise CtctformError(f"${{{ref}:{name}}}: no such {kind.noun} in the account")
        return live.id

    # -- schedule --------------------------------------------------------------------
    def stages(self) -> list[list[Task]]:
        changes = self.plan.actionable
        late = {k.name for k in REGISTRY.values() if k.depends_on}
        out: list[list[Task]] = []
        direct = [
            c for c in changes if c.action is Action.DELETE and REGISTRY[c.kind].bulk_delete is None
        ]
        for group in (
            [c for c in direct if c.kind in late],
            [c for c in direct if c.kind not in late],
        ):
            out.append([Task([c], self._task(c)) for c in group])
        out.append(self._bulk_tasks(changes))
        for kinds in ([k for k in REGISTRY if k not in late], sorted(late)):
            group = [c for c in changes if c.kind in kinds and c.action is not Action.DELETE]
            for wave in waves(group):
                out.append([Task([c], self._task(c)) for c in wave])
        return [s for s in out if s]

    def _bulk_tasks(self, changes: list[Change]) -> list[Task]:
        tasks: list[Task] = []
        for kind in REGISTRY.values():
            if kind.bulk_delete is None:
                continue
            doomed = [
                c
                for c in changes
                if c.kind == kind.name and c.action in (Action.DELETE, Action.REPLACE) and c.live
            ]
            size = kind.bulk_delete.batch_size
            for i in range(0, len(doomed), size):
                batch = doomed[i : i + size]
                halves = tuple(c for c in batch if c.action is Action.REPLACE)
                tasks.append(Task(batch, self._bulk_delete(kind, batch), halves))
        return tasks

    # -- tasks -----------------------------------------------------------------------
    def _task(self, change: Change) -> Callable[[], str]:
        kind = REGISTRY[change.kind]
        if change.action is Action.DELETE:
            return lambda: self._delete(kind, change)
        if change.action in (Action.CREATE, Action.REPLACE):
            return lambda: self._create(kind, change)
        return lambda: self._update(kind, change)

    def _bulk_delete(self, kind: Kind, batch: list[Change]) -> Callable[[], str]:
        def run() -> str:
            (body,) = kind.delete_bodies([c.live for c in batch if c.live])
            assert kind.bulk_delete is not None
            self.client.run_activity(kind.bulk_delete.path, body)
            return "deleted"

        return run

    def _delete(self, kind: Kind, change: Change) -> str:
        assert change.live is not None
        kind.delete_one(self.client, change.live)
        return "deleted"

    def _update(self, kind: Kind, change: Change) -> str:
        assert change.live is not None and change.resource is not None
        want = kind.desired(change.resource, self.resolve)
        fields = kind.diff(want, kind.current(change.live))
        if not fields:
            return "already up to date"
        new = kind.update(self.client, change.live, want, fields)
        self._record(kind, change.key, new)
        return "renamed" if change.action is Action.RENAME else "updated"

    def _create(self, kind: Kind, change: Change) -> str:
        assert change.resource is not None
        want = kind.desired(change.resource, self.resolve)
        new = self._create_once(kind, change.key, want)
        self._record(kind, change.key, new)
        return f"created [{kind.id_field}={new.id}]"

    def _create_once(self, kind: Kind, key: str, want: dict[str, Any]) -> Live:
        """POST, and when the answer is lost, read back by identity before trying again:
        a create is never sent twice for something that exists."""
        for attempt in range(CREATE_ATTEMPTS):
            try:
                return kind.create(self.client, want)
            except AmbiguousWriteError:
                if attempt == CREATE_ATTEMPTS - 1:
                    raise
                found = self._adopt(kind, key, want)
                if found is not None:
                    return found
                time.sleep(min(0.25 * 2**attempt, 4.0))
            except ApiError as exc:
                # 409: it exists already (made by an earlier, interrupted run or by someone
                # since the plan was read); take it over and bring it in line.
                found = self._adopt(kind, key, want) if exc.status == 409 else None
                if found is None:
                    raise
                return found
        raise AssertionError("unreachable")

    def _adopt(self, kind: Kind, key: str, want: dict[str, Any]) -> Live | None:
        found = kind.find(self.client, key)
        if found is None:
            return None
        if kind.has_details:
            kind.merge_detail(found, kind.read_detail(self.client, found))
        fields = kind.diff(want, kind.current(found))
        return kind.update(self.client, found, want, fields) if fields else found

    def _record(self, kind: Kind, key: str, live: Live) -> None:
        with self.lock:
            self.ids[(kind.ref, key)] = live.id

    # -- run -------------------------------------------------------------------------
    def run(self) -> ApplyResult:
        stages = self.stages()  # computed whole first: an ordering error stops before any write
        with ThreadPoolExecutor(max_workers=self.parallelism) as pool:
            for stage in stages:
                if self.stop.is_set():
                    self.result.not_started.extend(
                        c for t in stage for c in t.changes if id(c) not in self._failed
                    )
                    continue
                list(pool.map(self._run_task, stage))
        return self.result

    def _run_task(self, task: Task) -> None:
        if self.stop.is_set():
            with self.lock:
                self.result.not_started.extend(c for c in task.changes if id(c) not in self._failed)
            return
        try:
            text = task.run()
        except CtctformError as exc:
            self.stop.set()
            with self.lock:
                self.result.failed.extend((c, str(exc)) for c in task.changes)
                self._failed.update(id(c) for c in task.changes)
            for c in task.changes:
                self.report(c, str(exc), False, False)
            return
        halves = {id(c) for c in task.partial}
        whole = [c for c in task.changes if id(c) not in halves]
        with self.lock:
            self.result.done.extend((c, text) for c in whole)
        for c in task.changes:
            partial = id(c) in halves
            self.report(c, "old one deleted" if partial else text, True, partial)
