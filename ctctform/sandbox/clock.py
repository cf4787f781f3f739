"""The sandbox's time: server timestamps, and a clock tests can move forward.

Everything in the sandbox that depends on time (token lifetimes, device codes, the
per-second window, the daily quota's 00:00 UTC reset, record timestamps) reads this clock,
so a test calls `sb.advance_clock(seconds)` instead of sleeping and stays deterministic.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class Clock:
    """Real time plus an offset that only grows.

    - `monotonic()`: seconds for measuring intervals (time.monotonic plus the offset).
    - `utcnow()`: the UTC date and time (for the daily quota), also offset.
    - `now()`: ISO-8601 UTC timestamps with milliseconds, like `2016-01-23T13:48:44.108Z`.
      Two changes in the same millisecond still get distinct, increasing timestamps: the
      clock runs one millisecond ahead of the last one it gave out when time has not moved.

    `start` sets the UTC time the clock reads at construction (tests of the daily reset
    start a few seconds before midnight). `frozen=True` stops real time from counting at
    all: time moves only by advance(), so rate-limit tests do not depend on how fast the
    machine runs them (timestamps still increase, by the millisecond rule above).
    """

    def __init__(self, start: datetime | None = None, frozen: bool = False) -> None:
        self._last: datetime | None = None
        self._lock = threading.Lock()
        self._offset = 0.0  # seconds added by advance()
        self._origin = time.monotonic()
        self._frozen_utc = datetime.now(UTC) if frozen else None
        self._utc_shift = timedelta(0)
        if start is not None:
            if start.tzinfo is None:
                raise ValueError("Clock(start=...) needs an aware datetime (tzinfo=UTC)")
            self._utc_shift = start - (self._frozen_utc or datetime.now(UTC))

    def advance(self, seconds: float) -> None:
        """Move time forward (never back, so intervals and timestamps stay ordered)."""
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._offset += seconds

    def monotonic(self) -> float:
        with self._lock:
            real = self._origin if self._frozen_utc is not None else time.monotonic()
            return real + self._offset

    def utcnow(self) -> datetime:
        with self._lock:
            return self._utc_locked()

    def now(self) -> str:
        with self._lock:
            wall = self._utc_locked()
            current = wall.replace(microsecond=wall.microsecond // 1000 * 1000)
            if self._last is not None and current <= self._last:
                current = self._last + timedelta(milliseconds=1)
            self._last = current
            return format_timestamp(current)

    def _utc_locked(self) -> datetime:
        wall = self._frozen_utc or datetime.now(UTC)
        return wall + self._utc_shift + timedelta(seconds=self._offset)


def format_timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def seconds_until_utc_midnight(moment: datetime) -> float:
    """Seconds from `moment` to the next 00:00 UTC (when the daily quota resets)."""
    midnight = (moment + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - moment).total_seconds()
