"""Partner webhook subscriptions: one per topic, created and updated by the same PUT."""

from __future__ import annotations

from typing import Any

from ctctform.kinds.base import ApiLike, FieldChange, Kind, Live, Resolver
from ctctform.manifest import WEBHOOK_TOPICS, Resource


class Webhooks(Kind):
    name = "webhooks"
    ref = "webhook"
    noun = "webhook subscription"
    path = "/partner/webhooks/subscriptions"
    item_key = ""
    id_field = "topic_id"
    key_field = "topic_id"
    create_only = ("topic_id",)  # the identity itself, carried for the PUT path

    def read(self, client: ApiLike) -> list[Live]:
        # Not paged: the collection is a plain array of at most four subscriptions.
        records = client.get(self.path) or []
        return [self.to_live(r) for r in records]

    def to_live(self, record: dict[str, Any]) -> Live:
        topic = int(record["topic_id"])
        return Live(self.name, str(topic), WEBHOOK_TOPICS.get(topic, f"topic_{topic}"), record)

    def current(self, live: Live) -> dict[str, Any]:
        return {"hook_uri": live.record.get("hook_uri")}

    def desired(self, resource: Resource, resolve: Resolver) -> dict[str, Any]:
        return {"topic_id": int(resource.spec["topic_id"]), "hook_uri": resource.spec["hook_uri"]}

    def create(self, client: ApiLike, want: dict[str, Any]) -> Live:
        return self._put(client, str(want["topic_id"]), want["hook_uri"])

    def update(
        self, client: ApiLike, live: Live, want: dict[str, Any], fields: dict[str, FieldChange]
    ) -> Live:
        return self._put(client, live.id, want["hook_uri"])

    def _put(self, client: ApiLike, topic_id: str, hook_uri: str) -> Live:
        rec = client.request("PUT", f"{self.path}/{topic_id}", json={"hook_uri": hook_uri})
        rec = rec if isinstance(rec, dict) and "topic_id" in rec else {}
        return self.to_live({"topic_id": int(topic_id), "hook_uri": hook_uri, **rec})

    def delete_one(self, client: ApiLike, live: Live) -> None:
        client.request("DELETE", f"{self.path}/{live.id}")
