"""Collection paging: follow `_links.next` until it is absent, with a bound on the pages.

The next link's *path* is not to be trusted: the API guide's own example for tags answers
`/contacts-service/v3/accounts/{id}/contact_tags?cursor=...` (tags_get.html), not
`/v3/contact_tags?cursor=...`. So the query of whatever link comes back (`cursor`, `limit`,
or the partner listing's opaque `offset`) is sent to the known collection path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ctctform.api.errors import AnswerError

Params = Mapping[str, Any] | None
Getter = Callable[[str, Params], Any]
DEFAULT_MAX_PAGES = 1000


def next_query(page: dict[str, Any], where: str) -> dict[str, str] | None:
    """The query parameters of the page's next link, or None on the last page."""
    links = page.get("_links")
    if links is None:
        return None
    nxt = links.get("next") if isinstance(links, dict) else None
    if nxt is None:
        return None
    href = nxt.get("href") if isinstance(nxt, dict) else None
    if isinstance(nxt, dict) and "href" in nxt and href in (None, ""):
        # The spec's `Next` link: "The next link in the page, or null if there are no
        # additional pages" (segmentsLinks requires `next`, so a last page may carry it).
        return None
    if not isinstance(href, str) or not href:
        raise AnswerError(f"{where}: _links.next has no href")
    # A `+` in an opaque cursor or offset is the character itself (base64), not a space:
    # the link is followed as given, not re-spelt.
    raw = urlsplit(href).query.replace("+", "%2B")
    query = dict(parse_qsl(raw, keep_blank_values=True))
    if not query:
        raise AnswerError(f"{where}: the next link {href[:100]!r} carries no cursor")
    return query


def collect(
    get: Getter,
    path: str,
    item_key: str,
    limit: int | None = None,
    params: Params = None,
    max_pages: int | None = None,
) -> list[Any]:
    """Every item of `path`; each page must hold a list under `item_key`."""
    return [
        item for batch in pages(get, path, item_key, limit, params, max_pages) for item in batch
    ]


def pages(
    get: Getter,
    path: str,
    item_key: str,
    limit: int | None = None,
    params: Params = None,
    max_pages: int | None = None,
) -> Iterator[list[Any]]:
    """Each page's items as the page arrives (a fleet starts accounts before the listing
    ends); each page must hold a list under `item_key`."""
    query: dict[str, Any] = dict(params or {})
    if limit is not None:
        query["limit"] = limit
    cap = max_pages or DEFAULT_MAX_PAGES
    where = f"GET {path}"
    seen: set[tuple[tuple[str, str], ...]] = set()
    for number in range(1, cap + 1):
        label = where if number == 1 else f"{where} (page {number})"
        try:
            page = get(path, query or None)
        except AnswerError as exc:
            if number == 1:
                raise
            raise AnswerError(f"{exc} (page {number})") from None
        if not isinstance(page, dict):
            raise AnswerError(f"{label}: expected a JSON object page")
        batch = page.get(item_key)
        if not isinstance(batch, list):
            found = "has no" if batch is None else "has a non-list"
            raise AnswerError(f"{label}: the answer {found} {item_key!r} list")
        nxt = next_query(page, label)
        yield batch
        if nxt is None:
            return
        key = tuple(sorted(nxt.items()))
        if key in seen:
            raise AnswerError(f"{label}: paging loops (a next link came back twice)")
        seen.add(key)
        # The cursor carries the position; keep our own filters unless the link restates them.
        query = {**(params or {}), **nxt}
    raise AnswerError(
        f"{where}: paging did not end after {cap} pages (more than the API can hold); "
        "the server keeps sending next links"
    )


def strip_base(href: str, base_path: str) -> str:
    """`/v3/contact_tags?cursor=x` -> `/contact_tags?cursor=x` when the API base path is /v3."""
    parts = urlsplit(href)
    path = parts.path
    if base_path and (path == base_path or path.startswith(base_path + "/")):
        path = path[len(base_path) :] or "/"
    return path + (f"?{parts.query}" if parts.query else "")
