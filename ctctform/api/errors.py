"""Errors raised by the API client; each str() is one line and never holds a secret."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from ctctform.errors import CtctformError

_MAX_MESSAGE = 300


def reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def one_line(text: str, limit: int = _MAX_MESSAGE) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """Mask secret values a remote party might echo back (defence in depth)."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def message_from_body(body: bytes | str, content_type: str = "") -> str:
    """Turn an API error body (APIErrorSchema, AuthorizationErrorSchema, OAuth, text) into words."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if not text.strip():
        return ""
    try:
        parsed = json.loads(text)
    except ValueError:
        # HTML error pages from proxies are noise; keep plain text only.
        return "" if "html" in content_type.lower() else one_line(text)
    return one_line(_message_from_json(parsed))


def _message_from_json(parsed: Any) -> str:
    if isinstance(parsed, list):
        parts = [_message_from_json(item) for item in parsed]
        return "; ".join(p for p in parts if p)
    if isinstance(parsed, dict):
        for key in ("error_message", "message", "error_description"):
            if isinstance(parsed.get(key), str) and parsed[key]:
                return parsed[key]
        for key in ("error_key", "error"):
            if isinstance(parsed.get(key), str) and parsed[key]:
                return parsed[key]
        return ""
    return "" if parsed is None else str(parsed)


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


class AuthError(CtctformError):
    """Missing, rejected or unobtainable credentials."""


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
