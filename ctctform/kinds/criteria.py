"""Offline checks of segment criteria: the rules the API enforces, found before any write.

From the text of POST /segments (spec 3.0.172) and DESIGN §4 "Segments": the criteria are at
most 20,000 characters of JSON; the top-level group is `and`; `list_membership` and `tags`
conditions take only `or` groups (tracking and contact take both); no more than 500 email
campaigns or 1,825 days may be evaluated. A criteria document also needs its inner
`criteria` group, and JSON has no NaN or Infinity.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

from ctctform.manifest.refs import REF_RE

MAX_TEXT = 20_000
MAX_CAMPAIGNS = 500
MAX_DAYS = 1825
MAX_DEPTH = 32
OR_ONLY_SOURCES = ("list_membership", "tags")
# A reference becomes an id: list, tag and custom field ids are 36-character uuids.
ID_STAND_IN = "x" * 36

Problem = tuple[str, str]  # (path below the criteria field, reason)


def problems(criteria: Any) -> list[Problem]:
    """Every rule the criteria break; an empty list when the API would take them."""
    if not isinstance(criteria, dict):
        return [("", "must be a mapping with `version` and `criteria`")]
    inner = criteria.get("criteria")
    if not isinstance(inner, dict):
        return [(".criteria", "the inner `criteria` group ({type: and, group: [...]}) is missing")]
    found = list(_numbers(criteria, ""))
    if found:
        return found
    deep = _too_deep(criteria)
    if deep:
        return [(deep, f"nested more than {MAX_DEPTH} levels deep")]
    out: list[Problem] = []
    if inner.get("type") != "and":
        out.append((".criteria.type", "the top-level group must be `and`"))
    out += _walk_group(inner, ".criteria", parent=None)
    size = len(expanded_text(criteria))
    if size > MAX_TEXT:
        out.append(("", f"segment_criteria would be {size} characters; the API allows {MAX_TEXT}"))
    return out


def expanded_text(criteria: Any) -> str:
    """The criteria as the API would receive them, references standing in for ids."""
    text = json.dumps(criteria, separators=(",", ":"), ensure_ascii=False)

    def one(match: re.Match[str]) -> str:
        if match.group("escape"):
            return "${"
        return ID_STAND_IN if match.group("kind") else match.group(0)

    return REF_RE.sub(one, text)


def _numbers(node: Any, path: str) -> Iterator[Problem]:
    if isinstance(node, float) and not math.isfinite(node):
        yield (path, f"{node!r} is not a number JSON can carry; use a finite number or a string")
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _numbers(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _numbers(value, f"{path}[{index}]")


def _too_deep(node: Any) -> str | None:
    stack: list[tuple[Any, str, int]] = [(node, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            return path
        if isinstance(value, dict):
            stack.extend((v, f"{path}.{k}", depth + 1) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, f"{path}[{i}]", depth + 1) for i, v in enumerate(value))
    return None


def _walk_group(group: dict[str, Any], path: str, parent: str | None) -> list[Problem]:
    kind = group.get("type")
    out: list[Problem] = []
    if kind not in ("and", "or"):
        out.append((f"{path}.type", "a group's type must be `and` or `or`"))
    items = group.get("group")
    if not isinstance(items, list):
        return [*out, (f"{path}.group", "a group needs a `group` list of conditions or groups")]
    for index, item in enumerate(items):
        where = f"{path}.group[{index}]"
        if not isinstance(item, dict):
            out.append((where, "must be a condition or a group (a mapping)"))
        elif "group" in item:
            out += _walk_group(item, where, kind)
        else:
            out += _condition(item, where, kind)
    return out


def _condition(cond: dict[str, Any], path: str, group_type: Any) -> list[Problem]:
    source = cond.get("source")
    if source in OR_ONLY_SOURCES and group_type != "or":
        return [
            (
                path,
                f"a {source} condition must sit in an `or` group (the API takes only `or` "
                f"groups for {source}); wrap it: {{type: or, group: [...]}}",
            )
        ]
    if source == "tracking":
        return _tracking_limits(cond, path)
    return []


def _tracking_limits(cond: dict[str, Any], path: str) -> list[Problem]:
    """`"const_value": "last-n-campaigns", "param": "5"` (the spec's example) and its `days`
    counterpart; a list of campaign ids counts too."""
    value, param = cond.get("const_value"), cond.get("param")
    if isinstance(value, list) and len(value) > MAX_CAMPAIGNS:
        return [(path, f"evaluates {len(value)} campaigns; the API allows {MAX_CAMPAIGNS}")]
    number = _as_int(param)
    if not isinstance(value, str) or number is None:
        return []
    if "campaign" in value and number > MAX_CAMPAIGNS:
        return [(f"{path}.param", f"{number} campaigns; the API evaluates at most {MAX_CAMPAIGNS}")]
    if "day" in value and number > MAX_DAYS:
        return [(f"{path}.param", f"{number} days; the API evaluates at most {MAX_DAYS} (5 years)")]
    return []


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None
