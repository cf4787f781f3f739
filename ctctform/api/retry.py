"""Retry policy: which failures are safe to try again, and how long to wait.

Built on tenacity (stop after N attempts or before the total time budget would be exceeded,
custom wait combining exponential backoff, jitter and Retry-After).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_before_delay,
)
from tenacity.stop import stop_base

log = logging.getLogger("ctctform.api")

T = TypeVar("T")

# Server errors worth another try; only for idempotent requests (a POST may have committed).
# 429 is handled apart: it means "not processed", so it is retried for every method.
RETRY_STATUSES = frozenset({500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"})

# The request never left this machine: no server can have acted on it.
NOT_SENT_ERRORS: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)


class RetryableFailure(Exception):
    """One attempt failed in a way that is safe to try again."""

    def __init__(
        self,
        *,
        response: httpx.Response | None = None,
        cause: Exception | None = None,
        retry_after: float | None = None,
        maybe_applied: bool = False,
        not_sent: bool = False,
        timed_out: bool = False,
    ) -> None:
        self.response = response
        self.cause = cause
        self.retry_after = retry_after
        # True when the server may have acted on the attempt (answer lost, or a 5xx).
        self.maybe_applied = maybe_applied
        # True when the request never left this machine (refused, unreachable host).
        self.not_sent = not_sent
        # True when the server took the request but did not answer within the timeout.
        self.timed_out = timed_out
        super().__init__(describe_failure(response, cause))


def describe_failure(response: httpx.Response | None, cause: Exception | None) -> str:
    if response is not None:
        return f"HTTP {response.status_code}"
    if cause is not None:
        detail = str(cause)
        return f"{type(cause).__name__}: {detail}" if detail else type(cause).__name__
    return "unknown failure"


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


class _Stop(stop_base):
    """A policy's own stop rule, as tenacity combines stop rules (`a | b`)."""

    def __init__(self, rule: Callable[[RetryCallState], bool]) -> None:
        self.rule = rule

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self.rule(retry_state)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    max_time: float = 120.0
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    # A host that refuses, cannot be reached, or takes requests and never answers fails
    # fast: more tries would only multiply the timeout (6 tries of a 30 s timeout, plus
    # backoff, is 3.5 minutes of a CI job spent on a hung server).
    connect_attempts: int = 3

    def stop(self, state: RetryCallState) -> bool:
        failure = state.outcome.exception() if state.outcome else None
        if isinstance(failure, RetryableFailure) and (failure.not_sent or failure.timed_out):
            return state.attempt_number >= self.connect_attempts
        return False

    def backoff(self, attempt: int) -> float:
        """Equal jitter: half the exponential step fixed, half random, so threads spread out."""
        step = min(self.backoff_max, self.backoff_initial * 2.0 ** (attempt - 1))
        return step / 2 + random.uniform(0, step / 2)

    def wait(self, state: RetryCallState) -> float:
        delay = self.backoff(state.attempt_number)
        failure = state.outcome.exception() if state.outcome else None
        if isinstance(failure, RetryableFailure) and failure.retry_after is not None:
            delay = max(delay, failure.retry_after)
        return delay

    def run(
        self,
        attempt: Callable[[], T],
        label: str,
        sleep: Callable[[float], None] = time.sleep,
        note: Callable[[str], None] | None = None,
    ) -> T:
        """Call `attempt` until it returns; RetryableFailure means try again.

        Exhausting the budget re-raises the last RetryableFailure for the caller to turn
        into a user-facing error. Backoff sleeps happen here, outside any limiter slot.
        """
        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts)
            | stop_before_delay(self.max_time)
            | _Stop(self.stop),
            wait=self.wait,
            retry=retry_if_exception_type(RetryableFailure),
            reraise=True,
            sleep=sleep,
            before_sleep=lambda state: _log_retry(state, label, self.max_attempts, note),
        )
        return retrying(attempt)


def _log_retry(
    state: RetryCallState, label: str, max_attempts: int, note: Callable[[str], None] | None
) -> None:
    failure = state.outcome.exception() if state.outcome else None
    wait = state.upcoming_sleep
    if note is not None:
        note(f"waiting {wait:.0f}s after {failure} on {label}")
    log.info(
        "retrying %s after %s (attempt %d/%d, waiting %.2fs)",
        label,
        failure,
        state.attempt_number + 1,
        max_attempts,
        wait,
    )
