"""A shared pacer: hands out request start times spaced at least 1/rate apart, across threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    """Spacing scheduler. Each caller reserves the next free slot, then sleeps until it.

    Evenly spaced starts never put more than `rate` requests in any 1-second window, which is
    how the API (and the sandbox) count; `margin` stretches the spacing a little so scheduling
    jitter between our clock and the server's cannot squeeze rate+1 starts into one second.
    The lock is held only to reserve a slot, never while sleeping.
    """

    def __init__(
        self,
        rate: float,
        margin: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.margin = margin
        self.interval = (1.0 + margin) / rate
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next = float("-inf")

    def reserve(self) -> float:
        """Claim the next slot; returns how long the caller must wait before sending."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self.interval
        return slot - now

    def widen(self, step: float = 0.05, most: float = 0.25) -> None:
        """A 429: the spacing was too tight for this connection's jitter. Space requests
        further for the rest of the run (at most `most`); the throttled one is retried."""
        with self._lock:
            self.margin = min(most, self.margin + step)
            self.interval = (1.0 + self.margin) / self.rate

    def acquire(self) -> None:
        delay = self.reserve()
        if delay > 0:
            self._sleep(delay)
