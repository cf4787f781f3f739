"""Response-replacing fault rules: a hostile server, one request pattern at a time.

    rule = sb.faults.replace("POST", "/v3/contact_tags", commit=True, status=201,
                             respond=lambda request, real: {**real.body, "tag_id": None})

A rule matches a request by method and path (for a request proxied through
account_operations/sync: the inner request, optionally only for one `account`) and then
answers instead of the real handler, or after it (`commit=True`). See docs/sandbox.md.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from .messages import ApiRequest, ApiResponse
from .wire import RawResponse

ACTIONS = ("respond", "reset", "hang", "endless_cursor", "stuck_activity")
# The two actions that need the real answer to work on: they always run the handler.
RUNS_HANDLER = ("endless_cursor", "stuck_activity")
REGEX_PREFIX = "re:"
ACTIVITY_PATH = re.compile(r"/v3/activities/([^/]+)")


class Unset:
    """The default of `body`: None is a body too (JSON null)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = Unset()
Respond = Callable[[ApiRequest, ApiResponse | None], Any]


@dataclass(eq=False)
class FaultRule:
    """One rule; the handle `sb.faults.replace(...)` returns.

    `seen` counts the requests it matched (those skipped by `after` too), `hits` the ones it
    answered; `wait(n)` blocks until n of those are in the request log (a hung one as soon
    as it hangs), so tests synchronise on it instead of sleeping.
    """

    method: str
    path: str | re.Pattern[str]
    action: str = "respond"
    respond: Respond | None = None
    status: int | None = None
    body: Any = UNSET
    raw: bytes | None = None
    content_type: str = "application/json"
    headers: dict[str, str] | None = None
    commit: bool = False
    times: int | None = None
    after: int = 0
    account: str | None = None
    hang_seconds: float = 30.0
    seen: int = field(default=0, init=False)
    hits: int = field(default=0, init=False)
    _logged: int = field(default=0, init=False, repr=False)
    _pattern: re.Pattern[str] = field(init=False, repr=False)
    _changed: threading.Condition = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.method = self.method.upper()
        self._pattern = compile_path(self.path)
        self._changed = threading.Condition()
        self._check()

    def _check(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"action must be one of {', '.join(ACTIONS)}")
        given = [n for n in ("respond", "body", "raw") if getattr(self, n) not in (None, UNSET)]
        if self.body is None:
            given.append("body")  # an explicit JSON null
        if len(given) > 1:
            raise ValueError(f"give at most one of respond, body and raw (got {given})")
        if given and self.action != "respond":
            raise ValueError(f"action {self.action!r} answers by itself; drop {given[0]}")
        if self.raw is not None and not isinstance(self.raw, bytes | bytearray):
            raise TypeError("raw must be bytes")
        if (self.times is not None and self.times < 0) or self.after < 0:
            raise ValueError("times and after must not be negative")

    def matches(self, method: str, path: str, account: str | None) -> bool:
        if self.method not in ("*", method.upper()):
            return False
        if self.account is not None and self.account != account:
            return False
        return self._pattern.fullmatch(path) is not None

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times

    @property
    def runs_handler(self) -> bool:
        return self.commit or self.action in RUNS_HANDLER

    def wait(self, hits: int = 1, timeout: float = 5.0) -> bool:
        """Block until `hits` requests this rule answered are logged; False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: self._logged >= hits, timeout)

    def logged(self) -> None:
        """The app logged a request this rule answered (wakes wait())."""
        with self._changed:
            self._logged += 1
            self._changed.notify_all()

    def _count(self) -> bool:
        """A matching request arrived: answer it (True) or let it through (skipped/spent)."""
        with self._changed:
            if self.exhausted:
                return False
            self.seen += 1
            if self.seen <= self.after:
                return False
            self.hits += 1
            return True

    @classmethod
    def from_mapping(cls, item: Mapping[str, Any]) -> FaultRule:
        """A rule from seed data: the same names as replace()'s, `raw` as text."""
        known = {
            "method", "path", "action", "status", "body", "raw", "content_type",
            "headers", "commit", "times", "after", "account", "hang_seconds",
        }  # fmt: skip
        unknown = sorted(set(item) - known)
        if unknown:
            raise ValueError(f"unknown key(s) {', '.join(unknown)}")
        if "method" not in item or "path" not in item:
            raise ValueError("a fault rule needs method and path")
        options = dict(item)
        if isinstance(options.get("raw"), str):
            options["raw"] = options["raw"].encode("utf-8")
        return cls(**options)


