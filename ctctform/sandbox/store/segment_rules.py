"""The segment_criteria rules of POST /segments, beyond SegmentData's schema.

From the endpoint's text: "The top-level group type must be and" (SegmentData says "add", a
typo); `tracking` and `contact` conditions support `or` and `and` groups, `list_membership`
and `tags` only `or` groups; "do not request more than 500 email campaigns or a date range
greater than 1825 days (5 years) be evaluated" (400 otherwise). See also the guide's
Segments Overview (https://v3.developer.constantcontact.com/api_guide/segments_overview.html).

The or-group rule, and requiring `criteria.type` at all, hold by default
(`StoreSettings.strict_segment_criteria`); the lenient mode exists for seeds written before
the rule was modelled.
"""

from __future__ import annotations

from typing import Any

from ..messages import BadRequest

MAX_CRITERIA_LENGTH = 20000  # SegmentData.segment_criteria maxLength
MAX_CAMPAIGNS = 500
MAX_DAYS = 1825
OR_ONLY_SOURCES = ("list_membership", "tags")
GROUP_TYPES = ("and", "or")


def check_criteria(text: str, parsed: dict[str, Any], strict: bool) -> None:
    """400 with a message naming the rule when the criteria break one."""
    if len(text) > MAX_CRITERIA_LENGTH:
        raise BadRequest(f"segment_criteria must be at most {MAX_CRITERIA_LENGTH} characters long")
    top = parsed.get("criteria")
    if top is None and not strict:
        return
    if not isinstance(top, dict):
        raise BadRequest("segment_criteria.criteria must be an object (the top-level group)")
    if (strict or "type" in top) and top.get("type") != "and":
        raise BadRequest("segment_criteria: the top-level group type must be and")
    _check_group(top, strict)


def _check_group(group: dict[str, Any], strict: bool) -> None:
    items = group.get("group", [])
    if not isinstance(items, list):
        raise BadRequest("segment_criteria: a group's group must be a list")
    for item in items:
        if not isinstance(item, dict):
            continue  # not ours to judge: the API's own validation is not documented
        if "source" in item:
            _check_condition(item, group.get("type"), strict)
        elif "group" in item:
            if strict and item.get("type") not in GROUP_TYPES:
                raise BadRequest("segment_criteria: a group type must be and or or")
            _check_group(item, strict)


def _check_condition(condition: dict[str, Any], group_type: Any, strict: bool) -> None:
    source = condition.get("source")
    if strict and source in OR_ONLY_SOURCES and group_type != "or":
        raise BadRequest(f"segment_criteria: a {source} condition must sit directly in an or group")
    if source == "tracking":
        _check_tracking(condition)


def _check_tracking(condition: dict[str, Any]) -> None:
    kind = condition.get("const_value")
    limits = {"last-n-campaigns": (MAX_CAMPAIGNS, "campaigns"), "last-n-days": (MAX_DAYS, "days")}
    if kind not in limits:
        return
    limit, unit = limits[kind]
    try:
        value = int(str(condition.get("param")))
    except ValueError:
        raise BadRequest(f"segment_criteria: {kind} needs a whole number param") from None
    if not 1 <= value <= limit:
        raise BadRequest(
            f"segment_criteria: a tracking condition may evaluate 1 to {limit:,} {unit},"
            f" not {value} ({kind})"
        )
