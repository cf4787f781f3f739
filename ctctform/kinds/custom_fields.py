"""Contact custom fields: identity is the label; `type` (and metadata) cannot change in place."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ctctform.kinds.base import ApiLike, BulkDelete, FieldChange, Kind, Live, Namer, Resolver
from ctctform.kinds.schema import boolean, obj, string
from ctctform.manifest.declared import Declared
from ctctform.manifest.model import Issue, Resource

LABEL_MAX = 50
CHOICE_MAX = 255  # a choice label is at most 255 characters (API guide)
SELECT_TYPES = ("single_select", "multi_select")
# The spec bounds `type` to 20 characters without an enum; these are the types the API
# guide's "Create a new custom_field" page names.
FIELD_TYPES: tuple[str, ...] = ("string", "text_area", "number", "currency", "date", "datetime")
FIELD_TYPES += ("boolean",)
FIELD_TYPES += SELECT_TYPES
# CustomFieldRequest.choices: at most 20 for radio/checkbox display types, 100 for dropdown.
CHOICE_LIMITS = {"radio": 20, "checkbox": 20, "dropdown": 100}


def custom_field_name(label: str) -> str:
    """The `name` the API derives from a label: blanks become underscores ("constructed from
    the label by replacing blanks with underscores") and the API lower-cases it (a response
    recorded by a public connector's tests shows label `Hobby`, name `hobby`). It must be
    unique too, so `A b`, `a b` and `a_b` collide."""
    return label.replace(" ", "_").lower()


def _live_choices(record: dict[str, Any]) -> list[dict[str, Any]]:
    # A soft-deleted choice (deleted_at set) is not a choice (API guide, custom fields).
    return [c for c in record.get("choices") or [] if not c.get("deleted_at")]


def _choice_labels(record: dict[str, Any]) -> list[str]:
    ordered = sorted(_live_choices(record), key=lambda c: c.get("display_order") or 0)
    return [c["choice_label"] for c in ordered]


class CustomFields(Kind):
    name = "custom_fields"
    noun = "custom field"
    title = "Contact custom fields. Identity: `label`."
    identity = "label"
    identity_max = LABEL_MAX
    ref = "custom_field"
    max_count = 100  # "A user can configure up to 100 custom_fields"
    path = "/contact_custom_fields"
    item_key = "custom_fields"
    id_field = "custom_field_id"
    key_field = "label"
    page_limit = 100
    max_pages = 5
    api_templates = ("/contact_custom_fields/{custom_field_id}",)
    stat_prefixes = ("/contact_custom_fields",)
    # The spec's CustomFieldId100 says `maxItems: 0` (an erratum); the guide's
    # delete_custom_fields_activity.html: "remove up to 100 custom fields".
    bulk_delete = BulkDelete("/activities/custom_fields_delete", "custom_field_ids", 100)
    # CustomFieldPutRequest carries only label and choices.
    replace_fields = ("type", "metadata", "version")

    def item_schema(self) -> dict[str, Any]:
        return obj(
            "A contact custom field (CustomFieldRequest).",
            {
                "label": string(
                    "The field's label shown in the UI: its identity (the API derives the "
                    "field's lower-case `name` from it). At most 50 characters. "
                    "`${var:NAME}` may be used.",
                    maximum=LABEL_MAX,
                ),
                "type": {
                    "description": "The type of data the field stores. It cannot change in "
                    "place: changing it replaces the field (delete + create, losing contact "
                    "data) and needs --allow-replace.",
                    "type": "string",
                    "enum": list(FIELD_TYPES),
                },
                "metadata": {"$ref": "#/definitions/custom_field_metadata"},
                "version": {
                    "description": "Date fields only: 1 for legacy dates stored as strings, 2 "
                    "for real dates (needed for `display_format`). Cannot change in place.",
                    "type": "integer",
                    "enum": [1, 2],
                },
                "choices": {
                    "description": "Choice labels of a single_select or multi_select field, "
                    "in display order. At most 20 for radio and checkbox display types, 100 "
                    "for dropdown.",
                    "type": "array",
                    "maxItems": 100,
                    "uniqueItems": True,
                    "items": string("A choice label.", maximum=CHOICE_MAX),
                },
            },
            required=["label", "type"],
        )

    def extra_definitions(self) -> dict[str, Any]:
        return {"custom_field_metadata": _metadata_schema()}

    def check(self, decls: Sequence[Declared]) -> list[Issue]:
        issues: list[Issue] = []
        for decl in decls:
            issues += _check_choices(decl) + _check_date(decl)
        return issues

    def unique_name(self, key: str) -> str:
        return custom_field_name(key)

    def record_schema(self) -> dict[str, Any]:
        schema = super().record_schema()
        schema["properties"]["choices"] = {
            "type": ["array", "null"],
            "items": {
                "type": "object",
                "required": ["choice_label"],
                "properties": {"choice_label": {"type": "string"}},
            },
        }
        schema["properties"]["metadata"] = {"type": ["object", "null"]}
        return schema

    def current(self, live: Live) -> dict[str, Any]:
        rec = live.record
        out = {
            "label": rec["label"],
            "type": rec.get("type"),
            "metadata": dict(rec.get("metadata") or {}),
            "choices": _choice_labels(rec),
        }
        if "version" in rec:
            out["version"] = rec["version"]
        return out

    def desired(self, resource: Resource, resolve: Resolver) -> dict[str, Any]:
        want: dict[str, Any] = {"label": resource.key}
        for key in ("type", "metadata", "choices", "version"):
            if key in resource.spec:
                want[key] = resource.spec[key]
        if "metadata" in want:
            want["metadata"] = dict(want["metadata"] or {})
        if "choices" in want:
            want["choices"] = [str(c) for c in want["choices"] or []]
        return want

    def same(self, field_name: str, want: Any, have: Any) -> bool:
        if field_name == "metadata":
            # Only the declared keys the API echoes back are compared: it drops keys that do
            # not apply to the type, and a key it never returns must not show as a change
            # (which for metadata would be a replace).
            have = have or {}
            return all(_same_value(have[k], v) for k, v in want.items() if k in have)
        if field_name == "version" and have is None:
            return True  # not echoed: nothing to compare
        if field_name == "type" and isinstance(want, str) and isinstance(have, str):
            return want.lower() == have.lower()  # `Date` and `date` are one type
        return _same_value(want, have)

    def create(self, client: ApiLike, want: dict[str, Any]) -> Live:
        body: dict[str, Any] = {"label": want["label"], "type": want.get("type", "string")}
        if want.get("metadata"):
            body["metadata"] = want["metadata"]
        if "version" in want:
            body["version"] = want["version"]
        elif body["type"] == "date" and "display_format" in body.get("metadata", {}):
            body["version"] = 2  # display_format is valid only for version 2 dates
        if want.get("choices"):
            body["choices"] = [
                {"choice_label": label, "display_order": i}
                for i, label in enumerate(want["choices"], start=1)
            ]
        return self.created(client.request("POST", self.path, json=body), f"POST {self.path}")

    def update(
        self, client: ApiLike, live: Live, want: dict[str, Any], fields: dict[str, FieldChange]
    ) -> Live:
        body: dict[str, Any] = {"label": want["label"]}
        # An omitted `choices` is nulled by the API, so undeclared choices are sent back as read.
        labels = want["choices"] if "choices" in want else _choice_labels(live.record)
        if labels or _live_choices(live.record):
            body["choices"] = self.choice_bodies(live, labels)
        path = self.item_path(live.id)
        return self.created(client.request("PUT", path, json=body), f"PUT {path}")

    def choice_bodies(self, live: Live, labels: list[str]) -> list[dict[str, Any]]:
        """Choices for a PUT, keeping the choice_id of every label that already exists so
        contacts' stored selections survive the update."""
        ids = {c["choice_label"]: c.get("choice_id") for c in _live_choices(live.record)}
        out = []
        for i, label in enumerate(labels, start=1):
            choice: dict[str, Any] = {"choice_label": label, "display_order": i}
            if ids.get(label) is not None:
                choice["choice_id"] = ids[label]
            out.append(choice)
        return out

    def to_manifest(self, live: Live, names: Namer) -> dict[str, Any]:
        cur = self.current(live)
        out: dict[str, Any] = {"label": cur["label"], "type": cur["type"]}
        if cur["metadata"]:
            out["metadata"] = cur["metadata"]
        if cur["type"] == "date" and "version" in cur:
            out["version"] = cur["version"]
        if cur["choices"]:
            out["choices"] = cur["choices"]
        return out


def _metadata_schema() -> dict[str, Any]:
    return obj(
        "Additional details about the field (CustomFieldMetadata).",
        {
            "display_type": {
                "description": "How a single_select or multi_select field is rendered.",
                "type": "string",
                "enum": ["dropdown", "radio", "checkbox"],
            },
            "allow_negative": boolean(
                "For type number: whether a value can be negative (API default false)."
            ),
            "decimal_places": {
                "description": "For types number and currency: the number of decimal places "
                "(1 to 4 when `integer` is false).",
                "type": "integer",
                "minimum": 0,
                "maximum": 4,
            },
            "currency_code": string(
                "For type currency: the three-letter currency code, such as USD.",
                pattern="^[A-Z]{3}$",
                message="currency_code must be three capital letters, such as USD",
            ),
            "integer": boolean("For types number and currency: store whole numbers only."),
            "display_format": string(
                "For date fields (version 2 dates): the display format in the UI, such as "
                "MM/DD/YYYY (API default YYYY-MM-DD)."
            ),
        },
    )


def _check_choices(decl: Declared) -> list[Issue]:
    """`choices` only on select types, no more than the display type allows, short labels."""
    spec = decl.resource.spec
    choices = spec.get("choices")
    field_type = spec.get("type")
    if not isinstance(choices, list) or field_type not in FIELD_TYPES:
        return []  # the schema reported the type
    line = decl.field_lines.get("choices", decl.key_line)
    where = f"{decl.where}.choices"
    if field_type not in SELECT_TYPES:
        reason = f"choices are only allowed for single_select and multi_select, not {field_type}"
        return [decl.at(line, where, reason)]
    issues = []
    metadata = spec.get("metadata")
    display = metadata.get("display_type") if isinstance(metadata, dict) else None
    limit = CHOICE_LIMITS.get(display) if isinstance(display, str) else None
    if limit and len(choices) > limit:
        reason = f"a {display} field has at most {limit} choices (has {len(choices)})"
        issues.append(decl.at(line, where, reason))
    for index, label in enumerate(choices):
        if isinstance(label, str) and len(label) > CHOICE_MAX:
            reason = f"a choice label is at most {CHOICE_MAX} characters (is {len(label)})"
            issues.append(decl.at(line, f"{where}[{index}]", reason))
    return issues


def _check_date(decl: Declared) -> list[Issue]:
    spec = decl.resource.spec
    where = decl.where
    if "version" in spec and spec.get("type") != "date":
        line = decl.field_lines.get("version", decl.key_line)
        return [decl.at(line, f"{where}.version", "version applies only to date fields")]
    metadata = spec.get("metadata")
    if isinstance(metadata, dict) and "display_format" in metadata:
        line = decl.field_lines.get("metadata", decl.key_line)
        if spec.get("type") != "date":
            return [
                decl.at(line, f"{where}.metadata", "display_format applies only to date fields")
            ]
        if spec.get("version") == 1:
            reason = "display_format is valid only for version 2 dates (version: 2)"
            return [decl.at(line, f"{where}.metadata", reason)]
    return []


def _same_value(want: Any, have: Any) -> bool:
    """Equal, or the same whole number written as text on one side (`2` and `"2"`): a type
    change is a replace that loses the field's contact data, so a spelling must not be one."""
    if want == have:
        return True
    numbers = [v for v in (want, have) if isinstance(v, int) and not isinstance(v, bool)]
    texts = [v for v in (want, have) if isinstance(v, str)]
    return len(numbers) == 1 and len(texts) == 1 and texts[0].strip() == str(numbers[0])
