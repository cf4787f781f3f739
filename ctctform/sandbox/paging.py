"""Cursor paging as the v3 collections do it: `limit`, then follow `_links.next.href`."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from .messages import ApiRequest, BadRequest

T = TypeVar("T")
SortKey = tuple[Any, ...]


@dataclass(frozen=True)
class Limit:
    """A collection's `limit` parameter: its default and bounds from the spec."""

    default: int
    minimum: int
    maximum: int

    def parse(self, request: ApiRequest) -> int:
        raw = request.args.get("limit")
        if raw is None:
            return self.default
        try:
            value = int(raw)
        except ValueError:
            raise BadRequest(f"limit must be an integer, got {raw!r}") from None
        if not self.minimum <= value <= self.maximum:
            raise BadRequest(f"limit must be between {self.minimum} and {self.maximum}")
        return value


@dataclass
class Page:
    items: list[Any]
    next_href: str | None

    def links(self) -> dict[str, Any]:
        """`{"_links": {"next": {"href": ...}}}`, or nothing on the last page."""
        return {"_links": {"next": {"href": self.next_href}}} if self.next_href else {}


def paginate(
    request: ApiRequest,
    items: Sequence[T],
    sort_key: Callable[[T], SortKey],
    limit: Limit,
) -> Page:
    """One page of `items`, ordered by `sort_key`, starting where the cursor points.

    The cursor is keyset-based (it names the sort key of the next page's first item), so a
    create or delete between two page reads neither repeats nor skips the other items.
    """
    size = limit.parse(request)
    ordered = sorted(items, key=sort_key)
    cursor = request.args.get("cursor")
    if cursor:
        start = decode_cursor(cursor)
        try:
            ordered = [item for item in ordered if sort_key(item) >= start]
        except TypeError:
            raise BadRequest("cursor is not valid for this request") from None
    page, rest = ordered[:size], ordered[size:]
    href = next_href(request, size, encode_cursor(sort_key(rest[0]))) if rest else None
    return Page(page, href)


def encode_cursor(key: SortKey) -> str:
    raw = json.dumps({"next": list(key)}, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> SortKey:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return tuple(json.loads(raw)["next"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise BadRequest("cursor is not valid") from None


def next_href(request: ApiRequest, limit: int, cursor: str) -> str:
    """`/v3/contact_lists?limit=50&cursor=...`: a path from /v3, as the API writes it."""
    params: list[tuple[str, str]] = [("limit", str(limit))]
    params += [(k, v) for k, v in request.args.items(multi=True) if k not in ("limit", "cursor")]
    params.append(("cursor", cursor))
    return f"{request.path}?{urlencode(params)}"
