"""A sliding one-second window, as the API's per-key requests-per-second limit behaves."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class SlidingWindow:
    """Allows at most `limit` requests in any window of `period` seconds.

    Rejected requests do not use up the budget, so a client that backs off recovers.
    """

    def __init__(
        self, limit: int, period: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if limit < 1:
            raise ValueError("rate limit must be at least 1 request per second")
        self.limit = limit
        self.period = period
        self._clock = clock
        self._times: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> int | None:
        """Count one request; None when allowed, else the seconds to wait (Retry-After)."""
        now = self._clock()
        with self._lock:
            while self._times and self._times[0] <= now - self.period:
                self._times.popleft()
            if len(self._times) < self.limit:
                self._times.append(now)
                return None
            wait = self._times[0] + self.period - now
            return max(1, math.ceil(wait))
