"""The one way ctctform talks to Constant Contact: auth, pacing, retries, paging, activities."""

from __future__ import annotations

import base64
import functools
import logging
import ssl
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from ctctform import __version__
from ctctform.api import activities, paging
from ctctform.api.auth import AccountAuth, Auth, Notice, PartnerAuth
from ctctform.api.config import ClientConfig
from ctctform.api.errors import (
    AmbiguousWriteError,
    ApiError,
    AuthError,
    message_from_body,
    reason_phrase,
    redact,
)
from ctctform.api.ratelimit import RateLimiter
from ctctform.api.retry import (
    IDEMPOTENT_METHODS,
    NOT_SENT_ERRORS,
    RETRY_STATUSES,
    RetryableFailure,
    RetryPolicy,
    describe_failure,
    parse_retry_after,
)
from ctctform.api.stats import Stats

if TYPE_CHECKING:
    from ctctform.api.partner import AccountProxy

log = logging.getLogger("ctctform.api")

Params = Mapping[str, Any] | list[tuple[str, Any]] | None
# Raised by httpx before anything is sent, and not worth retrying (bad URL, client bug).
FATAL_TRANSPORT_ERRORS = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process: building one reads the whole CA bundle, and
    a process that starts several clients (partner runs, the demo, tests) needs only one."""
    return httpx.create_ssl_context()


def _stderr_notice(message: str) -> None:
    print(message, file=sys.stderr)


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


@dataclass(frozen=True)
class _Outcome:
    response: httpx.Response
    generation: int  # of the credentials used, for a refresh on 401
    maybe_applied: bool  # an earlier attempt may have taken effect


class ApiMethods:
    """get/paginate/activities on top of `request`; shared by Client and the partner proxy."""

    stats: Stats

    def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        params: Params = None,
        *,
        idempotent: bool | None = None,
    ) -> Any:
        raise NotImplementedError

    def _follow(self, href: str) -> str:
        """Turn a `_links` href into something `request` accepts."""
        raise NotImplementedError

    def _poll_settings(self) -> activities.PollSettings:
        raise NotImplementedError

    def _sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def get(self, path: str, params: Params = None) -> Any:
        return self.request("GET", path, params=params)

    def paginate(
        self, path: str, item_key: str, limit: int | None = None, params: Params = None
    ) -> list[dict[str, Any]]:
        """Every item of a collection; `limit` defaults to the largest page the API allows."""
        query = dict(params) if params else None
        return paging.collect(self.get, self._follow, path, item_key, limit, query)

    def run_activity(self, path: str, body: Any) -> dict[str, Any]:
        """POST a bulk activity and wait for `completed` (ActivityError otherwise).

        Bulk deletes are marked idempotent: deleting the same ids twice is harmless, so a
        dropped answer is retried instead of being reported as ambiguous.
        """
        started = self.request("POST", path, json=body, idempotent=True)
        return self.wait_activity(started, origin=f"POST {path}")

    def wait_activity(self, activity: dict[str, Any], origin: str = "activity") -> dict[str, Any]:
        """Wait for an activity already started (e.g. the 202 of DELETE /contact_lists/{id})."""
        return activities.wait_for(
            activity,
            self.get,
            self._follow,
            self._poll_settings(),
            origin,
            sleep=self._sleep,
        )


class Client(ApiMethods):
    """Thread-safe Constant Contact v3 client; share one per run."""

    def __init__(
        self,
        config: ClientConfig,
        notice: Notice | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self.stats = Stats()
        self._notice = notice or _stderr_notice
        self._sleep_fn = sleep
        base = config.api_url.rstrip("/")
        parts = urlsplit(base)
        self._base = base
        self._base_path = parts.path.rstrip("/")
        self._host = f"{parts.scheme}://{parts.netloc}"
        # +2 connections so a token request is never starved by in-flight API calls.
        pool = config.max_in_flight + 2
        self._http = httpx.Client(
            timeout=httpx.Timeout(config.timeout, connect=config.connect_timeout),
            limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool),
            transport=transport,
            verify=_tls_context(),
            headers={"Accept": "application/json", "User-Agent": f"ctctform/{__version__}"},
            follow_redirects=False,
        )
        assert config.rate_limit is not None
        self._limiter = RateLimiter(config.rate_limit, config.rate_margin, sleep=sleep)
        # Slots are taken only once a connection is free, so a slot is never spent waiting
        # in the pool and then released in a burst with others.
        self._in_flight = threading.BoundedSemaphore(config.max_in_flight)
        self._policy = RetryPolicy(
            config.max_attempts, config.max_retry_time, config.backoff_initial, config.backoff_max
        )
        self._account_auth = AccountAuth(config, self._token_request, self._notice)
        self._partner_auth = PartnerAuth(config, self._token_request)

    # -- public interface -------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        params: Params = None,
        *,
        idempotent: bool | None = None,
    ) -> Any:
        """Send one request; parsed JSON, or None for an empty answer (204).

        `path` is relative to the API base (`/contact_lists`), or an absolute URL on the API
        host (a `_links` href). POSTs are not idempotent unless the caller says so.
        """
        method = method.upper()
        url, label = self._resolve(path)
        call = Call(
            method=method,
            path=label,
            wire_method=method,
            url=url,
            body=json,
            params=params,
            idempotent=_is_idempotent(method, idempotent),
            partner=label.startswith("/partner/"),
        )
        return self.execute(call, self.stats)

    def partner_accounts(self, params: Params = None) -> list[dict[str, Any]]:
        """All client accounts of the partner (`GET /partner/accounts`, offset paging, ≤50)."""
        return self.paginate("/partner/accounts", "site_owner_list", params=params)

    def for_account(self, encoded_account_id: str) -> AccountProxy:
        """The same interface, sent on behalf of a client account through the partner API."""
        from ctctform.api.partner import AccountProxy  # the proxy module imports Client

        return AccountProxy(self, encoded_account_id)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client(api_url={self.config.api_url!r}, rate_limit={self.config.rate_limit})"

    # -- helpers shared with the partner proxy ------------------------------------------

    @property
    def base_path(self) -> str:
        return self._base_path

    def url_for(self, path: str) -> str:
        return self._base + (path if path.startswith("/") else "/" + path)

    def _resolve(self, path: str) -> tuple[str, str]:
        """(absolute URL, path relative to the API base for messages and stats)."""
        if path.startswith(("http://", "https://")):
            parts = urlsplit(path)
            if f"{parts.scheme}://{parts.netloc}" != self._host:
                # Never send credentials to a host other than the configured API.
                raise ApiError(None, "GET", parts.path, "refusing to follow a link to another host")
            url = path
        else:
            url = self.url_for(path)
        label = paging.strip_base(url[len(self._host) :], self._base_path).split("?", 1)[0]
        return url, label

    def _follow(self, href: str) -> str:
        # `/v3/contact_tags?cursor=..` is host-relative: join it to scheme://host:port, not
        # to the base URL (which already ends in /v3).
        return href if href.startswith(("http://", "https://")) else self._host + href

    def _poll_settings(self) -> activities.PollSettings:
        c = self.config
        return activities.PollSettings(
            c.activity_poll_initial, c.activity_poll_max, c.activity_timeout
        )

    def _sleep(self, seconds: float) -> None:
        self._sleep_fn(seconds)

    # -- the request pipeline -------------------------------------------------------------

    def execute(self, call: Call, stats: Stats) -> Any:
        """Send `call` with retries; on a 401 refresh the token once and try once more."""
        auth: Auth = self._partner_auth if call.partner else self._account_auth
        outcome = self._send(call, auth, stats)
        if outcome.response.status_code == 401:
            auth.refresh(outcome.generation, call.where)
            outcome = self._send(call, auth, stats)
            if outcome.response.status_code == 401:
                detail = self._message(outcome.response)
                raise AuthError(
                    f"credentials rejected: 401 Unauthorized on {call.where}"
                    + (f": {detail}" if detail else "")
                )
        response = outcome.response
        if response.status_code == 404 and call.method == "DELETE" and outcome.maybe_applied:
            # An earlier attempt probably deleted it and its answer was lost: gone is the goal.
            log.info("%s: 404 after a retried delete; treating it as deleted", call.where)
            return None
        if response.is_error:
            raise self._error(call, response)
        return self._parse(call, response)

    def _error(self, call: Call, response: httpx.Response, suffix: str = "") -> ApiError:
        words = self._message(response)
        message = f"{words} ({suffix})" if words and suffix else words or suffix
        return ApiError(response.status_code, call.method, call.path, message, account=call.account)

    def _send(self, call: Call, auth: Auth, stats: Stats) -> _Outcome:
        attempts = 0
        generation = 0
        maybe_applied = False

        def record(status: int | None) -> None:
            stats.record(call.method, call.path, retry=attempts > 1, status=status)

        def attempt() -> httpx.Response:
            nonlocal attempts, generation, maybe_applied
            attempts += 1
            headers, generation = auth.headers()
            try:
                return self._classify(call, self._transmit(call, headers, record))
            except RetryableFailure as failure:
                maybe_applied = maybe_applied or failure.maybe_applied
                raise

        try:
            response = self._policy.run(attempt, call.where, self._sleep_fn)
        except RetryableFailure as failure:
            raise self._gave_up(call, failure, attempts) from failure.cause
        return _Outcome(response, generation, maybe_applied)

    def _transmit(
        self, call: Call, headers: dict[str, str], record: Callable[[int | None], None]
    ) -> httpx.Response:
        """One attempt on the wire: wait for a connection, then a rate slot, then send."""
        request = self._build(call, headers)
        with self._in_flight:
            self._limiter.acquire()
            started = time.monotonic()
            try:
                response = self._http.send(request)
            except NOT_SENT_ERRORS as exc:
                raise RetryableFailure(cause=exc) from exc
            except FATAL_TRANSPORT_ERRORS as exc:
                raise ApiError(None, call.method, call.path, describe_failure(None, exc)) from exc
            except httpx.TransportError as exc:
                # Sent, answer lost: the server may have acted on it.
                record(None)
                if call.idempotent:
                    raise RetryableFailure(cause=exc, maybe_applied=True) from exc
                words = f"no answer ({describe_failure(None, exc)})"
                raise AmbiguousWriteError(
                    None, call.method, call.path, words, account=call.account
                ) from exc
        record(response.status_code)
        log.debug("%s -> %d (%.3fs)", call.where, response.status_code, time.monotonic() - started)
        return response

    def _build(self, call: Call, headers: dict[str, str]) -> httpx.Request:
        if call.form is not None:
            return self._http.build_request(
                call.wire_method, call.url, data=call.form, headers=headers
            )
        return self._http.build_request(
            call.wire_method, call.url, json=call.body, params=call.params, headers=headers
        )

    def _classify(self, call: Call, response: httpx.Response) -> httpx.Response:
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if status == 429:
            # Throttled requests were not processed, so even a POST is safe to send again.
            raise RetryableFailure(response=response, retry_after=retry_after)
        if status in RETRY_STATUSES:
            if call.idempotent:
                raise RetryableFailure(
                    response=response, retry_after=retry_after, maybe_applied=True
                )
            raise AmbiguousWriteError(
                status, call.method, call.path, self._message(response), account=call.account
            )
        return response

    def _gave_up(self, call: Call, failure: RetryableFailure, attempts: int) -> ApiError:
        tail = f"gave up after {attempts} attempt{'s' if attempts != 1 else ''}"
        if failure.response is not None:
            return self._error(call, failure.response, tail)
        message = f"{describe_failure(None, failure.cause)} ({tail})"
        return ApiError(None, call.method, call.path, message, account=call.account)

    def _message(self, response: httpx.Response) -> str:
        words = message_from_body(response.content, response.headers.get("content-type", ""))
        return redact(words, self.config.secrets)

    def _parse(self, call: Call, response: httpx.Response) -> Any:
        if response.status_code == 204 or not response.content.strip():
            return None
        try:
            return response.json()
        except ValueError:
            message = "the answer is not JSON"
            raise ApiError(
                response.status_code, call.method, call.path, message, account=call.account
            ) from None

    # -- OAuth token requests ---------------------------------------------------------------

    def _token_request(
        self, url: str, client_id: str, client_secret: str, form: dict[str, str]
    ) -> dict[str, Any]:
        """POST a token grant (HTTP Basic client auth); parsed JSON or AuthError.

        Paced and retried like API calls, but counted as token_requests, not API requests.
        """
        basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        headers = {"Authorization": f"Basic {basic}"}
        call = Call(
            method="POST",
            path=urlsplit(url).path,
            wire_method="POST",
            url=url,
            form=form,
            idempotent=True,
        )

        def attempt() -> httpx.Response:
            response = self._transmit(call, headers, lambda _s: self.stats.record_token_request())
            return self._classify(call, response)

        try:
            response = self._policy.run(attempt, f"POST {url}", self._sleep_fn)
        except RetryableFailure as failure:
            detail = describe_failure(failure.response, failure.cause)
            raise AuthError(f"token endpoint {url} is unavailable: {detail}") from None
        except ApiError as exc:
            raise AuthError(f"token endpoint {url} failed: {exc.message}") from None
        return self._token_answer(url, response)

    def _token_answer(self, url: str, response: httpx.Response) -> dict[str, Any]:
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.is_success and isinstance(answer, dict):
            return answer
        if response.is_success:
            raise AuthError(f"token endpoint {url} answered {response.status_code} without JSON")
        words = _oauth_error(answer) or message_from_body(response.content)
        words = redact(words, self.config.secrets)
        status = f"{response.status_code} {reason_phrase(response.status_code)}"
        raise AuthError(
            f"token endpoint {url} refused the request ({status})" + (f": {words}" if words else "")
        )


def _oauth_error(answer: Any) -> str:
    if not isinstance(answer, dict):
        return ""
    error, description = answer.get("error"), answer.get("error_description")
    parts = [str(p) for p in (error, description) if p]
    return ": ".join(parts)


def _is_idempotent(method: str, override: bool | None) -> bool:
    return method in IDEMPOTENT_METHODS if override is None else override
