"""The resources an account holds, and their JSON form as the v3 API returns them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ContactListRecord:
    list_id: str
    name: str
    favorite: bool
    description: str | None
    created_at: str
    updated_at: str
    seq: int
    membership_count: int = 0
    deleted_at: str | None = None  # set when deleted: the API keeps deleted lists readable

    def to_api(self, membership_count: bool = False) -> dict[str, Any]:
        # ContactList / ContactListPutPost. `description` only when set: the API omits it
        # when the list has none (the manifest layer relies on absent vs. empty).
        body: dict[str, Any] = {"list_id": self.list_id, "name": self.name}
        if self.description is not None:
            body["description"] = self.description
        body |= {
            "favorite": self.favorite,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }
        if self.deleted_at is not None:
            body["deleted_at"] = self.deleted_at
        if membership_count:
            body["membership_count"] = self.membership_count
        return body


@dataclass
class TagRecord:
    tag_id: str
    name: str
    tag_source: str | None
    created_at: str
    updated_at: str
    seq: int
    contacts_count: int = 0

    def to_api(self, contacts_count: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {"tag_id": self.tag_id, "name": self.name}
        if contacts_count:
            body["contacts_count"] = self.contacts_count
        body |= {"created_at": self.created_at, "updated_at": self.updated_at}
        if self.tag_source is not None:
            body["tag_source"] = self.tag_source
        return body


@dataclass
class ChoiceRecord:
    choice_id: int
    choice_label: str
    display_order: int
    deleted_at: str | None = None  # a date (YYYY-MM-DD): soft-deleted, not a choice any more

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "choice_id": self.choice_id,
            "choice_label": self.choice_label,
            "display_order": self.display_order,
        }
        if self.deleted_at is not None:
            body["deleted_at"] = self.deleted_at
        return body


@dataclass
class CustomFieldRecord:
    custom_field_id: str
    label: str
    name: str
    type: str
    created_at: str
    updated_at: str
    seq: int
    metadata: dict[str, Any] | None = None
    choices: list[ChoiceRecord] | None = None
    version: int | None = None

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "custom_field_id": self.custom_field_id,
            "label": self.label,
            "name": self.name,
            "type": self.type,
        }
        if self.metadata is not None:
            body["metadata"] = dict(self.metadata)
        if self.version is not None:
            body["version"] = self.version
        if self.choices is not None:
            body["choices"] = [choice.to_api() for choice in self.choices]
        body |= {"created_at": self.created_at, "updated_at": self.updated_at}
        return body


@dataclass
class SegmentRecord:
    segment_id: int
    name: str
    segment_criteria: str  # compact JSON text
    created_at: str
    edited_at: str
    seq: int
    deleted_at: str | None = None

    def to_master(self) -> dict[str, Any]:
        """SegmentMaster: the collection item, without criteria."""
        return {
            "name": self.name,
            "segment_id": self.segment_id,
            "created_at": self.created_at,
            "edited_at": self.edited_at,
        }

    def to_detail(self) -> dict[str, Any]:
        """SegmentDetail: with the criteria as single-string escaped JSON."""
        return {
            "name": self.name,
            "segment_criteria": self.segment_criteria,
            "segment_id": self.segment_id,
            "created_at": self.created_at,
            "edited_at": self.edited_at,
        }


@dataclass
class ActivityRecord:
    """A bulk delete: `initialized`, then `processing` while polled, then `completed`."""

    activity_id: str
    kind: str  # "list_delete", "tag_delete" or "custom_field_delete"
    ids: list[str]
    created_at: str
    updated_at: str
    state: str = "initialized"
    polls: int = 0
    started_at: str | None = None
    completed_at: str | None = None
    errors: list[str] = field(default_factory=list)
    completed_count: int = 0

    @property
    def queued(self) -> bool:
        return self.state in ("initialized", "processing")

    @property
    def percent_done(self) -> int:
        return {"initialized": 0, "processing": 50}.get(self.state, 100)

    def to_api(self, shape: str = "Activity") -> dict[str, Any]:
        """The activity in the response shape of the endpoint answering it.

        Shapes are the spec's definitions: Activity (GET /activities/{id}),
        ActivityDeleteListsResponse, ActivityDeleteListResponse, ActivityTagging,
        ActivityDeleteCustomFields and ActivityGeneric (whose errors are objects).
        """
        body: dict[str, Any] = {"activity_id": self.activity_id, "state": self.state}
        if shape not in ("ActivityDeleteListResponse", "ActivityGeneric"):  # no such fields
            for name in ("started_at", "completed_at"):
                if getattr(self, name) is not None:
                    body[name] = getattr(self, name)
        body |= {
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "percent_done": self.percent_done,
        }
        if shape == "ActivityGeneric":
            body["activity_errors"] = [{"message": error} for error in self.errors]
        else:
            body["activity_errors"] = list(self.errors)
        status = self._status(shape)
        if status is not None:
            body["status"] = status
        body["_links"] = {"self": {"href": f"/v3/activities/{self.activity_id}"}}
        return body

    def _status(self, shape: str) -> dict[str, int] | None:
        counts = {
            "items_total_count": len(self.ids),
            "items_completed_count": self.completed_count,
        }
        if shape == "ActivityDeleteListsResponse":
            return {"list_count": len(self.ids)}
        if shape in ("ActivityTagging", "ActivityGeneric"):
            return counts
        if shape == "Activity":
            return counts | ({"list_count": len(self.ids)} if self.kind == "list_delete" else {})
        return None
