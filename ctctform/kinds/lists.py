"""Contact lists: identity is the name; PUT overwrites every field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ctctform.kinds.base import ApiLike, BulkDelete, FieldChange, Kind, Live, Namer, Resolver
from ctctform.kinds.schema import string
from ctctform.manifest.checks import text_limit
from ctctform.manifest.declared import Declared
from ctctform.manifest.model import Issue, Resource

# ListInput.name / description: "at most 255 characters" (the API guide's list pages).
NAME_MAX = 255
DESCRIPTION_MAX = 255


def _text(value: Any) -> str:
    # The API drops an empty description, so absent and "" are the same state.
    return value or ""


class Lists(Kind):
    name = "lists"
    noun = "list"
    title = "Contact lists. Identity: `name`."
    identity_max = NAME_MAX
    ref = "list"
    max_count = 1000  # "an account holds at most 1,000 lists"
    path = "/contact_lists"
    item_key = "lists"
    id_field = "list_id"
    key_field = "name"
    page_limit = 1000  # the text says 1-500 but `maximum: 1000` (spec erratum, DESIGN §4)
    max_pages = 5
    # Deleted lists keep a `deleted_at` and would otherwise be read as live (API guide,
    # "Lists carry deleted_at"; GET /contact_lists `status`).
    read_params = {"status": "active"}
    api_templates = ("/contact_lists/{list_id}",)
    stat_prefixes = ("/contact_lists",)
    bulk_delete = BulkDelete("/activities/list_delete", "list_ids", 100)

    def item_schema(self) -> dict[str, Any]:
        return {
            "description": "A contact list (ListInput).",
            "type": "object",
            "additionalProperties": False,
            "required": ["name"],
            "properties": {
                "name": string(
                    "The list's name: its identity, unique in the account. At most 255 "
                    "characters. `${var:NAME}` may be used.",
                    maximum=NAME_MAX,
                ),
                "description": string(
                    "Text describing the list, at most 255 characters. Leave the key out to "
                    "leave the live description alone. `${var:NAME}` may be used.",
                    minimum=0,
                    maximum=DESCRIPTION_MAX,
                ),
                "favorite": {
                    "description": "Whether the list is marked as a favorite. Leave the key "
                    "out to leave it alone.",
                    "type": "boolean",
                },
            },
        }

    def check(self, decls: Sequence[Declared]) -> list[Issue]:
        return [i for d in decls if (i := text_limit(d, "description", DESCRIPTION_MAX))]

    def current(self, live: Live) -> dict[str, Any]:
        rec = live.record
        return {
            "name": rec["name"],
            "description": _text(rec.get("description")),
            "favorite": bool(rec.get("favorite", False)),
        }

    def desired(self, resource: Resource, resolve: Resolver) -> dict[str, Any]:
        want: dict[str, Any] = {"name": resource.key}
        if "description" in resource.spec:
            want["description"] = _text(resource.spec["description"])
        if "favorite" in resource.spec:
            want["favorite"] = bool(resource.spec["favorite"])
        return want

    def body(self, want: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
        """A full ListInput: declared fields over the live ones, since PUT overwrites all."""
        merged = {**base, **want}
        out: dict[str, Any] = {"name": merged["name"], "favorite": bool(merged.get("favorite"))}
        if merged.get("description"):
            out["description"] = merged["description"]
        return out

    def create(self, client: ApiLike, want: dict[str, Any]) -> Live:
        body = self.body(want, {})
        return self.created(client.request("POST", self.path, json=body), f"POST {self.path}")

    def update(
        self, client: ApiLike, live: Live, want: dict[str, Any], fields: dict[str, FieldChange]
    ) -> Live:
        path = self.item_path(live.id)
        answer = client.request("PUT", path, json=self.body(want, self.current(live)))
        return self.created(answer, f"PUT {path}")

    def to_manifest(self, live: Live, names: Namer) -> dict[str, Any]:
        out: dict[str, Any] = {"name": live.record["name"]}
        if live.record.get("description"):
            out["description"] = live.record["description"]
        out["favorite"] = bool(live.record.get("favorite"))
        return out
