"""The writes one change makes, through its kind: create (read back when the answer was lost),
update, delete, bulk delete (where something already gone counts as deleted)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from ctctform.api.errors import ActivityError, AmbiguousWriteError, ApiError, Halted
from ctctform.errors import CtctformError
from ctctform.kinds import BY_REF, REGISTRY, Kind, Live
from ctctform.kinds.base import ApiLike
from ctctform.live import LiveState
from ctctform.plan import Action, Change, Plan

# A create whose answer is lost is read back, then tried again at most this many times.
CREATE_ATTEMPTS = 4


class MissingReference(CtctformError):
    """A change names a resource that does not exist (its create did not happen)."""

    resource_specific = True


class Writer:
    """Resolves references to ids (including those of resources created in this apply) and
    makes each change's requests."""

    def __init__(
        self, client: ApiLike, plan: Plan, live: LiveState, sleep: Callable[[float], None]
    ) -> None:
        self.client = client
        self.sleep = sleep
        self.lock = threading.Lock()
        self.ids: dict[tuple[str, str], str] = {}
        self.live_by_key = {k: st.by_key() for k, st in live.kinds.items()}
        for address, ident in plan.references.items():
            kind_ref, _, name = address.partition(":")
            self.ids[(kind_ref, name)] = ident
        for ch in plan.actionable:
            ref = REGISTRY[ch.kind].ref
            if ref and ch.live is not None and ch.action not in (Action.DELETE, Action.REPLACE):
                self.ids[(ref, ch.key)] = ch.live.id

    def resolve(self, ref: str, name: str) -> str:
        with self.lock:
            if (ref, name) in self.ids:
                return self.ids[(ref, name)]
        kind = BY_REF[ref]
        live = self.live_by_key.get(kind.name, {}).get(name)
        if live is None:
            raise MissingReference(f"${{{ref}:{name}}}: no such {kind.noun} in the account")
        return live.id

    def run(self, change: Change) -> str:
        kind = REGISTRY[change.kind]
        if change.action is Action.DELETE:
            return self.delete(kind, change)
        if change.action in (Action.CREATE, Action.REPLACE):
            return self.create(kind, change)
        return self.update(kind, change)

    # -- one resource ------------------------------------------------------------------------

    def delete(self, kind: Kind, change: Change) -> str:
        assert change.live is not None
        try:
            kind.delete_one(self.client, change.live)
        except ApiError as exc:
            if exc.status != 404:
                raise
            return "already gone"  # deleted meanwhile (another apply): gone is the goal
        return "deleted"

    def update(self, kind: Kind, change: Change) -> str:
        assert change.live is not None and change.resource is not None
        want = kind.desired(change.resource, self.resolve)
        fields = kind.diff(want, kind.current(change.live))
        if not fields:
            return "already up to date"
        new = kind.update(self.client, change.live, want, fields)
        self.record(kind, change.key, new)
        return "renamed" if change.action is Action.RENAME else "updated"

    def create(self, kind: Kind, change: Change) -> str:
        assert change.resource is not None
        want = kind.desired(change.resource, self.resolve)
        new = self.create_once(kind, change.key, want)
        self.record(kind, change.key, new)
        return f"created [{kind.id_field}={new.id}]" if kind.id_field else "created"

    def create_once(self, kind: Kind, key: str, want: dict[str, Any]) -> Live:
        """POST, and when the answer is lost, read back by identity before trying again:
        a create is never sent twice for something that exists."""
        for attempt in range(CREATE_ATTEMPTS):
            try:
                return kind.create(self.client, want)
            except AmbiguousWriteError as lost:
                if attempt == CREATE_ATTEMPTS - 1:
                    raise
                try:
                    found = self.adopt(kind, key, want)
                except Halted:
                    # The run stopped before the read-back: the create was sent and may
                    # have been made, which "not started" would deny.
                    raise lost from None
                if found is not None:
                    return found
                self.sleep(min(0.25 * 2**attempt, 4.0))
            except ApiError as exc:
                # 409: it exists already (made by an earlier, interrupted run or by someone
                # since the plan was read); take it over and bring it in line.
                found = self.adopt(kind, key, want) if exc.status == 409 else None
                if found is None:
                    raise
                return found
        raise AssertionError("unreachable")

    def adopt(self, kind: Kind, key: str, want: dict[str, Any]) -> Live | None:
        found = kind.find(self.client, key)
        if found is None:
            return None
        if kind.has_details:
            kind.merge_detail(found, kind.read_detail(self.client, found))
        fields = kind.diff(want, kind.current(found))
        return kind.update(self.client, found, want, fields) if fields else found

    def record(self, kind: Kind, key: str, live: Live) -> None:
        if kind.ref:
            with self.lock:
                self.ids[(kind.ref, key)] = live.id

    # -- many at once ------------------------------------------------------------------------

    def bulk_delete(self, kind: Kind, batch: Sequence[Change]) -> str:
        assert kind.bulk_delete is not None
        lives = [c.live for c in batch if c.live is not None]
        (body,) = kind.delete_bodies(lives)
        try:
            self.client.run_activity(kind.bulk_delete.path, body)
        except ActivityError as exc:
            if exc.state != "completed" or not self._all_gone(kind, lives):
                raise
            # The activity completed but reported ids it could not delete; every one of them
            # is gone now (another apply deleted them first): gone is the goal.
            return "deleted (some were already gone)"
        return "deleted"

    def _all_gone(self, kind: Kind, lives: Sequence[Live]) -> bool:
        still = {lv.id for lv in kind.read(self.client)}
        return not any(lv.id in still for lv in lives)


def wait_sleep(seconds: float) -> None:
    time.sleep(seconds)
