"""Contact lists: unique names, PUT overwrites every field, at most 1,000 per account.

A deleted list is not gone: it moves to `deleted_lists` with `deleted_at` set, stays
readable by id and in GET /contact_lists (unless `status=active`), and frees its name
(ContactList.deleted_at; GET /contact_lists `status` = all, active, deleted).
"""

from __future__ import annotations

import uuid

from ..messages import BadRequest
from ..records import ContactListRecord
from .base import StoreBase, get_record, locked, require_name

# "Provide a brief description for the list, using up to 255 characters."
# (https://v3.developer.constantcontact.com/api_guide/lists_post.html; ListInput has no bound)
MAX_DESCRIPTION = 255


class ListsMixin(StoreBase):
    @locked
    def create_list(
        self,
        name: str,
        description: str | None = None,
        favorite: bool = False,
        *,
        deleted: bool = False,
    ) -> ContactListRecord:
        """A new list; `deleted=True` (seeding) makes one that is already soft-deleted."""
        require_name(name)
        _check_description(description)
        if not deleted:
            self._unique(self.lists.values(), "name", name, "contact list name")
            if len(self.lists) >= self.settings.max_lists:
                raise BadRequest(f"An account can hold at most {self.settings.max_lists} lists")
        now = self.clock.now()
        record = ContactListRecord(
            str(uuid.uuid4()), name, favorite, description, now, now, self._next_seq()
        )
        if deleted:
            record.deleted_at = now
            self.deleted_lists[record.list_id] = record
        else:
            self.lists[record.list_id] = record
        return record

    @locked
    def replace_list(
        self, list_id: str, name: str, description: str | None, favorite: bool
    ) -> ContactListRecord:
        """PUT overwrites every field: an omitted description is removed, favorite false."""
        record = self.get_list(list_id)
        require_name(name)
        _check_description(description)
        self._unique(self.lists.values(), "name", name, "contact list name", record)
        new = (name, description, favorite)
        if new != (record.name, record.description, record.favorite):
            record.name, record.description, record.favorite = new
            record.updated_at = self.clock.now()
        return record

    @locked
    def get_list(self, list_id: str, include_deleted: bool = False) -> ContactListRecord:
        """A live list; with include_deleted, a soft-deleted one too (GET by id answers it)."""
        if include_deleted and list_id in self.deleted_lists:
            return self.deleted_lists[list_id]
        return get_record(self.lists, list_id, "contact list")

    @locked
    def all_lists(self) -> list[ContactListRecord]:
        """Live and deleted lists in creation order: what GET /contact_lists starts from."""
        return sorted([*self.lists.values(), *self.deleted_lists.values()], key=lambda r: r.seq)

    def _soft_delete_list(self, list_id: str) -> bool:
        record = self.lists.pop(list_id, None)
        if record is None:
            return False
        record.deleted_at = record.updated_at = self.clock.now()
        self.deleted_lists[list_id] = record
        return True


def _check_description(description: str | None) -> None:
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise BadRequest(f"description must be at most {MAX_DESCRIPTION} characters long")
