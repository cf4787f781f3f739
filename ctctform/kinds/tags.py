"""Contact tags: identity is the name, and the name is all a PUT can change."""

from __future__ import annotations

from typing import Any

from ctctform.kinds.base import ApiLike, BulkDelete, FieldChange, Kind, Live, Namer, Resolver
from ctctform.kinds.schema import string
from ctctform.manifest.model import Resource


class Tags(Kind):
    name = "tags"
    noun = "tag"
    title = "Contact tags. Identity: `name`."
    identity_max = 255
    ref = "tag"
    # "Your account can have up to 500 tags" (API guide, tags_overview.html).
    max_count = 500
    path = "/contact_tags"
    item_key = "tags"
    id_field = "tag_id"
    key_field = "name"
    page_limit = 500
    max_pages = 5
    api_templates = ("/contact_tags/{tag_id}",)
    stat_prefixes = ("/contact_tags",)
    bulk_delete = BulkDelete("/activities/contacts_tags_delete", "tag_ids", 500)
    # TagPut carries only the name: a differing tag_source could not be corrected in place.
    create_only = ("tag_source",)

    def item_schema(self) -> dict[str, Any]:
        return {
            "description": "A contact tag (TagPost).",
            "type": "object",
            "additionalProperties": False,
            "required": ["name"],
            "properties": {
                "name": string(
                    "The tag's name: its identity, unique in the account. 1 to 255 "
                    "characters. `${var:NAME}` may be used.",
                    maximum=255,
                ),
                "tag_source": string(
                    "The source used to tag contacts, such as ESTY. Create-only: sent when "
                    "ctctform creates the tag; the API cannot change it afterwards, so a "
                    "different live value is never shown as a change. `${var:NAME}` may be used."
                ),
            },
        }

    def current(self, live: Live) -> dict[str, Any]:
        return {"name": live.record["name"]}

    def desired(self, resource: Resource, resolve: Resolver) -> dict[str, Any]:
        want: dict[str, Any] = {"name": resource.key}
        if resource.spec.get("tag_source"):
            want["tag_source"] = resource.spec["tag_source"]
        return want

    def create(self, client: ApiLike, want: dict[str, Any]) -> Live:
        return self.created(client.request("POST", self.path, json=want), f"POST {self.path}")

    def update(
        self, client: ApiLike, live: Live, want: dict[str, Any], fields: dict[str, FieldChange]
    ) -> Live:
        path = self.item_path(live.id)
        answer = client.request("PUT", path, json={"name": want["name"]})
        return self.created(answer, f"PUT {path}")

    def to_manifest(self, live: Live, names: Namer) -> dict[str, Any]:
        return {"name": live.record["name"]}
