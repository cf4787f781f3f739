"""What every part of an account store shares: settings, the lock, ids and name rules.

Every public store method takes the sandbox lock (`@locked`), so the HTTP handlers, seeding
and tests that inspect a running sandbox all see consistent state. Methods raise the API's
errors (NotFound, Conflict, BadRequest, TooManyActivities); handlers turn those into responses.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from ..account_records import AccountRecord
from ..clock import Clock
from ..messages import BadRequest, Conflict, NotFound
from ..paging import LINK_STYLES, LinkStyle, account_numbers
from ..records import (
    ActivityRecord,
    ContactListRecord,
    CustomFieldRecord,
    SegmentRecord,
    TagRecord,
)

F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R")


def locked(method: F) -> F:
    @functools.wraps(method)
    def wrapper(self: StoreBase, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


@dataclass
class StoreSettings:
    """Shared by every account of one sandbox; change them on a running sandbox."""

    activity_polls: int = 2  # GET /activities/{id} answers that many times before completed
    max_queued_activities: int = 1000  # the API answers 429 above 1,000 queued activities
    max_lists: int = 1000  # "an account holds at most 1,000 lists"
    max_custom_fields: int = 100  # "A user can configure up to 100 custom_fields"
    max_tags: int = 500  # "Your account can have up to 500 tags" (tags_overview.html)
    # "v3" (/v3/contact_tags?limit=..&cursor=..) or "contacts-service" (the guide's shape).
    next_link_style: str = "v3"
    # Segment criteria: also require `criteria.type` and put list_membership/tags
    # conditions only in or groups, as POST /segments says (see segment_rules).
    strict_segment_criteria: bool = True

    def __post_init__(self) -> None:
        if self.next_link_style not in LINK_STYLES:
            raise ValueError(f"next_link_style must be one of {', '.join(LINK_STYLES)}")


class StoreBase:
    """The tables of one account; the resource mixins add the rules for each of them."""

    def __init__(
        self,
        clock: Clock | None = None,
        settings: StoreSettings | None = None,
        lock: threading.RLock | None = None,
    ) -> None:
        self.clock = clock or Clock()
        self.settings = settings or StoreSettings()
        self.lock = lock or threading.RLock()
        self.lists: dict[str, ContactListRecord] = {}  # live lists only
        self.deleted_lists: dict[str, ContactListRecord] = {}  # soft-deleted, deleted_at set
        self.tags: dict[str, TagRecord] = {}
        self.custom_fields: dict[str, CustomFieldRecord] = {}
        self.segments: dict[int, SegmentRecord] = {}  # deleted ones too (deleted_at set)
        self.activities: dict[str, ActivityRecord] = {}
        self.account = AccountRecord()  # summary, physical address, sender emails
        # The numeric id the contacts service names in its long next links.
        self.account_number = next(account_numbers)
        self._seq = 0
        self._next_segment_id = 1
        self._next_choice_id = 1

    def link_style(self) -> LinkStyle:
        return LinkStyle(self.settings.next_link_style, self.account_number)

    def _soft_delete_list(self, list_id: str) -> bool:
        raise NotImplementedError  # ListsMixin provides it; activities complete with it

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    @staticmethod
    def _unique(
        records: Iterable[Any], attribute: str, value: str, noun: str, current: Any = None
    ) -> None:
        # Names compare exactly (case-sensitive), as the manifest's identities do.
        for record in records:
            if record is not current and getattr(record, attribute) == value:
                raise Conflict(f"The {noun} {value!r} already exists.")


def get_record(table: Mapping[Any, R], key: Any, noun: str) -> R:
    record = table.get(key)
    if record is None:
        raise NotFound(f"The {noun} {key} was not found.")
    return record


def require_name(name: str) -> None:
    if not name.strip():
        raise BadRequest("name must not be blank")
