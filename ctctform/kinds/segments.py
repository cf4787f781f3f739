"""Segments: the collection omits criteria, so each managed segment's detail is read."""

from __future__ import annotations

import json
from typing import Any

from ctctform.kinds.base import ApiLike, FieldChange, Kind, Live, Resolver
from ctctform.manifest import Resource
from ctctform.manifest.refs import substitute


def criteria_text(criteria: Any) -> str:
    return json.dumps(criteria, separators=(",", ":"), ensure_ascii=False)


class Segments(Kind):
    name = "segments"
    ref = "segment"
    noun = "segment"
    path = "/segments"
    item_key = "segments"
    id_field = "segment_id"
    key_field = "name"
    page_limit = 1000
    depends_on = ("custom_fields", "lists", "tags")
    has_details = True

    def detail_cache_key(self, live: Live) -> str | None:
        # edited_at moves whenever the name or the criteria change. Segment ids are small
        # per-account integers, so created_at joins the key: two accounts sharing a cache file
        # (same API URL, different tokens) cannot confuse their segments.
        edited, created = live.record.get("edited_at"), live.record.get("created_at")
        return f"{live.id}@{created}@{edited}" if edited and created else None

    def read_detail(self, client: ApiLike, live: Live) -> dict[str, Any]:
        rec = client.get(f"{self.path}/{live.id}")
        return {"segment_criteria": rec.get("segment_criteria")}

    def current(self, live: Live) -> dict[str, Any]:
        raw = live.record.get("segment_criteria")
        try:
            criteria = json.loads(raw) if raw else None
        except ValueError:
            criteria = raw  # compare as text: any declared criteria will differ
        return {"name": live.record["name"], "criteria": criteria}

    def desired(self, resource: Resource, resolve: Resolver) -> dict[str, Any]:
        return {"name": resource.key, "criteria": substitute(resource.spec["criteria"], resolve)}

    def references(self, live: Live) -> str:
        return live.record.get("segment_criteria") or ""

    def create(self, client: ApiLike, want: dict[str, Any]) -> Live:
        body = {"name": want["name"], "segment_criteria": criteria_text(want["criteria"])}
        rec = client.request("POST", self.path, json=body)
        return self.to_live(
            {**rec, "segment_criteria": body["segment_criteria"], **_name(rec, want)}
        )

    def update(
        self, client: ApiLike, live: Live, want: dict[str, Any], fields: dict[str, FieldChange]
    ) -> Live:
        if set(fields) == {"name"}:
            rec = client.request(
                "PATCH", f"{self.path}/{live.id}/name", json={"name": want["name"]}
            )
            criteria = live.record.get("segment_criteria")
        else:
            criteria = criteria_text(want.get("criteria", self.current(live)["criteria"]))
            body = {"name": want["name"], "segment_criteria": criteria}
            rec = client.request("PUT", f"{self.path}/{live.id}", json=body)
        rec = rec if isinstance(rec, dict) else {}
        merged = {**live.record, **rec, "segment_criteria": criteria, "name": want["name"]}
        return self.to_live(merged)

    def delete_one(self, client: ApiLike, live: Live) -> None:
        client.request("DELETE", f"{self.path}/{live.id}")


def _name(rec: dict[str, Any], want: dict[str, Any]) -> dict[str, Any]:
    return {} if rec.get("name") else {"name": want["name"]}
