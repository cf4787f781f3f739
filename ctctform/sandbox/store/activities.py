"""Bulk delete activities: queued, then processing while polled, then completed."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from ..messages import TooManyActivities
from ..records import ActivityRecord
from .base import StoreBase, get_record, locked


class ActivitiesMixin(StoreBase):
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
        record = get_record(self.activities, activity_id, "activity")
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
        remove, noun = self._remover(record.kind)
        for item_id in record.ids:
            if remove(item_id):
                record.completed_count += 1
            else:
                record.errors.append(f"{noun} {item_id} not found")
        record.state = "completed"
        record.completed_at = record.updated_at

    def _remover(self, kind: str) -> tuple[Callable[[str], bool], str]:
        """How an activity removes one id (True if it existed), and the id's name."""
        if kind == "list_delete":
            return self._soft_delete_list, "list_id"  # lists are soft-deleted
        table = self.tags if kind == "tag_delete" else self.custom_fields
        noun = "tag_id" if kind == "tag_delete" else "custom_field_id"
        return (lambda item_id: table.pop(item_id, None) is not None), noun
