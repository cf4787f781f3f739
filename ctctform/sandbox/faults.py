"""Injected faults: the failures a reconciler must survive, switched on per sandbox."""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from .faultrules import UNSET, FaultRule, Respond, RuleSet


@dataclass
class Faults:
    """Mutable fault settings; change them on a running sandbox (`sb.faults.burst_429 = 3`).

    - error_rate: share (0..1) of writes (POST/PUT/PATCH/DELETE under /v3) answered 503
      without committing anything. Drawn from a `random.Random(seed)`, so a run is repeatable.
    - drop_after_commit: the next N writes commit, then the connection is closed without a
      response (the client sees "server disconnected").
    - burst_429: the next N requests under /v3 are answered 429 `throttled`, the body the
      per-second limit answers.
    - retry_after: send `Retry-After: N` with burst 429s; None (the default) sends none,
      as the real API documents none.
    - replace(...): response-replacing rules (a hostile server); see `replace`.
    """

    error_rate: float = 0.0
    drop_after_commit: int = 0
    burst_429: int = 0
    retry_after: int | None = None
    seed: int = 0
    _random: random.Random = field(init=False, repr=False, compare=False)
    _lock: threading.Lock = field(init=False, repr=False, compare=False)
    _rules: RuleSet = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()
        self._rules = RuleSet()

    # -- response-replacing rules ------------------------------------------------------

    def replace(
        self,
        method: str,
        path: str | re.Pattern[str],
        *,
        action: str = "respond",
        respond: Respond | None = None,
        status: int | None = None,
        body: Any = UNSET,
        raw: bytes | None = None,
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
        commit: bool = False,
        times: int | None = None,
        after: int = 0,
        account: str | None = None,
        hang_seconds: float = 30.0,
    ) -> FaultRule:
        """Answer matching requests differently; returns the rule (`.hits`, `.wait()`).

        method: "GET"... or "*"; path: a glob on the URL path (`*` within a segment, `**`
        across), or a regex (compiled, or a string starting `re:`). For requests proxied
        through account_operations/sync the inner method and path are matched, and
        `account` limits a rule to one encoded account id. The default action answers
        `status` (default: the real status with commit, else 200) with `body` (any JSON
        value, null included), `raw` bytes (as `content_type`), or what `respond(request,
        real)` returns (an ApiResponse, bytes, or a JSON value); with none of them, the
        real body (commit) or no body. Other actions: "reset" (close the connection, no
        answer), "hang" (no answer for hang_seconds, then close), "endless_cursor" (the
        real page, with a new next link every time), "stuck_activity" (activities created
        by the request stay processing). commit=True runs the real handler first (the
        write takes effect); times=None matches forever; after=N lets N matches through.
        """
        rule = FaultRule(
            method,
            path,
            action=action,
            respond=respond,
            status=status,
            body=body,
            raw=raw,
            content_type=content_type,
            headers=dict(headers or {}),
            commit=commit,
            times=times,
            after=after,
            account=account,
            hang_seconds=hang_seconds,
        )
        return self._rules.add(rule)

    def add_rule(self, item: Mapping[str, Any]) -> FaultRule:
        """A rule from seed data (`faults:` in a seed file): replace()'s names, raw as text."""
        return self._rules.add(FaultRule.from_mapping(item))

    def remove(self, rule: FaultRule) -> None:
        self._rules.remove(rule)

    def clear(self) -> None:
        """Remove every rule; activities frozen by stuck_activity rules move on again."""
        self._rules.clear()

    @property
    def rules(self) -> list[FaultRule]:
        return self._rules.rules()

    @property
    def ruleset(self) -> RuleSet:
        return self._rules

    # -- the counted faults ------------------------------------------------------------

    def reseed(self, seed: int | None = None) -> None:
        """Restart the error_rate draws (from `seed`, or the configured one)."""
        with self._lock:
            if seed is not None:
                self.seed = seed
            self._random = random.Random(self.seed)

    def take_burst_429(self) -> bool:
        with self._lock:
            if self.burst_429 <= 0:
                return False
            self.burst_429 -= 1
            return True

    def draw_error(self) -> bool:
        with self._lock:
            return self.error_rate > 0 and self._random.random() < self.error_rate

    def take_drop(self) -> bool:
        with self._lock:
            if self.drop_after_commit <= 0:
                return False
            self.drop_after_commit -= 1
            return True


_SETTABLE = {f.name: f.type for f in fields(Faults) if not f.name.startswith("_")}


def parse_faults(spec: str | None) -> Faults:
    """Parse `error_rate=0.1,drop_after_commit=2,burst_429=3` (the --faults flag)."""
    values: dict[str, float | int] = {}
    for part in (spec or "").split(","):
        part = part.strip()
        if not part:
            continue
        name, sep, raw = part.partition("=")
        name = name.strip()
        if not sep or name not in _SETTABLE:
            known = ", ".join(sorted(_SETTABLE))
            raise ValueError(f"bad fault {part!r}: expected NAME=VALUE with NAME one of {known}")
        values[name] = _parse_value(name, raw.strip())
    return Faults(**values)  # type: ignore[arg-type]  # each value parsed for its field


def _parse_value(name: str, raw: str) -> float | int:
    """error_rate is a share (0..1); every other setting a whole, non-negative number."""
    try:
        value: float | int = float(raw) if name == "error_rate" else int(raw)
    except ValueError:
        raise ValueError(f"bad fault value {name}={raw!r}") from None
    if value < 0 or (name == "error_rate" and value > 1):
        raise ValueError(f"fault {name}={raw} is out of range")
    return value
