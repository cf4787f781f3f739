"""The request pipeline: connection slots, pacing, one attempt on the wire, retries.

Every attempt waits for a connection slot, then for a rate slot, then checks the run's gate
(a stopped run sends nothing more, even what was already waiting for a slot), then goes out.
What comes back is classified: 429 throttled and 5xx are retried (5xx only when the request
is safe to repeat), a daily-quota 429 ends the run at once, a refused or unreachable host is
retried only a couple of times and then named.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import ssl
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from ctctform import __version__
from ctctform.api.config import ClientConfig
from ctctform.api.errors import (
    AmbiguousWriteError,
    AnswerError,
    ApiError,
    Halted,
    QuotaError,
    error_key,
    message_from_body,
)
from ctctform.api.ratelimit import RateLimiter
from ctctform.api.redact import redact
from ctctform.api.retry import (
    RETRY_STATUSES,
    RetryableFailure,
    RetryPolicy,
    describe_failure,
    parse_retry_after,
)

log = logging.getLogger("ctctform.api")

Params = Mapping[str, Any] | list[tuple[str, Any]] | None
# Raised by httpx before anything is sent, and not worth retrying (bad URL, client bug).
FATAL_TRANSPORT_ERRORS = (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.InvalidURL)
# The request never left this machine: no server can have acted on it.
NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# The largest answer read, decoded: a page of 1,000 lists is well under 1 MB. Beyond it, a
# gzip bomb or an endless body, never kept in memory.
MAX_ANSWER_BYTES = 32 * 2**20


class AnswerTooLarge(Exception):
    pass


# Daily quota answers: 429 `quota_exceeded` (DESIGN §4), and the older Mashery keys that
# API developer support still quotes ("mashery.not.authorized.over.ratelimit"; the per-second
# "over.qps" one came with a 403).
QUOTA_KEYS = ("quota_exceeded", "over.ratelimit")
THROTTLE_KEYS = ("over.qps",)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process: building one reads the whole CA bundle, and
    a process that starts several clients (fleets, the demo, tests) needs only one."""
    return httpx.create_ssl_context()


@dataclass(frozen=True)
class Call:
    """One logical request. `method`/`path` are what the caller asked for (errors, stats);
    `wire_method`/`url`/`body` are what goes on the wire (they differ through the proxy)."""

    method: str
    path: str
    wire_method: str
    url: str
    body: Any = None
    params: Params = None
    form: dict[str, str] | None = None
    idempotent: bool = True
    partner: bool = False
    account: str | None = None

    @property
    def where(self) -> str:
        suffix = f" (account {self.account})" if self.account else ""
        return f"{self.method} {self.path}{suffix}"


INTERRUPTED = "interrupted (Ctrl-C or SIGTERM)"


class Gate:
    """Whether new requests may start. A child gate (one client account's) closes on its
    own or when its parent (the whole run's) closes."""

    def __init__(self, parent: Gate | None = None) -> None:
        self._parent = parent
        self._reason: str | None = None
        self._lock = threading.Lock()
        if parent is None:
            _ROOT_GATES.add(self)

    def halt(self, reason: str) -> None:
        with self._lock:
            self._reason = self._reason or reason

    @property
    def reason(self) -> str | None:
        return self._reason or (self._parent.reason if self._parent else None)

    @property
    def interrupted(self) -> bool:
        return self.reason == INTERRUPTED

    def check(self, where: str) -> None:
        reason = self.reason
        if reason is not None:
            raise Halted(f"{where} was not sent: the run stopped ({reason})")


_ROOT_GATES: weakref.WeakSet[Gate] = weakref.WeakSet()


def interrupt_all() -> None:
    """Ctrl-C or SIGTERM: no client starts another request (those on the wire finish, so
    none is cut off half-sent). Called from a signal handler, so it takes no lock (the
    interrupted thread may hold one): a plain assignment is atomic."""
    for gate in list(_ROOT_GATES):
        gate._reason = gate._reason or INTERRUPTED


