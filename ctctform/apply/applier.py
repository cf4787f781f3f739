"""Executes a plan: stage by stage, requests within a stage overlapping.

Stages follow dependencies: deletes of dependents, deletes of what others depend on, bulk
deletes, then creates, updates and renames of the kinds nothing depends on, then of the
kinds that reference them (segments), each split in waves (a create of a name that a rename
frees; a segment that references a segment created in the same apply). Each task also knows
the tasks it *needs*: when one of those failed, it is skipped rather than run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ctctform.api.errors import Halted, is_systemic
from ctctform.apply.result import ApplyResult
from ctctform.apply.writes import Writer, wait_sleep
from ctctform.errors import CtctformError
from ctctform.kinds import REGISTRY
from ctctform.kinds.base import ApiLike
from ctctform.live import LiveState
from ctctform.plan import Action, Change, Plan, prerequisites, waves

# report(change, text, status): called from worker threads as changes finish; status is
# "ok", "partial" (the delete half of a replace), "failed" or "skipped".
Reporter = Callable[[Change, str, str], None]


@dataclass(eq=False)
class Task:
    changes: list[Change]
    run: Callable[[], str]
    # Replaces whose delete half this task is: done only once their create is.
    partial: tuple[Change, ...] = ()
    needs: list[Task] = field(default_factory=list)
    state: str = "pending"  # pending, done, failed, skipped, not_started


class Applier:
    def __init__(
        self,
        client: ApiLike,
        plan: Plan,
        live: LiveState,
        *,
        parallelism: int = 4,
        report: Reporter | None = None,
        sleep: Callable[[float], None] = wait_sleep,
    ) -> None:
        self.client = client
        self.plan = plan
        self.parallelism = max(1, parallelism)
        self.report = report or (lambda change, text, status: None)
        self.writer = Writer(client, plan, live, sleep)
        self.lock = threading.Lock()
        self.result = ApplyResult()

    # -- schedule ----------------------------------------------------------------------------

    def stages(self) -> list[list[Task]]:
        changes = self.plan.actionable
        late = {k.name for k in REGISTRY.values() if k.depends_on}
        direct = [
            c for c in changes if c.action is Action.DELETE and REGISTRY[c.kind].bulk_delete is None
        ]
        first = [self._task(c) for c in direct if c.kind in late]
        second = [self._task(c) for c in direct if c.kind not in late]
        bulk = self._bulk_tasks(changes, needs=first)
        out = [first, second, bulk]
        by_change = {id(c): t for t in bulk for c in t.partial}
        # Prerequisites across both groups: a segment needs the list it names created.
        after = prerequisites([c for c in changes if c.action is not Action.DELETE])
        for kinds in ([k for k in REGISTRY if k not in late], sorted(late)):
            group = [c for c in changes if c.kind in kinds and c.action is not Action.DELETE]
            for wave in waves(group):
                tasks = [self._task(c) for c in wave]
                for task in tasks:
                    change = task.changes[0]
                    if id(change) in by_change:  # a replace: its create needs its delete
                        task.needs.append(by_change[id(change)])
                    by_change[id(change)] = task
                out.append(tasks)
            for c in group:
                by_change[id(c)].needs.extend(by_change[d] for d in after[id(c)])
        return [s for s in out if s]

    def _task(self, change: Change) -> Task:
        return Task([change], lambda: self.writer.run(change))

    def _bulk_tasks(self, changes: list[Change], needs: list[Task]) -> list[Task]:
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

                def run(kind=kind, batch=batch) -> str:  # type: ignore[no-untyped-def]
                    return self.writer.bulk_delete(kind, batch)

                # A segment that still points at these must be gone first: if its delete
                # failed, deleting what it names would leave it dangling.
                tasks.append(Task(batch, run, halves, needs=list(needs)))
        return tasks

    # -- run ---------------------------------------------------------------------------------

    def run(self) -> ApplyResult:
        stages = self.stages()  # computed whole first: an ordering error stops before any write
        with ThreadPoolExecutor(max_workers=self.parallelism) as pool:
            for stage in stages:
                runnable = [t for t in stage if self._ready(t)]
                list(pool.map(self._run_task, runnable))
        return self.result

    def _ready(self, task: Task) -> bool:
        if self.result.stopped is not None:
            self._not_started(task)
            return False
        blocked = [n for n in task.needs if n.state in ("failed", "skipped", "not_started")]
        if not blocked:
            return True
        task.state = "skipped"
        what = ", ".join(c.address for n in blocked for c in n.changes[:1])
        reason = f"it needs {what}, which did not succeed"
        with self.lock:
            self.result.skipped.extend((c, reason) for c in task.changes)
        for c in task.changes:
            self.report(c, reason, "skipped")
        return False

    def _not_started(self, task: Task) -> None:
        task.state = "not_started"
        with self.lock:
            self.result.not_started.extend(task.changes)

    def _run_task(self, task: Task) -> None:
        if self.result.stopped is not None:
            self._not_started(task)
            return
        try:
            text = task.run()
        except Halted:
            self._not_started(task)  # refused before it was sent: the run had stopped
            return
        except CtctformError as exc:
            self._failed(task, exc)
            return
        task.state = "done"
        halves = {id(c) for c in task.partial}
        whole = [c for c in task.changes if id(c) not in halves]
        with self.lock:
            self.result.done.extend((c, text) for c in whole)
        for c in task.changes:
            partial = id(c) in halves
            self.report(c, "old one deleted" if partial else text, "partial" if partial else "ok")

    def _failed(self, task: Task, exc: CtctformError) -> None:
        task.state = "failed"
        message = str(exc)
        if is_systemic(exc):
            first = message.splitlines()[0] if message else type(exc).__name__
            with self.lock:
                self.result.stopped = self.result.stopped or first
            self.client.halt(first)  # nothing new is sent, not even requests waiting for a slot
        with self.lock:
            self.result.failed.extend((c, message) for c in task.changes)
        for c in task.changes:
            self.report(c, message, "failed")
