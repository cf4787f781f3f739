"""Contact lists: unique names, PUT overwrites every field, at most 1,000 per account."""

from __future__ import annotations

import uuid

from ..messages import BadRequest
from ..records import ContactListRecord
from .base import StoreBase, get_record, locked, require_name


class ListsMixin(StoreBase):
    @locked
    def create_list(
        self, name: str, description: str | None = None, favorite: bool = False
    ) -> ContactListRecord:
        require_name(name)
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
        require_name(name)
        self._unique(self.lists.values(), "name", name, "contact list name", record)
        new = (name, description, favorite)
        if new != (record.name, record.description, record.favorite):
            record.name, record.description, record.favorite = new
            record.updated_at = self.clock.now()
        return record

    @locked
    def get_list(self, list_id: str) -> ContactListRecord:
        return get_record(self.lists, list_id, "contact list")
