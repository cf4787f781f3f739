"""One account's in-memory resources and the rules the v3 API enforces on them.

Every public method takes the sandbox lock, so the HTTP handlers, seeding and tests that
inspect a running sandbox all see consistent state. Methods raise the API's errors
(NotFound, Conflict, BadRequest, TooManyActivities); handlers turn those into responses.
"""

from __future__ import annotations

import functools
import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .clock import Clock
from .messages import BadRequest, Conflict, NotFound, TooManyActivities
from .records import (
    ActivityRecord,
    ChoiceRecord,
    ContactListRecord,
    CustomFieldRecord,
    SegmentRecord,
    TagRecord,
)

# The spec gives no enum for CustomFieldRequest.type (only `maxLength: 20`); these are the
# nine types the API guide's "Create a new custom_field" page names.
CUSTOM_FIELD_TYPES = (
    "string",
    "text_area",
    "datetime",
    "number",
    "currency",
    "date",
    "boolean",
    "single_select",
    "multi_select",
)
SELECT_TYPES = ("single_select", "multi_select")

F = TypeVar("F", bound=Callable[..., Any])


def locked(method: F) -> F:
    @functools.wraps(method)
    def wrapper(self: AccountStore, *args: Any, **kwargs: Any) -> Any:
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


class AccountStore:
    def __init__(
        self,
        clock: Clock | None = None,
        settings: StoreSettings | None = None,
        lock: threading.RLock | None = None,
    ) -> None:
        self.clock = clock or Clock()
        self.settings = settings or StoreSettings()
        self.lock = lock or threading.RLock()
        self.lists: dict[str, ContactListRecord] = {}
        self.tags: dict[str, TagRecord] = {}
        self.custom_fields: dict[str, CustomFieldRecord] = {}
        self.segments: dict[int, SegmentRecord] = {}  # deleted ones too (deleted_at set)
        self.activities: dict[str, ActivityRecord] = {}
        self._seq = 0
        self._next_segment_id = 1
        self._next_choice_id = 1

    # -- lists ---------------------------------------------------------------------------

    @locked
    def create_list(
        self, name: str, description: str | None = None, favorite: bool = False
    ) -> ContactListRecord:
        _require_name(name)
        self._unique(self.lists.values(), "name", name, "contact list name")
        if len(self.lists) >= self.settings.max_lists:
            raise BadRequest(f"An account can hold at most {self.settings.max_lists} lists")
        now = self.clock.now()
        record = ContactListRecord(
            str(uuid.uuid4()), name, favorite, description, now, now, self._next_seq()
        )
        self.lists[record.list_id] = record
        return record

    @locked
    def replace_list(
        self, list_id: str, name: str, description: str | None, favorite: bool
    ) -> ContactListRecord:
        """PUT overwrites every field: an omitted description is removed, favorite false."""
        record = self.get_list(list_id)
        _require_name(name)
        self._unique(self.lists.values(), "name", name, "contact list name", record)
        new = (name, description, favorite)
        if new != (record.name, record.description, record.favorite):
            record.name, record.description, record.favorite = new
            record.updated_at = self.clock.now()
        return record

    @locked
    def get_list(self, list_id: str) -> ContactListRecord:
        return _get(self.lists, list_id, "contact list")

    # -- tags ----------------------------------------------------------------------------

    @locked
    def create_tag(self, name: str, tag_source: str | None = None) -> TagRecord:
        self._unique(self.tags.values(), "name", name, "tag name")
        now = self.clock.now()
        record = TagRecord(str(uuid.uuid4()), name, tag_source, now, now, self._next_seq())
        self.tags[record.tag_id] = record
        return record

    @locked
    def rename_tag(self, tag_id: str, name: str) -> TagRecord:
        record = self.get_tag(tag_id)
        self._unique(self.tags.values(), "name", name, "tag name", record)
        if name != record.name:
            record.name = name
            record.updated_at = self.clock.now()
        return record

    @locked
    def get_tag(self, tag_id: str) -> TagRecord:
        return _get(self.tags, tag_id, "tag")

    # -- custom fields -------------------------------------------------------------------

    @locked
    def create_custom_field(
        self,
        label: str,
        type: str,
        metadata: dict[str, Any] | None = None,
        choices: list[dict[str, Any]] | None = None,
        version: int | None = None,
    ) -> CustomFieldRecord:
        _require_label(label)
        if type not in CUSTOM_FIELD_TYPES:
            raise BadRequest(f"type must be one of {', '.join(CUSTOM_FIELD_TYPES)}")
        name = custom_field_name(label)
        self._unique_custom_field(label, name)
        if len(self.custom_fields) >= self.settings.max_custom_fields:
            limit = self.settings.max_custom_fields
            raise BadRequest(f"An account can hold at most {limit} custom fields")
        _check_choices_allowed(type, choices)
        now = self.clock.now()
        record = CustomFieldRecord(
            str(uuid.uuid4()),
            label,
            name,
            type,
            now,
            now,
            self._next_seq(),
            metadata=metadata,
            choices=self._new_choices(choices, {}) if choices is not None else None,
            version=version,
        )
        self.custom_fields[record.custom_field_id] = record
        return record

    @locked
    def update_custom_field(
        self, custom_field_id: str, label: str | None, choices: list[dict[str, Any]] | None
    ) -> CustomFieldRecord:
        """PUT: label and choices only; omitted choices are removed (nulled) like the API."""
        record = self.get_custom_field(custom_field_id)
        if label is None:
            # The API nulls omitted properties, but a custom field cannot be without a label.
            raise BadRequest("label is required")
        _require_label(label)
        name = custom_field_name(label)
        self._unique_custom_field(label, name, record)
        _check_choices_allowed(record.type, choices)
        existing = {choice.choice_id: choice for choice in record.choices or []}
        new_choices = self._new_choices(choices, existing) if choices is not None else None
        if (label, new_choices) != (record.label, record.choices):
            record.label, record.name, record.choices = label, name, new_choices
            record.updated_at = self.clock.now()
        return record

    @locked
    def get_custom_field(self, custom_field_id: str) -> CustomFieldRecord:
        return _get(self.custom_fields, custom_field_id, "custom field")

    @locked
    def delete_custom_field(self, custom_field_id: str) -> None:
        self.get_custom_field(custom_field_id)
        del self.custom_fields[custom_field_id]

    def _unique_custom_field(
        self, label: str, name: str, current: CustomFieldRecord | None = None
    ) -> None:
        self._unique(self.custom_fields.values(), "label", label, "custom field label", current)
        self._unique(self.custom_fields.values(), "name", name, "custom field name", current)

    def _new_choices(
        self, choices: list[dict[str, Any]], existing: dict[int, ChoiceRecord]
    ) -> list[ChoiceRecord]:
        """Choices carrying an existing choice_id keep it; new ones get fresh ids."""
        result: list[ChoiceRecord] = []
        seen_ids: set[int] = set()
        seen_labels: set[str] = set()
        for position, choice in enumerate(choices, start=1):
            label = choice.get("choice_label")
            if not isinstance(label, str) or not label.strip():
                raise BadRequest(f"choices[{position - 1}].choice_label is required")
            if label in seen_labels:
                raise BadRequest(f"choice_label {label!r} appears more than once")
            seen_labels.add(label)
            choice_id = choice.get("choice_id")
            if choice_id is None:
                choice_id = self._next_choice_id
                self._next_choice_id += 1
            elif choice_id not in existing or choice_id in seen_ids:
                raise BadRequest(f"choice_id {choice_id} is not a choice of this custom field")
            seen_ids.add(choice_id)
            order = choice.get("display_order", position)
            result.append(ChoiceRecord(choice_id, label, order))
        return result

    # -- segments ------------------------------------------------------------------------

    @locked
    def create_segment(self, name: str, segment_criteria: str) -> SegmentRecord:
        _require_name(name)
        self._unique(self._live_segments(), "name", name, "segment name")
        criteria = normalise_criteria(segment_criteria)
        now = self.clock.now()
        record = SegmentRecord(self._next_segment_id, name, criteria, now, now, self._next_seq())
        self._next_segment_id += 1
        self.segments[record.segment_id] = record
        return record

    @locked
    def update_segment(self, segment_id: int, name: str, segment_criteria: str) -> SegmentRecord:
        record = self.get_segment(segment_id, include_deleted=False)
        _require_name(name)
        self._unique(self._live_segments(), "name", name, "segment name", record)
        criteria = normalise_criteria(segment_criteria)
        if (name, criteria) != (record.name, record.segment_criteria):
            record.name, record.segment_criteria = name, criteria
            record.edited_at = self.clock.now()
        return record

    @locked
    def rename_segment(self, segment_id: int, name: str) -> SegmentRecord:
        record = self.get_segment(segment_id, include_deleted=False)
        return self.update_segment(segment_id, name, record.segment_criteria)

    @locked
    def delete_segment(self, segment_id: int) -> None:
        """Deleted segments leave GET /segments but stay readable by id, as the spec says."""
        record = self.get_segment(segment_id, include_deleted=False)
        record.deleted_at = self.clock.now()

    @locked
    def get_segment(self, segment_id: int, include_deleted: bool = True) -> SegmentRecord:
        record = self.segments.get(segment_id)
        if record is None or (record.deleted_at and not include_deleted):
            raise NotFound(f"segment {segment_id} not found")
        return record

    @locked
    def live_segments(self) -> list[SegmentRecord]:
        return list(self._live_segments())

    def _live_segments(self) -> list[SegmentRecord]:
        return [s for s in self.segments.values() if s.deleted_at is None]

    # -- activities ----------------------------------------------------------------------

    @locked
    def start_activity(self, kind: str, ids: list[str]) -> ActivityRecord:
        queued = sum(1 for activity in self.activities.values() if activity.queued)
        if queued >= self.settings.max_queued_activities:
            raise TooManyActivities(
                "Too many requests. You exceeded 1,000 queued activities for this user account."
            )
        now = self.clock.now()
        unique_ids = list(dict.fromkeys(ids))
        record = ActivityRecord(str(uuid.uuid4()), kind, unique_ids, now, now)
        self.activities[record.activity_id] = record
        return record

    @locked
    def poll_activity(self, activity_id: str) -> ActivityRecord:
        """Each GET moves an activity on: processing for `activity_polls` polls, then done."""
        record = _get(self.activities, activity_id, "activity")
        if not record.queued:
            return record
        record.polls += 1
        now = self.clock.now()
        record.started_at = record.started_at or now
        record.updated_at = now
        if record.polls > self.settings.activity_polls:
            self._complete(record)
        else:
            record.state = "processing"
        return record

    def _complete(self, record: ActivityRecord) -> None:
        """The deletes take effect now; ids that no longer exist are reported, not fatal."""
        table, noun = self._activity_table(record.kind)
        for item_id in record.ids:
            if table.pop(item_id, None) is None:
                record.errors.append(f"{noun} {item_id} not found")
            else:
                record.completed_count += 1
        record.state = "completed"
        record.completed_at = record.updated_at

    def _activity_table(self, kind: str) -> tuple[dict[str, Any], str]:
        return {
            "list_delete": (self.lists, "list_id"),
            "tag_delete": (self.tags, "tag_id"),
            "custom_field_delete": (self.custom_fields, "custom_field_id"),
        }[kind]

    # -- inspection ----------------------------------------------------------------------

    @locked
    def find(self, kind: str, name: str) -> Any | None:
        """The live resource of `kind` (lists, tags, custom_fields, segments) named `name`."""
        attribute = "label" if kind == "custom_fields" else "name"
        records = self._live_segments() if kind == "segments" else getattr(self, kind).values()
        return next((r for r in records if getattr(r, attribute) == name), None)

    @locked
    def snapshot(self) -> dict[str, Any]:
        """Everything the account holds, as API JSON: compare two to prove nothing changed."""
        return {
            "lists": [r.to_api(membership_count=True) for r in self.lists.values()],
            "tags": [r.to_api(contacts_count=True) for r in self.tags.values()],
            "custom_fields": [r.to_api() for r in self.custom_fields.values()],
            "segments": [
                r.to_detail() | {"deleted_at": r.deleted_at} for r in self.segments.values()
            ],
            "activities": [r.to_api() for r in self.activities.values()],
        }

    # -- helpers -------------------------------------------------------------------------

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    @staticmethod
    def _unique(records: Any, attribute: str, value: str, noun: str, current: Any = None) -> None:
        # Names compare exactly (case-sensitive), as the manifest's identities do.
        for record in records:
            if record is not current and getattr(record, attribute) == value:
                raise Conflict(f"The {noun} {value!r} already exists.")


