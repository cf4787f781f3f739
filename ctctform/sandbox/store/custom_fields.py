"""Custom fields: a label, a derived name, a fixed type and, for select types, choices."""

from __future__ import annotations

import uuid
from typing import Any

from ..messages import BadRequest
from ..records import ChoiceRecord, CustomFieldRecord
from .base import StoreBase, get_record, locked

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


def custom_field_name(label: str) -> str:
    """The spec: "constructed from the label by replacing blanks with underscores"."""
    return label.replace(" ", "_")


def _require_label(label: str) -> None:
    if not label.strip():
        raise BadRequest("label must not be blank")


def _check_choices_allowed(type: str, choices: list[dict[str, Any]] | None) -> None:
    if choices is not None and type not in SELECT_TYPES:
        raise BadRequest("choices are allowed only for single_select and multi_select fields")
