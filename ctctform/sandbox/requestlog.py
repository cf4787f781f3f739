"""The log of every request the sandbox answered, for tests that count or inspect requests."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestRecord:
    """One request as the sandbox saw it.

    `path` is the full URL path without the query (`/v3/contact_lists`, `/oauth2/token`);
    `account` is None for the default account and partner-level calls, or the
    encoded_account_id for a request proxied through account_operations/sync (logged in
    addition to the outer partner request, just before it). `dropped` marks a write whose
    response was never sent (fault `drop_after_commit`); `status` is then what it would have
    been.
    """

    method: str
    path: str
    status: int
    account: str | None = None
    query: str = ""
    dropped: bool = False


class RequestLog:
    def __init__(self) -> None:
        self._records: list[RequestRecord] = []
        self._lock = threading.Lock()

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def snapshot(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
