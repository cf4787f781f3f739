"""Contact tags: identity is the name, and the name is all a PUT can change."""

from __future__ import annotations

from typing import Any

from ctctform.kinds.base import ApiLike, BulkDelete, FieldChange, Kind, Live, Resolver
from ctctform.manifest import Resource


class Tags(Kind):
    name = "tags"
    ref = "tag"
    noun = "tag"
    path = "/contact_tags"
    item_key = "tags"
    id_field = "tag_id"
    key_field = "name"
    page_limit = 500
    bulk_delete = BulkDelete("/activities/contacts_tags_delete", "tag_ids", 500)

    def current(self, live: Live) -> dict[str, Any]:
        return {"name": live.record["name"]}

    # TagPut carries only the name: a differing tag_source could not be corrected in place.
    create_only = ("tag_source",)

    def desired(self, resource: Resource, resolve: Resolver) -> dict[str, Any]:
        want: dict[str, Any] = {"name": resource.key}
        if resource.spec.get("tag_source"):
            want["tag_source"] = resource.spec["tag_source"]
        return want

    def create(self, client: ApiLike, want: dict[str, Any]) -> Live:
        return self.to_live(client.request("POST", self.path, json=want))

    def update(
        self, client: ApiLike, live: Live, want: dict[str, Any], fields: dict[str, FieldChange]
    ) -> Live:
        rec = client.request("PUT", f"{self.path}/{live.id}", json={"name": want["name"]})
        return self.to_live(rec)
