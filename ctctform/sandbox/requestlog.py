"""The log of every request the sandbox answered, for tests that count or inspect requests."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestRecord:
    """One request as the sandbox saw it.

    `path` is the full URL path without the query (`/v3/contact_lists`, `/oauth2/token`);
    `account` is None for the default account and partner-level calls, or the
    encoded_account_id for a request proxied through account_operations/sync (logged in
    addition to the outer partner request, just before it). `dropped` marks a request
    whose response was never sent (drop_after_commit, or a reset/hang rule); `status` is
    then what it would have been, or 0 when no handler ran. `fault` names the injected
    fault that answered it ("respond", "reset", "hang", "endless_cursor",
    "stuck_activity", "error_rate", "burst_429", "drop_after_commit"), else None.
    """

    method: str
    path: str
    status: int
    account: str | None = None
    query: str = ""
    dropped: bool = False
    fault: str | None = None

    @property
    def faulted(self) -> bool:
        return self.fault is not None


class RequestLog:
    def __init__(self) -> None:
        self._records: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._pending = threading.local()

    def add(self, record: RequestRecord) -> None:
        fault = getattr(self._pending, "fault", None)
        if fault is not None and record.account is not None and record.fault is None:
            # The proxied request a fault rule answered, logged by the sync handler.
            record = dataclasses.replace(record, fault=fault)
            self._pending.fault = None
        with self._lock:
            self._records.append(record)

    def tag_next_inner(self, fault: str | None) -> None:
        """Mark the next proxied-request record this thread adds as answered by `fault`."""
        self._pending.fault = fault

    def snapshot(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