def compile_path(path: str | re.Pattern[str]) -> re.Pattern[str]:
    """A compiled regex or `re:...` is a regex (full match); else a glob where `*` stays
    within one path segment and `**` crosses segments (`/v3/segments/*` is one segment)."""
    if isinstance(path, re.Pattern):
        return path
    if path.startswith(REGEX_PREFIX):
        return re.compile(path[len(REGEX_PREFIX) :])
    parts = re.split(r"(\*\*|\*)", path)
    translated = []
    for part in parts:
        if part == "**":
            translated.append(".*")
        elif part == "*":
            translated.append("[^/]*")
        else:
            translated.append(fnmatch.translate(part).removeprefix("(?s:").removesuffix(")\\Z"))
    return re.compile("".join(translated))


class RuleSet:
    """The rules of one sandbox, in the order added, and the activities they froze."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()
        self.stuck_activities: set[str] = set()
        self._cursor_seq = 0

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self._rules.append(rule)
        return rule

    def remove(self, rule: FaultRule) -> None:
        with self._lock:
            if rule in self._rules:
                self._rules.remove(rule)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self.stuck_activities.clear()

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def take(self, method: str, path: str, account: str | None) -> FaultRule | None:
        """The first rule that answers this request, now counted as a hit; None if none."""
        with self._lock:
            candidates = [r for r in self._rules if r.matches(method, path, account)]
        return next((rule for rule in candidates if rule._count()), None)

    def fresh_cursor(self) -> str:
        with self._lock:
            self._cursor_seq += 1
            return f"sbx-endless-{self._cursor_seq}"


def replacement(rule: FaultRule, request: ApiRequest, real: ApiResponse | None) -> ApiResponse:
    """The answer of a `respond` rule, given the real answer when it ran the handler."""
    status = rule.status if rule.status is not None else (real.status if real else 200)
    headers = dict(rule.headers or {})
    if rule.respond is not None:
        produced = rule.respond(request, real)
        if isinstance(produced, ApiResponse):
            return produced
        if isinstance(produced, bytes | bytearray):
            return RawResponse(status, None, headers, bytes(produced), rule.content_type)
        return RawResponse(status, None, headers, json_bytes(produced), rule.content_type)
    if rule.raw is not None:
        return RawResponse(status, None, headers, bytes(rule.raw), rule.content_type)
    if rule.body is not UNSET:
        return RawResponse(status, None, headers, json_bytes(rule.body), rule.content_type)
    if real is not None:  # the real answer with another status (a 500 after commit)
        return ApiResponse(status, real.body, real.headers | headers)
    return ApiResponse(status, None, headers)


def json_bytes(value: Any) -> bytes:
    # NaN and Infinity pass through as the non-JSON words Python writes: hostile on purpose.
    return json.dumps(value).encode("utf-8")


def strip_endless_cursor(request: ApiRequest) -> ApiRequest:
    """The request without a cursor this module invented (the real handler cannot read it)."""
    if not request.args.get("cursor", "").startswith("sbx-endless-"):
        return request
    args = request.args.copy()
    args.poplist("cursor")
    return ApiRequest(
        request.method,
        request.path,
        args,
        request.body,
        request.content_type,
        request.account,
        request.headers,
    )


def endless_page(rules: RuleSet, request: ApiRequest, real: ApiResponse) -> ApiResponse:
    """The real page, but with a next link that is new every time: paging never ends."""
    if real.status != 200 or not isinstance(real.body, dict):
        return real
    params = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
    params.append(("cursor", rules.fresh_cursor()))
    links = real.body.get("_links")
    links = dict(links) if isinstance(links, dict) else {}
    links["next"] = {"href": f"{request.path}?{urlencode(params)}"}
    return ApiResponse(real.status, real.body | {"_links": links}, dict(real.headers))


def freeze_activity(rules: RuleSet, real: ApiResponse) -> None:
    """Remember the activity a matched request created: it stays `processing` for good."""
    activity_id = real.body.get("activity_id") if isinstance(real.body, dict) else None
    if isinstance(activity_id, str):
        with rules._lock:
            rules.stuck_activities.add(activity_id)


def stuck_activity(rules: RuleSet, request: ApiRequest, store: Any) -> ApiResponse | None:
    """GET /v3/activities/{id} of a frozen activity: `processing`, and it never completes
    (the store's poll, which would complete it and apply the deletes, is not called)."""
    found = ACTIVITY_PATH.fullmatch(request.path)
    if request.method != "GET" or found is None:
        return None
    with rules._lock:
        if found.group(1) not in rules.stuck_activities:
            return None
    record = store.activities.get(found.group(1))
    if record is None:
        return None
    started = record.started_at or record.created_at
    frozen = dataclasses.replace(record, state="processing", started_at=started)
    return ApiResponse(200, frozen.to_api("Activity"))
