"""Segments: the collection omits criteria, so each managed segment's detail is read."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ctctform.api.errors import AnswerError
from ctctform.kinds import criteria as rules
from ctctform.kinds.base import ApiLike, FieldChange, Kind, Live, Namer, Resolver
from ctctform.kinds.schema import one_of_keys, string
from ctctform.manifest.declared import Declared
from ctctform.manifest.model import Issue, Resource
from ctctform.manifest.refs import substitute


def criteria_text(criteria: Any) -> str:
    return json.dumps(criteria, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


class Segments(Kind):
    name = "segments"
    noun = "segment"
    title = "Segments. Identity: `name`."
    ref = "segment"
    path = "/segments"
    item_key = "segments"
    id_field = "segment_id"
    key_field = "name"
    page_limit = 1000
    max_pages = 20
    api_templates = ("/segments/{segment_id}", "/segments/{segment_id}/name")
    stat_prefixes = ("/segments",)
    depends_on = ("custom_fields", "lists", "tags")
    has_details = True
    reference_fields = ("criteria",)
    json_fields = {"criteria_json": "criteria"}

    def item_schema(self) -> dict[str, Any]:
        return {
            "description": "A segment (SegmentData). Give exactly one of `criteria` or "
            "`criteria_json`.",
            "type": "object",
            "additionalProperties": False,
            "required": ["name"],
            "properties": {
                "name": string(
                    "The segment's name: its identity, unique in the account. "
                    "`${var:NAME}` may be used."
                ),
                "criteria": {
                    "description": "The segment_criteria as YAML; sent to the API as escaped "
                    "JSON and compared as parsed JSON. Any string inside may use "
                    "${list:NAME}, ${tag:NAME}, ${custom_field:LABEL}, ${segment:NAME} "
                    "(resolved to IDs) and ${var:NAME}; write $${ for a literal ${. The "
                    "top-level group is `and`; tags and list_membership conditions sit in "
                    "`or` groups; at most 20,000 characters.",
                    "type": "object",
                    "properties": {
                        "version": {
                            "description": 'Criteria format version, such as "1.0.0".',
                            "type": "string",
                        },
                        "criteria": {
                            "description": "The criteria group: {type: and, group: [...]}.",
                            "type": "object",
                        },
                    },
                },
                "criteria_json": string(
                    "The segment_criteria as a JSON string, as the API shows it; references "
                    "work as in `criteria`."
                ),
            },
            "allOf": [one_of_keys(("criteria", "criteria_json"))],
        }

    def check(self, decls: Sequence[Declared]) -> list[Issue]:
        issues: list[Issue] = []
        for decl in decls:
            crit = decl.resource.spec.get("criteria")
            if crit is None:
                continue  # missing or unparseable: reported already
            field = "criteria" if "criteria" in decl.field_lines else "criteria_json"
            line = decl.field_lines.get(field, decl.key_line)
            for path, reason in rules.problems(crit):
                issues.append(decl.at(line, f"{decl.where}.{field}{path}", reason))
        return issues

    def detail_cache_key(self, live: Live) -> str | None:
        # edited_at moves whenever the name or the criteria change. Segment ids are small
        # per-account integers, so created_at joins the key: two accounts sharing a cache file
        # (same API URL, different tokens) cannot confuse their segments.
        edited, created = live.record.get("edited_at"), live.record.get("created_at")
        return f"{live.id}@{created}@{edited}" if edited and created else None

    def read_detail(self, client: ApiLike, live: Live) -> dict[str, Any]:
        path = self.item_path(live.id)
        rec = client.get(path)
        if not isinstance(rec, dict) or not self.valid_detail(rec):
            raise AnswerError(
                f"GET {path}: the answer has no segment_criteria, or it is not a JSON object"
            )
        return {"segment_criteria": rec["segment_criteria"]}

    def valid_detail(self, detail: dict[str, Any]) -> bool:
        # The API stores criteria as JSON text of an object (API guide, "Segments": the
        # segment_criteria property). Anything else is a broken answer, not criteria to
        # compare: taken as text, every declared segment would be rewritten.
        raw = detail.get("segment_criteria")
        if not isinstance(raw, str):
            return False
        try:
            return isinstance(json.loads(raw), dict)
        except (ValueError, RecursionError):
            return False

    def current(self, live: Live) -> dict[str, Any]:
        raw = live.record.get("segment_criteria")
        try:
            criteria = json.loads(raw) if raw else None
        except ValueError:
            criteria = raw  # compare as text: any declared criteria will differ
        return {"name": live.record["name"], "criteria": criteria}

    def desired(self, resource: Resource, resolve: Resolver) -> dict[str, Any]:
        return {"name": resource.key, "criteria": substitute(resource.spec["criteria"], resolve)}

    def create(self, client: ApiLike, want: dict[str, Any]) -> Live:
        body = {"name": want["name"], "segment_criteria": criteria_text(want["criteria"])}
        answer = client.request("POST", self.path, json=body)
        return self.created(answer, f"POST {self.path}", fallback=body)

    def update(
        self, client: ApiLike, live: Live, want: dict[str, Any], fields: dict[str, FieldChange]
    ) -> Live:
        if set(fields) == {"name"}:
            path = self.item_path(live.id, "name")
            answer = client.request("PATCH", path, json={"name": want["name"]})
            criteria = live.record.get("segment_criteria")
        else:
            path = self.item_path(live.id)
            criteria = criteria_text(want.get("criteria", self.current(live)["criteria"]))
            answer = client.request(
                "PUT", path, json={"name": want["name"], "segment_criteria": criteria}
            )
        base = {**live.record, "segment_criteria": criteria, "name": want["name"]}
        answer = answer if isinstance(answer, dict) else {}
        # The id is the one we asked about; what the answer says besides is kept.
        return self.created({**answer, self.id_field: live.record[self.id_field]}, path, base)

    def delete_one(self, client: ApiLike, live: Live) -> None:
        client.request("DELETE", self.item_path(live.id))

    def to_manifest(self, live: Live, names: Namer) -> dict[str, Any]:
        text = names(live.record.get("segment_criteria") or "{}")
        return {"name": live.record["name"], "criteria": json.loads(text)}
