"""The custom field rules the API enforces beyond CustomFieldRequest's schema.

Sources: the spec's CustomFieldRequest/CustomField/CustomFieldMetadata descriptions and the
API guide's "Create and Update Custom Fields" page
(https://developer.constantcontact.com/api_guide/contact-custom-fields/custom-fields-create-or-update).
"""

from __future__ import annotations

from typing import Any

from ..messages import BadRequest

# The spec gives no enum for CustomFieldRequest.type (only `maxLength: 20`); these are the
# nine types the API guide's "Create a new custom_field" page names.
CUSTOM_FIELD_TYPES = (
    "string",
    "text_area",
    "datetime",
    "number",
    "currency",
    "date",
    "boolean",
    "single_select",
    "multi_select",
)
SELECT_TYPES = ("single_select", "multi_select")

# CustomFieldMetadata: each key applies to some types only. The API echoes only the keys
# that apply to the field's type; others are accepted and not stored, so a client that
# compares what it sent with what it reads back must ignore them (or see a perpetual diff).
NUMBER_KEYS = frozenset({"allow_negative", "decimal_places", "integer"})
APPLICABLE_METADATA: dict[str, frozenset[str]] = {
    "single_select": frozenset({"display_type"}),
    "multi_select": frozenset({"display_type"}),
    "number": NUMBER_KEYS,
    "currency": NUMBER_KEYS | {"currency_code"},
    "date": frozenset({"display_format"}),  # version 2 dates only
}

# "Enums include dropdown, checkbox, and radio"; "Maximum number of elements for checkbox
# and radio display types is 20. Maximum number of elements for a dropdown is 100."
DISPLAY_TYPES = {"dropdown": 100, "checkbox": 20, "radio": 20}
DEFAULT_DISPLAY_TYPE = "dropdown"

# CustomFieldRequest.version: "Displays 1 if using legacy date fields where values are
# stored as strings. Displays 2 if using new date fields"; new date fields are version 2.
DATE_VERSIONS = (1, 2)
DEFAULT_DATE_VERSION = 2


def custom_field_name(label: str) -> str:
    """The label lower-cased, blanks replaced by underscores.

    The spec only says "constructed from the label by replacing blanks with underscores";
    a response recorded by a public connector's tests shows label `Hobby`, name `hobby`, so
    the API lower-cases too, and labels differing only by case or by space vs underscore
    collide (409).
    """
    return label.lower().replace(" ", "_")


def check_type(type: str) -> None:
    if type not in CUSTOM_FIELD_TYPES:
        raise BadRequest(f"type must be one of {', '.join(CUSTOM_FIELD_TYPES)}")


def field_version(type: str, version: int | None) -> int | None:
    """The version a new field gets: 1 or 2 for dates (default 2); not kept for other types."""
    if type != "date":
        return None  # "Available if data type is date": not stored, not echoed
    if version is None:
        return DEFAULT_DATE_VERSION
    if version not in DATE_VERSIONS:
        raise BadRequest("version must be 1 (legacy string dates) or 2 (real dates)")
    return version


def stored_metadata(
    type: str, metadata: dict[str, Any] | None, version: int | None
) -> dict[str, Any] | None:
    """Check the metadata and keep only the keys that apply to `type` (None if none do)."""
    if metadata is None:
        return None
    _check_metadata_values(type, metadata, version)
    kept = {k: v for k, v in metadata.items() if k in APPLICABLE_METADATA.get(type, ())}
    return kept or None


def _check_metadata_values(type: str, metadata: dict[str, Any], version: int | None) -> None:
    display_type = metadata.get("display_type")
    if type in SELECT_TYPES and display_type is not None and display_type not in DISPLAY_TYPES:
        raise BadRequest(f"metadata.display_type must be one of {', '.join(DISPLAY_TYPES)}")
    if type == "date" and "display_format" in metadata and version != 2:
        # "Valid only for version 2 type dates" (CustomFieldMetadata.display_format).
        raise BadRequest("metadata.display_format is valid only for version 2 date fields")
    places = metadata.get("decimal_places")
    # "If the integer is set to false, the decimal_places must be between 1 and 4."
    fractional = type in ("number", "currency") and metadata.get("integer") is False
    if fractional and places is not None and not 1 <= places <= 4:
        raise BadRequest("metadata.decimal_places must be between 1 and 4")


def check_choice_count(type: str, metadata: dict[str, Any] | None, live: int) -> None:
    """At most 20 live choices for radio and checkbox display types, 100 for dropdowns."""
    if type not in SELECT_TYPES:
        return
    display_type = (metadata or {}).get("display_type", DEFAULT_DISPLAY_TYPE)
    limit = DISPLAY_TYPES.get(display_type, DISPLAY_TYPES[DEFAULT_DISPLAY_TYPE])
    if live > limit:
        raise BadRequest(f"a {display_type} custom field takes at most {limit} choices")


def check_choices_allowed(type: str, choices: list[dict[str, Any]] | None) -> None:
    if choices is not None and type not in SELECT_TYPES:
        raise BadRequest("choices are allowed only for single_select and multi_select fields")


def require_label(label: str) -> None:
    if not label.strip():
        raise BadRequest("label must not be blank")
