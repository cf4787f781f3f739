"""Request accounting: what was actually sent to the API, for the plan summary and JSON.

Counted: every HTTP request that reached the API host, retries included (a retry costs quota
just like the first try). Not counted in `total`: attempts that never left this machine
(connection refused, connect timeout) and OAuth token requests, which go to a separate
authorisation server and are reported on their own as `token_requests`.
Requests sent through a partner proxy count under the wrapped method and path, so a plan
reads the same whether it ran directly or on behalf of a client account.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from ctctform.api.routes import Routes

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Stats:
    """Thread-safe counters. A child (partner proxy) also records into its parent."""

    def __init__(self, parent: Stats | None = None, routes: Routes | None = None) -> None:
        self._parent = parent
        self._routes: Routes = routes or (parent._routes if parent else Routes())
        # The latest reason the client is waiting (a retry after a 429), for a progress line.
        self.note = ""
        self._lock = threading.Lock()
        self._by_method: Counter[str] = Counter()
        self._by_kind: Counter[str] = Counter()
        self._retries = 0
        self._throttled = 0
        self._token_requests = 0

    def record(
        self, method: str, path: str, *, retry: bool = False, status: int | None = None
    ) -> None:
        with self._lock:
            self._by_method[method.upper()] += 1
            self._by_kind[self._routes.bucket(path)] += 1
            self._retries += int(retry)
            self._throttled += int(status == 429)
        if self._parent is not None:
            self._parent.record(method, path, retry=retry, status=status)

    def set_note(self, text: str) -> None:
        self.note = text
        if self._parent is not None:
            self._parent.set_note(text)

    def record_token_request(self) -> None:
        with self._lock:
            self._token_requests += 1
        if self._parent is not None:
            self._parent.record_token_request()

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self._by_method.values())

    @property
    def reads(self) -> int:
        with self._lock:
            return sum(n for m, n in self._by_method.items() if m in READ_METHODS)

    @property
    def writes(self) -> int:
        return self.total - self.reads

    @property
    def retries(self) -> int:
        with self._lock:
            return self._retries

    @property
    def throttled(self) -> int:
        """Responses with status 429 (each was retried or ended in an error)."""
        with self._lock:
            return self._throttled

    @property
    def token_requests(self) -> int:
        with self._lock:
            return self._token_requests

    def summary(self) -> str:
        total, reads = self.total, self.reads
        writes = total - reads
        return f"{total} ({_plural(reads, 'read')}, {_plural(writes, 'write')})"

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            by_method = dict(sorted(self._by_method.items()))
            by_kind = dict(sorted(self._by_kind.items()))
            extra = {
                "retries": self._retries,
                "throttled": self._throttled,
                "token_requests": self._token_requests,
            }
        total = sum(by_method.values())
        reads = sum(n for m, n in by_method.items() if m in READ_METHODS)
        head = {"total": total, "reads": reads, "writes": total - reads}
        return head | {"by_method": by_method, "by_kind": by_kind} | extra


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
