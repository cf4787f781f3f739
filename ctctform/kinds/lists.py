"""Contact lists: identity is the name; PUT overwrites every field."""

from __future__ import annotations

from typing import Any

from ctctform.kinds.base import ApiLike, BulkDelete, FieldChange, Kind, Live, Resolver
from ctctform.manifest import Resource


def _text(value: Any) -> str:
    # The API drops an empty description, so absent and "" are the same state.
    return value or ""


class Lists(Kind):
    name = "lists"
    ref = "list"
    noun = "list"
    path = "/contact_lists"
    item_key = "lists"
    id_field = "list_id"
    key_field = "name"
    page_limit = 1000  # an account holds at most 1,000 lists: one page
    bulk_delete = BulkDelete("/activities/list_delete", "list_ids", 100)

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
        return self.to_live(client.request("POST", self.path, json=self.body(want, {})))

    def update(
        self, client: ApiLike, live: Live, want: dict[str, Any], fields: dict[str, FieldChange]
    ) -> Live:
        body = self.body(want, self.current(live))
        return self.to_live(client.request("PUT", f"{self.path}/{live.id}", json=body))
