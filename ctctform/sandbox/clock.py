"""Server timestamps that strictly increase, so clients and tests can order changes by them."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class Clock:
    """Hands out ISO-8601 UTC timestamps with milliseconds, like `2016-01-23T13:48:44.108Z`.

    Two changes in the same millisecond still get distinct, increasing timestamps: the clock
    runs one millisecond ahead of the last one it gave out when the wall clock has not moved.
    """

    def __init__(self) -> None:
        self._last: datetime | None = None
        self._lock = threading.Lock()

    def now(self) -> str:
        with self._lock:
            wall = datetime.now(UTC)
            current = wall.replace(microsecond=wall.microsecond // 1000 * 1000)
            if self._last is not None and current <= self._last:
                current = self._last + timedelta(milliseconds=1)
            self._last = current
            return format_timestamp(current)


def format_timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
