"""Partner webhook subscriptions: one per topic, created and updated by the same PUT."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from ctctform.kinds.base import ApiLike, FieldChange, Kind, Live, Namer, Resolver
from ctctform.kinds.schema import obj, one_of_keys
from ctctform.manifest.declared import Declared
from ctctform.manifest.model import Issue, Resource

# From the PUT /partner/webhooks/subscriptions/{topic_id} text.
TOPICS: dict[int, str] = {
    1: "billing_tier_upgrade",
    2: "billing_tier_downgrade",
    3: "account_cancelled",
    4: "account_disabled",
}
TOPIC_IDS: dict[str, int] = {name: topic_id for topic_id, name in TOPICS.items()}
HOOK_URI_MAX = 512  # API guide: hook_uri is https://... and at most 512 characters
_HOST = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9-]+$")


def hook_uri_problem(uri: str) -> str | None:
    """Why the API would refuse `uri` as a callback, or None."""
    if not uri.startswith("https://"):
        return "hook_uri must start with https://"
    if len(uri) > HOOK_URI_MAX:
        return f"hook_uri is at most {HOOK_URI_MAX} characters (is {len(uri)})"
    try:
        parts = urlsplit(uri)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return "hook_uri is not a valid URL"
    if not host or not _HOST.match(host) or parts.username or parts.password:
        return "hook_uri must name a real host (https://host/path), without credentials"
    return None


class Webhooks(Kind):
    name = "webhooks"
    noun = "webhook subscription"
    title = "Partner webhook subscriptions (need partner credentials). Identity: the topic."
    identity = "topic"
    renames = False
    path = "/partner/webhooks/subscriptions"
    id_field = "topic_id"
    key_field = "topic_id"
    api_templates = ("/partner/webhooks/subscriptions/{topic_id}",)
    stat_prefixes = ("/partner/webhooks",)
    partner_level = True
    create_only = ("topic_id",)  # the identity itself, carried for the PUT path

    def item_schema(self) -> dict[str, Any]:
        names = ", ".join(f"{n} ({i})" for i, n in TOPICS.items())
        schema = obj(
            "A partner webhook subscription (WebhooksSubscriptionBody). Give exactly one of "
            "`topic` or `topic_id`.",
            {
                "topic": {
                    "description": f"The topic: its identity. {names}.",
                    "type": "string",
                    "enum": list(TOPIC_IDS),
                },
                "topic_id": {
                    "description": "The topic by number: 1 billing tier upgrade, 2 billing "
                    "tier downgrade, 3 account cancelled, 4 account disabled.",
                    "type": "integer",
                    "enum": list(TOPICS),
                },
                "hook_uri": {
                    "description": "The https callback URI Constant Contact POSTs "
                    "notifications to, at most 512 characters. `${var:NAME}` may be used.",
                    "type": "string",
                    "pattern": "^(https://|\\$\\{var:)",
                    "errorMessage": "hook_uri must start with https://",
                },
            },
            required=["hook_uri"],
        )
        schema["allOf"] = [one_of_keys(("topic", "topic_id"))]
        return schema

    def identity_of(self, item: Mapping[str, Any]) -> tuple[str, str] | None:
        if isinstance(item.get("topic"), str) and item["topic"] in TOPIC_IDS:
            return item["topic"], "topic"
        topic_id = item.get("topic_id")
        # JSON Schema counts 1.0 as an integer, so the schema lets it through.
        numeric = isinstance(topic_id, int | float) and not isinstance(topic_id, bool)
        if numeric and topic_id in TOPICS:
            return TOPICS[int(topic_id)], "topic_id"
        return None

    def normalize_spec(self, resource: Resource) -> None:
        resource.spec.pop("topic", None)
        resource.spec["topic_id"] = TOPIC_IDS[resource.key]

    def check(self, decls: Sequence[Declared]) -> list[Issue]:
        issues = []
        for decl in decls:
            hook = decl.resource.spec.get("hook_uri")
            problem = hook_uri_problem(hook) if isinstance(hook, str) else None
            if problem:
                line = decl.field_lines.get("hook_uri", decl.key_line)
                issues.append(decl.at(line, f"{decl.where}.hook_uri", problem))
        return issues

    def read(self, client: ApiLike) -> list[Live]:
        # Not paged: the collection is a plain array of at most four subscriptions.
        return self.parse(client.get(self.path), f"GET {self.path}")

    def record_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["topic_id"],
            "properties": {
                "topic_id": {"type": "integer", "enum": list(TOPICS)},
                "hook_uri": {"type": ["string", "null"]},
            },
        }

    def to_live(self, record: dict[str, Any]) -> Live:
        topic = int(record["topic_id"])
        return Live(self.name, str(topic), TOPICS[topic], record)

    def unique_name(self, key: str) -> str:
        return key

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
        path = self.item_path(topic_id)
        answer = client.request("PUT", path, json={"hook_uri": hook_uri})
        answer = answer if isinstance(answer, dict) else {}
        record = {**answer, "topic_id": int(topic_id), "hook_uri": hook_uri}
        return self.created(record, f"PUT {path}")

    def delete_one(self, client: ApiLike, live: Live) -> None:
        client.request("DELETE", self.item_path(live.id))

    def to_manifest(self, live: Live, names: Namer) -> dict[str, Any]:
        return {"topic": live.key, "hook_uri": live.record.get("hook_uri")}
