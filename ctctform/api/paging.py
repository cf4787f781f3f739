"""Collection paging: follow `_links.next.href` until it is absent."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from ctctform.api.errors import ApiError

# The largest page each collection allows (DESIGN §4; the spec's `maximum` for `limit`).
# GET /contact_lists says "1 - 500" in its text but `maximum: 1000` (erratum, DESIGN §4).
PAGE_LIMITS: dict[str, int] = {
    "/contact_lists": 1000,
    "/contact_tags": 500,
    "/contact_custom_fields": 100,
    "/segments": 1000,
    "/partner/accounts": 50,  # offset paging, 10..50
}

Params = Mapping[str, Any] | None
Getter = Callable[[str, Params], Any]


def default_limit(path: str) -> int | None:
    return PAGE_LIMITS.get("/" + path.split("?", 1)[0].strip("/"))


def next_href(page: Any) -> str | None:
    links = page.get("_links") if isinstance(page, dict) else None
    nxt = links.get("next") if isinstance(links, dict) else None
    href = nxt.get("href") if isinstance(nxt, dict) else None
    return href if isinstance(href, str) and href else None


def collect(
    get: Getter,
    follow: Callable[[str], str],
    path: str,
    item_key: str,
    limit: int | None = None,
    params: Params = None,
) -> list[dict[str, Any]]:
    """Read every page of `path`; `follow` turns a next href into what `get` accepts."""
    query = dict(params or {})
    limit = limit if limit is not None else default_limit(path)
    if limit is not None:
        query["limit"] = limit
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    page = get(path, query or None)
    while True:
        if not isinstance(page, dict):
            raise ApiError(None, "GET", path, "expected a JSON object page")
        items.extend(page.get(item_key) or [])
        href = next_href(page)
        if href is None:
            return items
        if href in seen:
            raise ApiError(None, "GET", path, f"paging loop: next link {href} repeated")
        seen.add(href)
        page = get(follow(href), None)


def strip_base(href: str, base_path: str) -> str:
    """`/v3/contact_tags?cursor=x` -> `/contact_tags?cursor=x` when the API base path is /v3."""
    parts = urlsplit(href)
    path = parts.path
    if base_path and (path == base_path or path.startswith(base_path + "/")):
        path = path[len(base_path) :] or "/"
    return path + (f"?{parts.query}" if parts.query else "")
