"""Waiting for bulk activities (list/tag/custom-field deletes, async list DELETE)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from ctctform.api.errors import ActivityError, AnswerError, check_id, one_line

FAILED_STATES = frozenset({"failed", "cancelled", "timed_out"})
DONE_STATE = "completed"


@dataclass(frozen=True)
class PollSettings:
    initial: float = 0.3
    maximum: float = 3.0
    timeout: float = 300.0
    growth: float = 1.6


def status_path(activity: dict[str, Any]) -> str:
    """`/activities/{activity_id}`: from the id, or the last segment of the self link (whose
    path, like paging links, need not be the v3 one)."""
    activity_id = activity.get("activity_id")
    if not isinstance(activity_id, str) or not activity_id.strip():
        links = activity.get("_links")
        self_link = links.get("self") if isinstance(links, dict) else None
        href = self_link.get("href") if isinstance(self_link, dict) else None
        activity_id = (
            href.rstrip("/").rsplit("/", 1)[-1].split("?")[0] if isinstance(href, str) else None
        )
    if not activity_id:
        raise ActivityError(
            "activity response has neither activity_id nor _links.self",
            activity_id=None,
            state=None,
        )
    check_id(activity_id, "the activity", "activity_id")  # it goes into every poll's path
    return f"/activities/{quote(activity_id, safe='')}"


def error_words(activity: dict[str, Any]) -> list[str]:
    """activity_errors holds strings (list delete) or {message: ...} objects (others)."""
    words = []
    for item in activity.get("activity_errors") or []:
        if isinstance(item, dict):
            text = item.get("message") or item.get("error_message") or ""
        else:
            text = str(item)
        if text:
            words.append(one_line(str(text), 200))
    return words


def check(activity: dict[str, Any], origin: str) -> bool:
    """True when completed cleanly; raises ActivityError on a failed end state or errors."""
    state = activity.get("state")
    errors = error_words(activity)
    if state in FAILED_STATES or (errors and state == DONE_STATE):
        shown = "; ".join(errors[:3]) + (f"; and {len(errors) - 3} more" if len(errors) > 3 else "")
        detail = f": {shown}" if shown else ""
        raise ActivityError(
            f"activity {activity.get('activity_id', '?')} ({origin}) ended {state}{detail}",
            activity_id=activity.get("activity_id"),
            state=state,
            errors=errors,
        )
    return state == DONE_STATE


def wait_for(
    activity: Any,
    get: Callable[[str], Any],
    settings: PollSettings,
    origin: str,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, Any]:
    """Poll GET /activities/{id} with growing intervals until completed, or raise.

    Bounded by `settings.timeout` (`--activity-timeout`): an activity still processing then
    is reported, not waited for forever; it may still finish on its own.
    """
    current = _created(activity, origin)
    path = status_path(current)
    deadline = clock() + settings.timeout
    interval = settings.initial
    while not check(current, origin):
        remaining = deadline - clock()
        if remaining <= 0:
            raise ActivityError(
                f"activity {current.get('activity_id', '?')} ({origin}) is still "
                f"{current.get('state')} after {settings.timeout:g}s; it may still finish: "
                "run plan later to see where the account stands (--activity-timeout waits "
                "longer)",
                activity_id=current.get("activity_id"),
                state=current.get("state"),
            )
        sleep(min(interval, remaining))
        interval = min(settings.maximum, interval * settings.growth)
        current = _checked(get(path), f"GET {path}")
    return current


def _created(activity: Any, origin: str) -> dict[str, Any]:
    """The answer that queued the activity. The spec requires a `state` only in the tags'
    (ActivityTagging); the list and custom field deletes' answers require nothing, so one
    without a state is polled by its id (or self link) like any other."""
    if isinstance(activity, dict) and "state" not in activity:
        try:
            status_path(activity)
        except ActivityError:
            raise AnswerError(
                f"{origin}: the answer is not an activity (no state, and neither activity_id "
                "nor _links.self)"
            ) from None
        return {**activity, "state": "unknown"}
    return _checked(activity, origin)


def _checked(activity: Any, origin: str) -> dict[str, Any]:
    if not isinstance(activity, dict) or not isinstance(activity.get("state"), str):
        raise AnswerError(f"{origin}: the answer is not an activity (no state)")
    return activity