class Transport:
    def __init__(
        self,
        config: ClientConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self.sleep = sleep
        # +2 connections so a token request is never starved by in-flight API calls.
        pool = config.max_in_flight + 2
        self.http = httpx.Client(
            timeout=httpx.Timeout(config.timeout, connect=config.connect_timeout),
            limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool),
            transport=transport,
            verify=_tls_context(),
            headers={"Accept": "application/json", "User-Agent": f"ctctform/{__version__}"},
            follow_redirects=False,
        )
        self.limiter = RateLimiter(config.rate_limit, config.rate_margin, sleep=sleep)
        # The token endpoint takes 1 request/second (API developer support, "Rate Limiting
        # On Access Tokens").
        self.token_limiter = RateLimiter(1.0, 0.0, sleep=sleep)
        # Slots are taken only once a connection is free, so a slot is never spent waiting
        # in the pool and then released in a burst with others.
        self.in_flight = threading.BoundedSemaphore(config.max_in_flight)
        self.policy = RetryPolicy(
            config.max_attempts,
            config.max_retry_time,
            config.backoff_initial,
            config.backoff_max,
            config.connect_attempts,
        )

    def close(self) -> None:
        self.http.close()

    def attempts(
        self,
        call: Call,
        headers: Callable[[], dict[str, str]],
        record: Callable[[int | None, bool], None],
        gate: Gate,
        note: Callable[[str], None] | None = None,
        *,
        token: bool = False,
    ) -> tuple[httpx.Response, bool]:
        """Send `call` with retries: (final response, whether an earlier attempt may have
        taken effect). `record(status, retry)` counts each attempt that reached the server."""
        count = 0
        maybe_applied = False

        def attempt() -> httpx.Response:
            nonlocal count, maybe_applied
            count += 1
            try:
                response = self.transmit(call, headers(), record, gate, count > 1, token)
                return self.classify(call, response)
            except RetryableFailure as failure:
                maybe_applied = maybe_applied or failure.maybe_applied
                raise

        try:
            response = self.policy.run(attempt, call.where, self.sleep, note)
        except RetryableFailure as failure:
            raise self.gave_up(call, failure, count) from failure.cause
        return response, maybe_applied

    def transmit(
        self,
        call: Call,
        headers: dict[str, str],
        record: Callable[[int | None, bool], None],
        gate: Gate,
        retry: bool,
        token: bool = False,
    ) -> httpx.Response:
        """One attempt on the wire: wait for a connection, then a rate slot, then send."""
        request = self.build(call, headers)
        with self.in_flight:
            (self.token_limiter if token else self.limiter).acquire()
            gate.check(call.where)
            started = time.monotonic()
            try:
                response = self.receive(request)
            except AnswerTooLarge as exc:
                record(None, retry)
                words = f"the answer is larger than {MAX_ANSWER_BYTES // 2**20} MB"
                if call.method == "GET":
                    raise AnswerError(f"{call.where}: {words}") from exc
                raise AmbiguousWriteError(
                    None, call.method, call.path, words, account=call.account
                ) from exc
            except NOT_SENT_ERRORS as exc:
                raise RetryableFailure(cause=exc, not_sent=True) from exc
            except FATAL_TRANSPORT_ERRORS as exc:
                raise ApiError(None, call.method, call.path, describe_failure(None, exc)) from exc
            except httpx.TransportError as exc:
                # Sent, answer lost: the server may have acted on it.
                record(None, retry)
                if call.idempotent:
                    raise RetryableFailure(
                        cause=exc,
                        maybe_applied=True,
                        timed_out=isinstance(exc, httpx.TimeoutException),
                    ) from exc
                words = f"no answer ({describe_failure(None, exc)})"
                raise AmbiguousWriteError(
                    None, call.method, call.path, words, account=call.account
                ) from exc
            except httpx.DecodingError as exc:
                # An answer came but its body cannot be decoded (a broken Content-Encoding):
                # a read is a broken answer; a write was received and may have been applied.
                record(None, retry)
                if call.method == "GET":
                    raise AnswerError(f"{call.where}: the answer cannot be decoded") from exc
                raise AmbiguousWriteError(
                    None,
                    call.method,
                    call.path,
                    "the answer cannot be decoded",
                    account=call.account,
                ) from exc
            except httpx.HTTPError as exc:  # anything else httpx refuses: never a traceback
                raise ApiError(None, call.method, call.path, describe_failure(None, exc)) from exc
        record(response.status_code, retry)
        if response.status_code == 429:
            (self.token_limiter if token else self.limiter).widen()
        log.debug("%s -> %d (%.3fs)", call.where, response.status_code, time.monotonic() - started)
        return response

    def receive(self, request: httpx.Request) -> httpx.Response:
        """Send, then read the answer within `timeout` seconds in all and MAX_ANSWER_BYTES
        (httpx's timeout bounds each read, so a body dripped a byte a second never ends)."""
        response = self.http.send(request, stream=True)
        try:
            deadline = time.monotonic() + self.config.timeout
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_ANSWER_BYTES:
                    raise AnswerTooLarge()
                if time.monotonic() > deadline:
                    message = f"the answer took more than {self.config.timeout:g}s to arrive"
                    raise httpx.ReadTimeout(message, request=request)
                chunks.append(chunk)
            response._content = b"".join(chunks)  # what Response.read() itself keeps
        finally:
            response.close()
        return response

    def build(self, call: Call, headers: dict[str, str]) -> httpx.Request:
        try:
            if call.form is not None:
                return self.http.build_request(
                    call.wire_method, call.url, data=call.form, params=call.params, headers=headers
                )
            return self.http.build_request(
                call.wire_method, call.url, json=call.body, params=call.params, headers=headers
            )
        except (httpx.InvalidURL, ValueError) as exc:
            raise ApiError(
                None, call.method, call.path, f"cannot build the request: {exc}"
            ) from None

    def classify(self, call: Call, response: httpx.Response) -> httpx.Response:
        status = response.status_code
        if status in (429, 403):
            key = error_key(response.content)
            if any(k in key for k in QUOTA_KEYS):
                raise quota_error(call, response)
            if status == 429 or any(k in key for k in THROTTLE_KEYS):
                # Throttled requests were not processed, so even a POST is safe to send again.
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                raise RetryableFailure(response=response, retry_after=retry_after)
        if status in RETRY_STATUSES:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if call.idempotent:
                raise RetryableFailure(
                    response=response, retry_after=retry_after, maybe_applied=True
                )
            words = answer_words(response)
            raise AmbiguousWriteError(status, call.method, call.path, words, account=call.account)
        return response

    def gave_up(self, call: Call, failure: RetryableFailure, attempts: int) -> ApiError:
        tail = f"gave up after {attempts} attempt{'s' if attempts != 1 else ''}"
        if failure.response is not None:
            status = failure.response.status_code
            words = answer_words(failure.response)
            message = f"{words} ({tail})" if words else tail
            return ApiError(status, call.method, call.path, message, account=call.account)
        if failure.not_sent:
            host = urlsplit(call.url).netloc
            message = f"cannot connect to {host}: {describe_failure(None, failure.cause)} ({tail})"
            return ApiError(None, call.method, call.path, message, account=call.account)
        message = f"{describe_failure(None, failure.cause)} ({tail})"
        return ApiError(None, call.method, call.path, message, account=call.account)


def answer_words(response: httpx.Response) -> str:
    """The API's own words from an error answer, with any secret it echoed masked."""
    return redact(message_from_body(response.content, response.headers.get("content-type", "")))


def quota_error(call: Call, response: httpx.Response) -> QuotaError:
    now = dt.datetime.now(dt.UTC)
    reset = (now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    left = reset - now
    hours, minutes = divmod(int(left.total_seconds()) // 60, 60)
    message = (
        "the API key's daily request quota is spent (quota_exceeded); it resets at 00:00 UTC "
        f"(in {hours} h {minutes} min). Nothing more was sent."
    )
    return QuotaError(response.status_code, call.method, call.path, message, account=call.account)
