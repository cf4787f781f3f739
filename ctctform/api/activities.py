"""Waiting for bulk activities (list/tag/custom-field deletes, async list DELETE)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ctctform.api.errors import ActivityError, one_line

FAILED_STATES = frozenset({"failed", "cancelled", "timed_out"})
DONE_STATE = "completed"


@dataclass(frozen=True)
class PollSettings:
    initial: float = 0.3
    maximum: float = 3.0
    timeout: float = 600.0
    growth: float = 1.6


def status_path(activity: dict[str, Any], follow: Callable[[str], str]) -> str:
    links = activity.get("_links")
    self_link = links.get("self") if isinstance(links, dict) else None
    href = self_link.get("href") if isinstance(self_link, dict) else None
    if isinstance(href, str) and href:
        return follow(href)
    activity_id = activity.get("activity_id")
    if not activity_id:
        raise ActivityError(
            "activity response has neither activity_id nor _links.self",
            activity_id=None,
            state=None,
        )
    return f"/activities/{activity_id}"


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
    activity: dict[str, Any],
    get: Callable[[str], Any],
    follow: Callable[[str], str],
    settings: PollSettings,
    origin: str,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, Any]:
    """Poll GET /activities/{id} with growing intervals until completed, or raise."""
    if not isinstance(activity, dict):
        raise ActivityError(
            f"{origin} did not answer with an activity", activity_id=None, state=None
        )
    path = status_path(activity, follow)
    deadline = clock() + settings.timeout
    interval = settings.initial
    while not check(activity, origin):
        remaining = deadline - clock()
        if remaining <= 0:
            raise ActivityError(
                f"activity {activity.get('activity_id', '?')} ({origin}) still "
                f"{activity.get('state')} after {settings.timeout:g}s",
                activity_id=activity.get("activity_id"),
                state=activity.get("state"),
            )
        sleep(min(interval, remaining))
        interval = min(settings.maximum, interval * settings.growth)
        polled = get(path)
        if not isinstance(polled, dict):
            raise ActivityError(
                f"GET {path} did not answer with an activity", activity_id=None, state=None
            )
        activity = polled
    return activity
