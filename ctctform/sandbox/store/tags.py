"""Contact tags: unique names; TagPut renames only."""

from __future__ import annotations

import uuid

from ..messages import BadRequest
from ..records import TagRecord
from .base import StoreBase, get_record, locked


class TagsMixin(StoreBase):
    @locked
    def create_tag(self, name: str, tag_source: str | None = None) -> TagRecord:
        self._unique(self.tags.values(), "name", name, "tag name")
        if len(self.tags) >= self.settings.max_tags:
            raise BadRequest(f"An account can hold at most {self.settings.max_tags} tags")
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
        return get_record(self.tags, tag_id, "tag")
