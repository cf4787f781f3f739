"""Requests and responses as the endpoint handlers see them, independent of the HTTP server.

The same handlers serve requests off the wire and requests a partner proxies to a client
account through account_operations/sync, so they take an ApiRequest, not a WSGI environ.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from .validation import validate


class SandboxError(Exception):
    """An error answered in the API's shape: `[{"error_key": ..., "error_message": ...}]`."""

    status = 400
    error_key = "contacts.api.validation.error"

    def __init__(self, *messages: str, error_key: str | None = None) -> None:
        super().__init__("; ".join(messages))
        self.messages = list(messages)
        if error_key:
            self.error_key = error_key

    def response(self) -> ApiResponse:
        return error_response(self.status, self.error_key, *self.messages)


class BadRequest(SandboxError):
    status = 400


class Forbidden(SandboxError):
    status = 403
    error_key = "forbidden"


class NotFound(SandboxError):
    status = 404
    error_key = "contacts.api.not.found"


class Conflict(SandboxError):
    status = 409
    error_key = "contacts.api.conflict"


class TooManyActivities(SandboxError):
    status = 429
    error_key = "too_many_requests"


class UnsupportedMediaType(SandboxError):
    status = 415
    error_key = "contacts.api.unsupported.media.type"


@dataclass
class ApiRequest:
    method: str
    path: str  # full URL path, e.g. /v3/contact_lists
    args: MultiDict[str, str] = field(default_factory=MultiDict)
    body: bytes = b""
    content_type: str = ""
    account: str | None = None  # encoded_account_id when proxied for a client account
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names

    def json(self, definition: str | None = None) -> Any:
        """The parsed JSON body, checked against a spec definition when one is named."""
        if self.body.strip() and "json" not in self.content_type.lower():
            raise UnsupportedMediaType("Content-Type must be application/json")
        try:
            data = json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BadRequest(f"Malformed JSON in the request body: {exc}") from None
        if definition:
            errors = validate(data, definition)
            if errors:
                raise BadRequest(*errors)
        return data

    def flag(self, name: str) -> bool:
        """A boolean query parameter (`include_count=true`); anything else is a 400."""
        raw = self.args.get(name)
        if raw is None:
            return False
        if raw.lower() not in ("true", "false"):
            raise BadRequest(f"{name} must be true or false")
        return raw.lower() == "true"


@dataclass
class ApiResponse:
    status: int
    body: Any = None  # JSON-serialisable, or None for no content
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        return b"" if self.body is None else json.dumps(self.body).encode("utf-8")


def error_response(status: int, error_key: str, *messages: str) -> ApiResponse:
    body = [{"error_key": error_key, "error_message": message} for message in messages]
    return ApiResponse(status, body)


def ok(body: Any, status: int = 200) -> ApiResponse:
    return ApiResponse(status, body)


def no_content() -> ApiResponse:
    return ApiResponse(204)
