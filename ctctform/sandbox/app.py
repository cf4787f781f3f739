"""The WSGI application: latency, auth, rate limits and faults in front of the handlers."""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import time
import traceback
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request

from .auth import bearer_token
from .messages import ApiRequest, ApiResponse, SandboxError, error_response
from .ratelimit import QUOTA_EXCEEDED
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


class DroppedConnection(ConnectionAbortedError):
    """Raised after a drop_after_commit fault shut the socket; werkzeug ignores it quietly."""


class SandboxApp:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        started = time.monotonic()
        if self.state.latency_ms > 0:
            # Outside any lock: concurrent requests wait in parallel, as on a real network.
            time.sleep(self.state.latency_ms / 1000)
        request = to_api_request(Request(environ))
        response, drop = self.respond(request)
        self._record(request, response, drop, started)
        if drop:
            _shut(environ.get("werkzeug.socket"))
            raise DroppedConnection("response dropped by fault injection")
        return to_wsgi_response(response)(environ, start_response)

    def respond(self, request: ApiRequest) -> tuple[ApiResponse, bool]:
        """The response, and whether to drop it (the write has committed by then)."""
        matched = match(SERVER_MAP, request.method, request.path)
        if isinstance(matched, ApiResponse):
            return matched, False
        route, args = matched
        if route.realm == OAUTH:
            return self.run(route, args, request, self.state.store), False
        rejection = self._authenticate(route.realm, request) or self._admit(route.realm)
        if rejection is not None:
            return rejection, False
        write = is_write(request)
        if write and self.state.faults.draw_error():
            return unavailable(), False
        response = self.run(route, args, request, self.state.store)
        drop = write and response.status < 400 and self.state.faults.take_drop()
        return response, drop

    def run(
        self, route: Route, args: dict[str, Any], request: ApiRequest, store: AccountStore
    ) -> ApiResponse:
        context = Context(request, store, self.state, self.dispatch_account)
        try:
            with self.state.lock:
                return route.handler(context, **args)
        except SandboxError as exc:
            return exc.response()
        except Exception:  # a sandbox bug: say so loudly, answer like the API's 500
            traceback.print_exc(file=sys.stderr)
            return error_response(
                500, "server.error", "There was a problem with our internal service."
            )

    def dispatch_account(self, store: AccountStore, request: ApiRequest) -> ApiResponse:
        """A request proxied for a client account: account endpoints, that account's store."""
        matched = match(ACCOUNT_MAP, request.method, request.path)
        if isinstance(matched, ApiResponse):
            return matched
        route, args = matched
        return self.run(route, args, request, store)

    def _authenticate(self, realm: str, request: ApiRequest) -> ApiResponse | None:
        tokens = self.state.tokens
        token = bearer_token(request.headers.get("authorization"))
        check = tokens.partner_token_ok if realm == PARTNER else tokens.account_token_ok
        with self.state.lock:
            valid = check(token)
            key_ok = tokens.api_key_ok(request.headers.get("x-api-key"))
        if not valid:
            # AuthorizationErrorSchema: a single object, not the error array.
            body = {"error_key": "unauthorized", "error_message": "Unauthorized"}
            return ApiResponse(401, body, {"WWW-Authenticate": 'Bearer realm="ctct"'})
        if realm == PARTNER and not key_ok:
            message = "Forbidden: partner endpoints need a valid x-api-key header"
            return ApiResponse(403, {"error_key": "forbidden", "error_message": message})
        return None

    def _admit(self, realm: str) -> ApiResponse | None:
        """Burst faults, then the key's daily quota and per-second window."""
        faults, state = self.state.faults, self.state
        if faults.take_burst_429():
            seconds = faults.retry_after
            if seconds is None and state.retry_after_header:
                seconds = 1
            return throttled(seconds)
        verdict = state.limits.key(partner=realm == PARTNER).admit()
        if verdict is None:
            return None
        if verdict.reason == QUOTA_EXCEEDED:
            return ApiResponse(429, dict(QUOTA_BODY))  # final until 00:00 UTC
        return throttled(verdict.wait if state.retry_after_header else None)

    def _record(
        self, request: ApiRequest, response: ApiResponse, drop: bool, started: float
    ) -> None:
        query = urlencode(list(request.args.items(multi=True)))
        record = RequestRecord(request.method, request.path, response.status, None, query, drop)
        self.state.log.add(record)
        if self.state.verbose:
            millis = round((time.monotonic() - started) * 1000)
            target = f"{request.path}?{query}" if query else request.path
            note = " (dropped)" if drop else ""
            print(
                f'"{request.method} {target}" {response.status}{note} {millis} ms',
                file=sys.stderr,
                flush=True,
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
