"""Errors raised by the API client; each str() is one line and never holds a secret.

Errors also say what kind of failure they are: a *resource-specific* one (the API refused
this request: 400, 404, 409, an activity that failed) lets an apply go on with what does not
depend on it; a *systemic* one (credentials, the daily quota, a server that keeps failing or
answers garbage, an unreachable host) means nothing new should start (`is_systemic`).
"""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from typing import Any

from ctctform.errors import CtctformError

_MAX_MESSAGE = 300
RESOURCE_STATUSES = frozenset({400, 404, 409, 422})


def reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def one_line(text: str, limit: int = _MAX_MESSAGE) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def parse_body(body: bytes | str) -> Any:
    """JSON of an answer body, or None (not JSON, or nested beyond any real answer)."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def message_from_body(body: bytes | str, content_type: str = "") -> str:
    """Turn an API error body (APIErrorSchema, AuthorizationErrorSchema, OAuth, text) into words."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if not text.strip():
        return ""
    parsed = parse_body(text)
    if parsed is None:
        # HTML error pages from proxies are noise; keep plain text only.
        return "" if "html" in content_type.lower() or "<" in text[:100] else one_line(text)
    return one_line(_message_from_json(parsed))


def error_key(body: bytes | str) -> str:
    """The `error_key` of an error body (an object, or the first of an array), or ""."""
    parsed = parse_body(body)
    if isinstance(parsed, list) and parsed:
        parsed = parsed[0]
    if isinstance(parsed, dict):
        key = parsed.get("error_key") or parsed.get("error")
        return key if isinstance(key, str) else ""
    return ""


def _message_from_json(parsed: Any) -> str:
    if isinstance(parsed, list):
        parts = [_message_from_json(item) for item in parsed[:5]]
        return "; ".join(p for p in parts if p)
    if isinstance(parsed, dict):
        for key in ("error_message", "message", "error_description"):
            if isinstance(parsed.get(key), str) and parsed[key]:
                return str(parsed[key])
        for key in ("error_key", "error"):
            if isinstance(parsed.get(key), str) and parsed[key]:
                return str(parsed[key])
        return ""
    return "" if parsed is None else str(parsed)[:_MAX_MESSAGE]


class ApiError(CtctformError):
    """A request the API refused or that could not be completed.

    `status` is None when no HTTP answer arrived (connection errors, timeouts).
    """

    def __init__(
        self,
        status: int | None,
        method: str,
        path: str,
        message: str = "",
        *,
        account: str | None = None,
    ) -> None:
        self.status = status
        self.method = method
        self.path = path
        self.message = message
        self.account = account
        super().__init__(self._format())

    def _format(self) -> str:
        where = f"{self.method} {self.path}"
        if self.account:
            where += f" (account {self.account})"
        head = (
            f"{where}"
            if self.status is None
            else f"{self.status} {reason_phrase(self.status)} on {where}"
        )
        return f"{head}: {self.message}" if self.message else head


class AmbiguousWriteError(ApiError):
    """A non-idempotent write may or may not have been applied; read back before retrying."""

    def _format(self) -> str:
        return (
            super()._format() + " (the write may have been applied; read it back before retrying)"
        )


class QuotaError(ApiError):
    """The key's daily request quota is spent (429 `quota_exceeded`): nothing more can be
    sent until it resets at 00:00 UTC."""


class AuthError(CtctformError):
    """Missing, rejected or unobtainable credentials."""


class CredentialStoreError(CtctformError):
    """The credential store cannot be read, locked or written."""


class ActivityError(CtctformError):
    """A bulk activity ended in failed/cancelled/timed_out, reported errors, or never finished."""

    def __init__(
        self,
        message: str,
        *,
        activity_id: str | None,
        state: str | None,
        errors: list[str] | None = None,
    ) -> None:
        self.activity_id = activity_id
        self.state = state
        self.errors = list(errors or [])  # the API's activity_errors, as text
        super().__init__(message)


class AnswerError(CtctformError):
    """The API answered something ctctform cannot rely on (a malformed page, an item without
    its id, a create without one). A broken server, not one resource: the run stops."""


class Halted(CtctformError):
    """A request was not sent because the run has stopped starting new work."""


def is_systemic(exc: BaseException) -> bool:
    """True when a failure means nothing new should start (see the module docstring).
    Errors of other layers may say so themselves (`resource_specific = True`)."""
    if getattr(exc, "resource_specific", False):
        return False
    if isinstance(exc, AmbiguousWriteError):
        return True  # the server kept losing answers: it is in trouble, not this resource
    if isinstance(exc, ApiError):
        return exc.status not in RESOURCE_STATUSES
    return not isinstance(exc, ActivityError)


# What an id may look like (UUIDs, integers, encoded account ids): it goes into URL paths, so
# a `/`, `..`, `?` or a control character from a hostile server must never get that far.
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}")


def check_id(ident: str, where: str, field: str) -> str:
    if not SAFE_ID.fullmatch(ident):
        raise AnswerError(
            f"{where}: {field} {ident[:60]!r} is not an id (letters, digits and -._~ only)"
        )
    return ident
