"""Rate limits per API key, as the API enforces them: requests per second and per UTC day.

The limits (4/s and 10,000/day per key; partner keys 10/s and 250,000/day once raised on
request) and the reset at 00:00 UTC come from the API guide's 429 entry,
https://v3.developer.constantcontact.com/api_guide/glossary_responses.html#429-too-many-request,
and developer support answers ("Rate limits are set per API key/application",
https://community.constantcontact.com/t5/API-Developer-Support/Partnership-Question-Rate-Limit-Issue/td-p/416585).
The account key (bearer requests) and the partner key (x-api-key requests) count apart.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from .clock import Clock, seconds_until_utc_midnight

THROTTLED = "throttled"
QUOTA_EXCEEDED = "quota_exceeded"


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
        """Count one request; None when allowed, else the whole seconds until there is room."""
        now = self._clock()
        with self._lock:
            while self._times and self._times[0] <= now - self.period:
                self._times.popleft()
            if len(self._times) < self.limit:
                self._times.append(now)
                return None
            wait = self._times[0] + self.period - now
            return max(1, math.ceil(wait))


@dataclass(frozen=True)
class Verdict:
    """Why a request was refused: THROTTLED (per second) or QUOTA_EXCEEDED (per day)."""

    reason: str
    wait: int  # whole seconds until a request would be allowed again


class KeyLimits:
    """One API key's budget: a per-second window and a daily count that resets at 00:00 UTC.

    Every admitted request counts toward the day, so a quota switched on at runtime already
    knows the day's traffic; refused requests count toward neither limit.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._window: SlidingWindow | None = None
        self._rate_limit: int | None = None
        self.daily_quota: int | None = None
        self._day: date | None = None
        self._used = 0

    @property
    def rate_limit(self) -> int | None:
        return self._rate_limit

    @rate_limit.setter
    def rate_limit(self, value: int | None) -> None:
        with self._lock:
            self._rate_limit = value
            self._window = SlidingWindow(value, clock=self._clock.monotonic) if value else None

    def used_today(self) -> int:
        with self._lock:
            self._roll_over()
            return self._used

    def admit(self) -> Verdict | None:
        with self._lock:
            moment = self._roll_over()
            if self.daily_quota is not None and self._used >= self.daily_quota:
                return Verdict(QUOTA_EXCEEDED, math.ceil(seconds_until_utc_midnight(moment)))
            wait = self._window.acquire() if self._window else None
            if wait is not None:
                return Verdict(THROTTLED, wait)
            self._used += 1
            return None

    def _roll_over(self) -> datetime:
        """The current time; the day's count starts again at 00:00 UTC."""
        moment = self._clock.utcnow()
        if moment.date() != self._day:
            self._day, self._used = moment.date(), 0
        return moment


class Limits:
    """The account key's and the partner key's limits; a partner value of None follows the
    account's (an unraised partner key has the standard limits)."""

    def __init__(
        self,
        clock: Clock,
        rate_limit: int | None = None,
        daily_quota: int | None = None,
        partner_rate_limit: int | None = None,
        partner_daily_quota: int | None = None,
    ) -> None:
        self.account = KeyLimits(clock)
        self.partner = KeyLimits(clock)
        self._settings = {
            "rate_limit": rate_limit,
            "daily_quota": daily_quota,
            "partner_rate_limit": partner_rate_limit,
            "partner_daily_quota": partner_daily_quota,
        }
        self._apply()

    def get(self, name: str) -> int | None:
        return self._settings[name]

    def set(self, name: str, value: int | None) -> None:
        if name not in self._settings:
            raise KeyError(name)
        if value is not None and value < 1:
            raise ValueError(f"{name} must be at least 1 (or None for unlimited)")
        self._settings[name] = value
        self._apply()

    def key(self, partner: bool) -> KeyLimits:
        return self.partner if partner else self.account

    def _apply(self) -> None:
        s = self._settings
        rate, quota = s["rate_limit"], s["daily_quota"]
        partner_rate = s["partner_rate_limit"] if s["partner_rate_limit"] is not None else rate
        partner_quota = s["partner_daily_quota"]
        if partner_quota is None:
            partner_quota = quota
        for key, (new_rate, new_quota) in (
            (self.account, (rate, quota)),
            (self.partner, (partner_rate, partner_quota)),
        ):
            if key.rate_limit != new_rate:
                key.rate_limit = new_rate  # a new limit starts a new window
            key.daily_quota = new_quota
