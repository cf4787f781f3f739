"""The WSGI application: host check, auth, rate limits and faults in front of the handlers.

A request goes through, in order: the Host check (403), routing (404/405), bearer and
x-api-key auth (401/403; not on the token endpoints), burst faults and the key's limits
(429; not on the token endpoints), fault rules, the error_rate fault, the handler, and the
drop_after_commit fault.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request

from .auth import bearer_token
from .faultrules import (
    FaultRule,
    endless_page,
    freeze_activity,
    replacement,
    strip_endless_cursor,
    stuck_activity,
)
from .messages import ApiRequest, ApiResponse, SandboxError, error_response
from .ratelimit import QUOTA_EXCEEDED
from .redact import redact_query
from .requestlog import RequestRecord
from .routes import ACCOUNT_MAP, OAUTH, PARTNER, SERVER_MAP, WRITE_METHODS, Route, match
from .state import Context, SandboxState
from .store import AccountStore
from .wire import to_api_request, to_wsgi_response

SYNC_SUFFIX = "/account_operations/sync"
# The per-second 429 body the API answers (an object, not the error array), and the daily
# quota's: https://v3.developer.constantcontact.com/api_guide/glossary_responses.html
THROTTLED_BODY = {
    "error_key": "throttled",
    "error_message": "Too many requests. You exceeded the request rate limit.",
}
QUOTA_BODY = {"error_key": "quota_exceeded", "error_message": "Limit Exceeded"}

Runner = Callable[[ApiRequest], ApiResponse]


class DroppedConnection(ConnectionAbortedError):
    """Raised after a fault shut the socket; werkzeug ignores it quietly."""


@dataclass
class Outcome:
    response: ApiResponse | None  # None: no handler ran and nothing is sent
    disconnect: str | None = None  # "drop", "reset" or "hang": the response is not sent
    fault: str | None = None  # the fault that decided the answer, for the request log
    hang_seconds: float = 0.0


class Disconnect(Exception):
    """A rule on a proxied request closes the outer connection: carries the outcome out of
    the sync handler (and out of the sandbox lock, so a hang blocks nobody else)."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.disconnect)
        self.outcome = outcome


