"""Contact custom fields: identity is the label; `type` (and metadata) cannot change in place."""

from __future__ import annotations

from typing import Any

from ctctform.kinds.base import ApiLike, BulkDelete, FieldChange, Kind, Live, Resolver
from ctctform.manifest import Resource
from ctctform.manifest.model import custom_field_name


def _choice_labels(record: dict[str, Any]) -> list[str]:
    choices = record.get("choices") or []
    ordered = sorted(choices, key=lambda c: c.get("display_order") or 0)
    return [c["choice_label"] for c in ordered]


class CustomFields(Kind):
    name = "custom_fields"
    ref = "custom_field"
    noun = "custom field"
    path = "/contact_custom_fields"
    item_key = "custom_fields"
    id_field = "custom_field_id"
    key_field = "label"
    page_limit = 100
    bulk_delete = BulkDelete("/activities/custom_fields_delete", "custom_field_ids", 100)
    # CustomFieldPutRequest carries only label and choices.
    replace_fields = ("type", "metadata")

    def unique_name(self, key: str) -> str:
        return custom_field_name(key)

    def current(self, live: Live) -> dict[str, Any]:
        rec = live.record
        return {
            "label": rec["label"],
            "type": rec.get("type"),
            "metadata": dict(rec.get("metadata") or {}),
            "choices": _choice_labels(rec),
        }

    def desired(self, resource: Resource, resolve: Resolver) -> dict[str, Any]:
        want: dict[str, Any] = {"label": resource.key}
        for key in ("type", "metadata", "choices"):
            if key in resource.spec:
                want[key] = resource.spec[key]
        if "metadata" in want:
            want["metadata"] = dict(want["metadata"] or {})
        if "choices" in want:
            want["choices"] = [str(c) for c in want["choices"] or []]
        return want

    def same(self, field_name: str, want: Any, have: Any) -> bool:
        if field_name == "metadata":
            # Only the declared metadata keys are managed; the API may add defaults.
            have = have or {}
            return all(have.get(k) == v for k, v in want.items())
        return want == have

    def create(self, client: ApiLike, want: dict[str, Any]) -> Live:
        body: dict[str, Any] = {"label": want["label"], "type": want.get("type", "string")}
        if want.get("metadata"):
            body["metadata"] = want["metadata"]
        if want.get("choices"):
            body["choices"] = [
                {"choice_label": label, "display_order": i}
                for i, label in enumerate(want["choices"], start=1)
            ]
        return self.to_live(client.request("POST", self.path, json=body))

    def update(
        self, client: ApiLike, live: Live, want: dict[str, Any], fields: dict[str, FieldChange]
    ) -> Live:
        body: dict[str, Any] = {"label": want["label"]}
        # An omitted `choices` is nulled by the API, so undeclared choices are sent back as read.
        labels = want["choices"] if "choices" in want else _choice_labels(live.record)
        if labels or live.record.get("choices"):
            body["choices"] = self.choice_bodies(live, labels)
        return self.to_live(client.request("PUT", f"{self.path}/{live.id}", json=body))

    def choice_bodies(self, live: Live, labels: list[str]) -> list[dict[str, Any]]:
        """Choices for a PUT, keeping the choice_id of every label that already exists so
        contacts' stored selections survive the update."""
        ids = {c["choice_label"]: c.get("choice_id") for c in live.record.get("choices") or []}
        out = []
        for i, label in enumerate(labels, start=1):
            choice: dict[str, Any] = {"choice_label": label, "display_order": i}
            if ids.get(label) is not None:
                choice["choice_id"] = ids[label]
            out.append(choice)
        return out
