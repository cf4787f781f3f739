"""Custom fields: a label, a derived name, a fixed type and, for select types, choices.

The rules themselves (names, metadata, versions, choice limits) are in custom_field_rules.
"""

from __future__ import annotations

import uuid
from typing import Any

from ..messages import BadRequest
from ..records import ChoiceRecord, CustomFieldRecord
from . import custom_field_rules as rules
from .base import StoreBase, get_record, locked


class CustomFieldsMixin(StoreBase):
    @locked
    def create_custom_field(
        self,
        label: str,
        type: str,
        metadata: dict[str, Any] | None = None,
        choices: list[dict[str, Any]] | None = None,
        version: int | None = None,
    ) -> CustomFieldRecord:
        rules.require_label(label)
        rules.check_type(type)
        name = rules.custom_field_name(label)
        self._unique_custom_field(label, name)
        if len(self.custom_fields) >= self.settings.max_custom_fields:
            limit = self.settings.max_custom_fields
            raise BadRequest(f"An account can hold at most {limit} custom fields")
        rules.check_choices_allowed(type, choices)
        version = rules.field_version(type, version)
        metadata = rules.stored_metadata(type, metadata, version)
        rules.check_choice_count(type, metadata, len(choices or []))
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
            choices=self._new_choices(choices, []) if choices is not None else None,
            version=version,
        )
        self.custom_fields[record.custom_field_id] = record
        return record

    @locked
    def update_custom_field(
        self, custom_field_id: str, label: str | None, choices: list[dict[str, Any]] | None
    ) -> CustomFieldRecord:
        """PUT: label and choices; an existing choice the PUT leaves out is soft-deleted."""
        record = self.get_custom_field(custom_field_id)
        if label is None:
            # The API nulls omitted properties, but a custom field cannot be without a label.
            raise BadRequest("label is required")
        rules.require_label(label)
        name = rules.custom_field_name(label)
        self._unique_custom_field(label, name, record)
        rules.check_choices_allowed(record.type, choices)
        rules.check_choice_count(record.type, record.metadata, len(choices or []))
        new_choices = record.choices
        if record.type in rules.SELECT_TYPES:
            new_choices = self._new_choices(choices or [], record.choices or [])
            if choices is None and record.choices is None:
                new_choices = None  # nothing to drop, nothing to say
        if (label, new_choices) != (record.label, record.choices):
            record.label, record.name, record.choices = label, name, new_choices
            record.updated_at = self.clock.now()
        return record

    @locked
    def get_custom_field(self, custom_field_id: str) -> CustomFieldRecord:
        return get_record(self.custom_fields, custom_field_id, "custom field")

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
        self, choices: list[dict[str, Any]], existing: list[ChoiceRecord]
    ) -> list[ChoiceRecord]:
        """The requested choices, then the soft-deleted ones.

        A choice carrying the choice_id of a live choice keeps it; one without gets a fresh
        id (even if a deleted choice had its label). A live choice the request leaves out is
        soft-deleted: it keeps its id and stays in the answer with `deleted_at`
        (CustomFieldChoice.deleted_at, a date).
        """
        live = {c.choice_id: c for c in existing if c.deleted_at is None}
        result = [self._choice(position, choice, live) for position, choice in enumerate(choices)]
        _check_unique(result)
        kept = {c.choice_id for c in result}
        today = self.clock.now()[:10]
        dropped = [_deleted(c, today) for c in live.values() if c.choice_id not in kept]
        gone = [c for c in existing if c.deleted_at is not None] + dropped
        return result + sorted(gone, key=lambda c: c.choice_id)

    def _choice(self, position: int, choice: dict[str, Any], live: dict[int, ChoiceRecord]) -> Any:
        label = choice.get("choice_label")
        if not isinstance(label, str) or not label.strip():
            raise BadRequest(f"choices[{position}].choice_label is required")
        choice_id = choice.get("choice_id")
        if choice_id is None:
            choice_id = self._next_choice_id
            self._next_choice_id += 1
        elif choice_id not in live:
            raise BadRequest(f"choice_id {choice_id} is not a live choice of this custom field")
        return ChoiceRecord(choice_id, label, choice.get("display_order", position + 1))


def _check_unique(choices: list[ChoiceRecord]) -> None:
    labels: set[str] = set()
    ids: set[int] = set()
    for choice in choices:
        if choice.choice_label in labels:
            raise BadRequest(f"choice_label {choice.choice_label!r} appears more than once")
        if choice.choice_id in ids:
            raise BadRequest(f"choice_id {choice.choice_id} appears more than once")
        labels.add(choice.choice_label)
        ids.add(choice.choice_id)


def _deleted(choice: ChoiceRecord, today: str) -> ChoiceRecord:
    return ChoiceRecord(choice.choice_id, choice.choice_label, choice.display_order, today)