class SandboxApp:
    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self._scope = threading.local()  # per request: the fault a proxied request met

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        started = time.monotonic()
        if self.state.latency_ms > 0:
            # Outside any lock: concurrent requests wait in parallel, as on a real network.
            time.sleep(self.state.latency_ms / 1000)
        request = to_api_request(Request(environ))
        self._scope.inner_fault, self._scope.rules = None, []
        try:
            outcome = self.respond(request)
        finally:
            self.state.log.tag_next_inner(None)
        outcome.fault = outcome.fault or self._scope.inner_fault
        self._record(request, outcome, started)
        for rule in self._scope.rules:
            rule.logged()  # after the log has it: a test waiting on the rule sees it there
        if outcome.disconnect is not None:
            if outcome.disconnect == "hang":
                # Released early by stop(): a hung request never holds up the shutdown.
                self.state.stopping.wait(outcome.hang_seconds)
            _shut(environ.get("werkzeug.socket"))
            raise DroppedConnection(f"response withheld by fault injection ({outcome.fault})")
        assert outcome.response is not None
        return to_wsgi_response(outcome.response)(environ, start_response)

    def respond(self, request: ApiRequest) -> Outcome:
        rejection = self.state.guard.check(request.headers.get("host"))
        if rejection is not None:
            return Outcome(rejection)
        matched = match(SERVER_MAP, request.method, request.path)
        if isinstance(matched, ApiResponse):
            return Outcome(matched)
        route, args = matched
        if route.realm != OAUTH:
            refused = self._authenticate(route.realm, request) or self._admit(route.realm)
            if refused is not None:
                return refused
        try:
            return self._serve(route, args, request)
        except Disconnect as exc:
            return exc.outcome

    def _serve(self, route: Route, args: dict[str, Any], request: ApiRequest) -> Outcome:
        store = self.state.store
        rule = self.state.faults.ruleset.take(request.method, request.path, None)
        if rule is not None:
            self._scope.rules.append(rule)
            return self._apply(rule, request, lambda r: self.run(route, args, r, store))
        stuck = self._stuck(request, store)
        if stuck is not None:
            return stuck
        write = route.realm != OAUTH and is_write(request)
        if write and self.state.faults.draw_error():
            return Outcome(unavailable(), fault="error_rate")
        response = self.run(route, args, request, store)
        if write and response.status < 400 and self.state.faults.take_drop():
            return Outcome(response, "drop", "drop_after_commit")
        return Outcome(response)

    def _apply(self, rule: FaultRule, request: ApiRequest, run_real: Runner) -> Outcome:
        """What a fault rule answers, running the real handler first where it says so."""
        rules, action = self.state.faults.ruleset, rule.action
        if action == "endless_cursor":
            first = run_real(strip_endless_cursor(request))
            return Outcome(endless_page(rules, request, first), fault=action)
        real = run_real(request) if rule.runs_handler else None
        if action == "stuck_activity":
            assert real is not None
            freeze_activity(rules, real)
            return Outcome(real, fault=action)
        if action in ("reset", "hang"):
            return Outcome(real, action, action, rule.hang_seconds)
        try:
            return Outcome(replacement(rule, request, real), fault=action)
        except Exception:  # a test's respond() failed: show it, answer like a server bug
            traceback.print_exc(file=sys.stderr)
            message = "The fault rule's respond function raised; see the sandbox's stderr."
            return Outcome(error_response(500, "server.error", message), fault=action)

    def _stuck(self, request: ApiRequest, store: AccountStore) -> Outcome | None:
        if not self.state.faults.ruleset.stuck_activities:
            return None  # the common case, without taking the sandbox lock
        with self.state.lock:
            frozen = stuck_activity(self.state.faults.ruleset, request, store)
        return Outcome(frozen, fault="stuck_activity") if frozen is not None else None

    def run(
        self, route: Route, args: dict[str, Any], request: ApiRequest, store: AccountStore
    ) -> ApiResponse:
        context = Context(request, store, self.state, self.dispatch_account)
        try:
            with self.state.lock:
                return route.handler(context, **args)
        except SandboxError as exc:
            return exc.response()
        except Disconnect:
            raise
        except Exception:  # a sandbox bug: say so loudly, answer like the API's 500
            traceback.print_exc(file=sys.stderr)
            return error_response(
                500, "server.error", "There was a problem with our internal service."
            )

    def dispatch_account(self, store: AccountStore, request: ApiRequest) -> ApiResponse:
        """A request proxied for a client account: account endpoints, that account's store.

        Fault rules match the inner request; the sync handler answers what they answer,
        and a reset or hang closes the outer connection.
        """
        matched = match(ACCOUNT_MAP, request.method, request.path)
        if isinstance(matched, ApiResponse):
            return matched
        route, args = matched
        rule = self.state.faults.ruleset.take(request.method, request.path, request.account)
        if rule is not None:
            self._scope.rules.append(rule)
            outcome = self._apply(rule, request, lambda r: self.run(route, args, r, store))
        else:
            stuck = self._stuck(request, store)
            if stuck is None:
                return self.run(route, args, request, store)
            outcome = stuck
        self._scope.inner_fault = outcome.fault
        if outcome.disconnect is not None:
            # The sync handler never gets to log this one: log it here.
            self.state.log.add(_record_of(request, outcome, request.account))
            raise Disconnect(outcome)
        self.state.log.tag_next_inner(outcome.fault)
        assert outcome.response is not None
        return outcome.response

    def _authenticate(self, realm: str, request: ApiRequest) -> Outcome | None:
        tokens = self.state.tokens
        token = bearer_token(request.headers.get("authorization"))
        check = tokens.partner_token_ok if realm == PARTNER else tokens.account_token_ok
        with self.state.lock:
            valid = check(token)
            key_ok = tokens.api_key_ok(request.headers.get("x-api-key"))
        if not valid:
            # AuthorizationErrorSchema: a single object, not the error array.
            body = {"error_key": "unauthorized", "error_message": "Unauthorized"}
            return Outcome(ApiResponse(401, body, {"WWW-Authenticate": 'Bearer realm="ctct"'}))
        if realm == PARTNER and not key_ok:
            message = "Forbidden: partner endpoints need a valid x-api-key header"
            return Outcome(ApiResponse(403, {"error_key": "forbidden", "error_message": message}))
        return None

    def _admit(self, realm: str) -> Outcome | None:
        """Burst faults, then the key's daily quota and per-second window."""
        faults, state = self.state.faults, self.state
        if faults.take_burst_429():
            seconds = faults.retry_after
            if seconds is None and state.retry_after_header:
                seconds = 1
            return Outcome(throttled(seconds), fault="burst_429")
        verdict = state.limits.key(partner=realm == PARTNER).admit()
        if verdict is None:
            return None
        if verdict.reason == QUOTA_EXCEEDED:
            return Outcome(ApiResponse(429, dict(QUOTA_BODY)))  # final until 00:00 UTC
        return Outcome(throttled(verdict.wait if state.retry_after_header else None))

    def _record(self, request: ApiRequest, outcome: Outcome, started: float) -> None:
        record = _record_of(request, outcome, None)
        self.state.log.add(record)
        if self.state.verbose:
            millis = round((time.monotonic() - started) * 1000)
            shown = redact_query(request.args.items(multi=True), self.state.is_secret)
            target = f"{request.path}?{shown}" if shown else request.path
            note = ""
            if outcome.disconnect is not None:
                note = " (dropped)" if outcome.disconnect == "drop" else f" ({outcome.disconnect})"
            elif outcome.fault is not None:
                note = f" (fault {outcome.fault})"
            print(
                f'"{request.method} {target}" {record.status}{note} {millis} ms',
                file=sys.stderr,
                flush=True,
            )


def _record_of(request: ApiRequest, outcome: Outcome, account: str | None) -> RequestRecord:
    status = outcome.response.status if outcome.response is not None else 0
    query = urlencode(list(request.args.items(multi=True)))
    dropped = outcome.disconnect is not None
    return RequestRecord(
        request.method, request.path, status, account, query, dropped, outcome.fault
    )


def is_write(request: ApiRequest) -> bool:
    """Writes are what faults hit; a proxied request counts as the method it wraps."""
    if request.method not in WRITE_METHODS:
        return False
    if request.path.endswith(SYNC_SUFFIX):
        try:
            inner = json.loads(request.body or b"{}").get("account_operation_method", "")
        except (ValueError, AttributeError):
            return True
        return str(inner).upper() in WRITE_METHODS
    return True


def throttled(retry_after: int | None) -> ApiResponse:
    """The per-second 429; no Retry-After unless asked for (the API documents none)."""
    response = ApiResponse(429, dict(THROTTLED_BODY))
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def unavailable() -> ApiResponse:
    return error_response(
        503, "service.unavailable", "Our internal service is temporarily unavailable."
    )


def _shut(sock: socket.socket | None) -> None:
    if sock is None:
        return
    with contextlib.suppress(OSError):  # the client may already have gone
        sock.shutdown(socket.SHUT_RDWR)
