"""Cursor paging as the v3 collections do it: `limit`, then follow `_links.next.href`.

Two shapes of next link, switched by `StoreSettings.next_link_style`:

- `v3` (default): `/v3/contact_tags?limit=50&include_count=true&cursor=...`, a path from
  /v3 that repeats the query.
- `contacts-service`: the shape the API guide's tags example shows
  (https://v3.developer.constantcontact.com/api_guide/tags_get.html):
  `/contacts-service/v3/accounts/1100465488172/contact_tags?cursor=...`. That path is the
  service behind the gateway and is not served here (404): a client must take the `cursor`
  from the link and ask the known path, `GET /v3/contact_tags?cursor=...`.

In both shapes the cursor is self-contained, like the guide's (whose cursor decodes to
`include_count=true&limit=2&next=...`): it carries the query of the first request (limit
included), the collection and the position, so `?cursor=...` alone reads the next page.
Parameters sent alongside the cursor win over the ones it carries.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import parse_qsl, quote, urlencode

from werkzeug.datastructures import MultiDict

from .messages import ApiRequest, BadRequest

T = TypeVar("T")
SortKey = tuple[Any, ...]
LINK_STYLES = ("v3", "contacts-service")

# The guide's example account number; each store takes the next one (see AccountStore).
account_numbers = itertools.count(1100465488172)


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


@dataclass(frozen=True)
class LinkStyle:
    """How next links look: the setting, and the numeric account id the long shape names."""

    style: str = "v3"
    account_number: int = 0


@dataclass
class Page:
    items: list[Any]
    next_href: str | None

    def links(self) -> dict[str, Any]:
        """`{"_links": {"next": {"href": ...}}}`, or nothing on the last page."""
        return {"_links": {"next": {"href": self.next_href}}} if self.next_href else {}


def with_cursor_query(request: ApiRequest) -> ApiRequest:
    """The request with the query its cursor carries filled in (the request's own wins).

    Handlers read their filters (include_count, status, sort_by, ...) from this, so a page
    asked for by `?cursor=...` alone is filtered like the first page was.
    """
    raw = request.args.get("cursor")
    if not raw:
        return request
    carried = decode_cursor(raw, collection_of(request))[0]
    args: MultiDict[str, str] = MultiDict(
        [(k, v) for k, v in carried if k not in request.args] + list(request.args.items(True))
    )
    return dataclasses.replace(request, args=args)


def paginate(
    request: ApiRequest,
    items: Sequence[T],
    sort_key: Callable[[T], SortKey],
    limit: Limit,
    style: LinkStyle | None = None,
) -> Page:
    """One page of `items`, ordered by `sort_key`, starting where the cursor points.

    The cursor is keyset-based (it names the sort key of the next page's first item), so a
    create or delete between two page reads neither repeats nor skips the other items.
    `request` should come from with_cursor_query, so the cursor's own limit applies.
    """
    size = limit.parse(request)
    ordered = sorted(items, key=sort_key)
    cursor = request.args.get("cursor")
    if cursor:
        start = decode_cursor(cursor, collection_of(request))[1]
        try:
            ordered = [item for item in ordered if sort_key(item) >= start]
        except TypeError:
            raise BadRequest("cursor is not valid for this request") from None
    page, rest = ordered[:size], ordered[size:]
    href = next_href(request, size, sort_key(rest[0]), style or LinkStyle()) if rest else None
    return Page(page, href)


def collection_of(request: ApiRequest) -> str:
    """`/v3/contact_tags` -> `contact_tags`: the cursor must come from the same collection."""
    return request.path.rstrip("/").rsplit("/", 1)[-1]


def next_href(request: ApiRequest, limit: int, key: SortKey, style: LinkStyle) -> str:
    query = [(k, v) for k, v in request.args.items(multi=True) if k not in ("limit", "cursor")]
    query.insert(0, ("limit", str(limit)))
    collection = collection_of(request)
    payload = urlencode([*query, ("of", collection), ("next", _key_text(key))]).encode()
    if style.style == "contacts-service":
        # Standard base64 with its padding, as in the guide's example; quoted for the URL.
        cursor = quote(base64.b64encode(payload).decode("ascii"), safe="=")
        return f"/contacts-service/v3/accounts/{style.account_number}/{collection}?cursor={cursor}"
    cursor = base64.urlsafe_b64encode(payload).decode("ascii").rstrip("=")
    return f"{request.path}?{urlencode([*query, ('cursor', cursor)])}"


def decode_cursor(cursor: str, collection: str) -> tuple[list[tuple[str, str]], SortKey]:
    """(the query it carries, the position), for either link style; 400 if not ours."""
    text = cursor.replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True).decode("utf-8")
        fields = parse_qsl(raw, keep_blank_values=True, strict_parsing=True)
        values = dict(fields)
        position = tuple(json.loads(values["next"]))
    except (binascii.Error, UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise BadRequest("cursor is not valid") from None
    if values.get("of") != collection:
        raise BadRequest(f"cursor is not valid for {collection}")
    return [(k, v) for k, v in fields if k not in ("of", "next")], position


def _key_text(key: SortKey) -> str:
    return json.dumps(list(key), separators=(",", ":"))
