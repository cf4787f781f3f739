"""One account's in-memory resources and the rules the v3 API enforces on them.

The store is split by resource family (one mixin per module); `AccountStore` puts them
together and adds what looks across all of them (find, snapshot).
"""

from __future__ import annotations

from typing import Any

from .account import AccountMixin
from .activities import ActivitiesMixin
from .base import StoreSettings, locked
from .custom_field_rules import CUSTOM_FIELD_TYPES, SELECT_TYPES, custom_field_name
from .custom_fields import CustomFieldsMixin
from .lists import ListsMixin
from .segments import SegmentsMixin, normalise_criteria
from .tags import TagsMixin

__all__ = [
    "CUSTOM_FIELD_TYPES",
    "SELECT_TYPES",
    "AccountStore",
    "StoreSettings",
    "custom_field_name",
    "normalise_criteria",
]


class AccountStore(
    ListsMixin, TagsMixin, CustomFieldsMixin, SegmentsMixin, ActivitiesMixin, AccountMixin
):
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
            "deleted_lists": [r.to_api() for r in self.deleted_lists.values()],
            "tags": [r.to_api(contacts_count=True) for r in self.tags.values()],
            "custom_fields": [r.to_api() for r in self.custom_fields.values()],
            "segments": [
                r.to_detail() | {"deleted_at": r.deleted_at} for r in self.segments.values()
            ],
            "activities": [r.to_api() for r in self.activities.values()],
            "account": self.get_summary(physical_address=True),
            "account_emails": self.list_emails({}),
        }