def custom_field_name(label: str) -> str:
    """The spec: "constructed from the label by replacing blanks with underscores"."""
    return label.replace(" ", "_")


def normalise_criteria(segment_criteria: str) -> str:
    """Parse the escaped-JSON criteria (400 if not JSON) and store them compactly.

    The API stores the criteria, not the caller's formatting, so a client must compare
    criteria as parsed JSON; answering the compact form makes a string comparison fail here.
    """
    try:
        parsed = json.loads(segment_criteria)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"segment_criteria is not valid JSON: {exc}") from None
    if not isinstance(parsed, dict):
        raise BadRequest("segment_criteria must be a JSON object")
    return json.dumps(parsed, separators=(",", ":"), ensure_ascii=False)


def _get(table: dict[Any, Any], key: Any, noun: str) -> Any:
    record = table.get(key)
    if record is None:
        raise NotFound(f"The {noun} {key} was not found.")
    return record


def _require_name(name: str) -> None:
    if not name.strip():
        raise BadRequest("name must not be blank")


def _require_label(label: str) -> None:
    if not label.strip():
        raise BadRequest("label must not be blank")


def _check_choices_allowed(type: str, choices: list[dict[str, Any]] | None) -> None:
    if choices is not None and type not in SELECT_TYPES:
        raise BadRequest("choices are allowed only for single_select and multi_select fields")
