"""Segments: unique live names, criteria stored compactly, soft delete."""

from __future__ import annotations

import json

from ..messages import BadRequest, NotFound
from ..records import SegmentRecord
from .base import StoreBase, locked, require_name
from .segment_rules import check_criteria


class SegmentsMixin(StoreBase):
    @locked
    def create_segment(self, name: str, segment_criteria: str) -> SegmentRecord:
        require_name(name)
        self._unique(self._live_segments(), "name", name, "segment name")
        criteria = normalise_criteria(segment_criteria, self.settings.strict_segment_criteria)
        now = self.clock.now()
        record = SegmentRecord(self._next_segment_id, name, criteria, now, now, self._next_seq())
        self._next_segment_id += 1
        self.segments[record.segment_id] = record
        return record

    @locked
    def update_segment(self, segment_id: int, name: str, segment_criteria: str) -> SegmentRecord:
        record = self.get_segment(segment_id, include_deleted=False)
        require_name(name)
        self._unique(self._live_segments(), "name", name, "segment name", record)
        criteria = normalise_criteria(segment_criteria, self.settings.strict_segment_criteria)
        if (name, criteria) != (record.name, record.segment_criteria):
            record.name, record.segment_criteria = name, criteria
            record.edited_at = self.clock.now()
        return record

    @locked
    def rename_segment(self, segment_id: int, name: str) -> SegmentRecord:
        """PATCH .../name changes the name only: the stored criteria are not checked again."""
        record = self.get_segment(segment_id, include_deleted=False)
        require_name(name)
        self._unique(self._live_segments(), "name", name, "segment name", record)
        if name != record.name:
            record.name = name
            record.edited_at = self.clock.now()
        return record

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


def normalise_criteria(segment_criteria: str, strict: bool = True) -> str:
    """Parse the escaped-JSON criteria (400 if not JSON or against the rules), compactly.

    The API stores the criteria, not the caller's formatting, so a client must compare
    criteria as parsed JSON; answering the compact form makes a string comparison fail here.
    """
    try:
        parsed = json.loads(segment_criteria)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"segment_criteria is not valid JSON: {exc}") from None
    if not isinstance(parsed, dict):
        raise BadRequest("segment_criteria must be a JSON object")
    check_criteria(segment_criteria, parsed, strict)
    return json.dumps(parsed, separators=(",", ":"), ensure_ascii=False)
