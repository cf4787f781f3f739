"""Request-body validation against the official definitions in schemas/ctct-definitions.json."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import ValidationError

DEFINITIONS_FILE = Path(__file__).resolve().parent.parent / "schemas" / "ctct-definitions.json"

# Swagger 2.0 schemas are JSON Schema draft 4. Only `uuid` is format-checked: it is the one
# format the request definitions use (ids in the bulk deletes), and the API rejects non-ids.
_FORMATS = FormatChecker(["uuid"])


@cache
def definitions() -> dict[str, Any]:
    with DEFINITIONS_FILE.open(encoding="utf-8") as handle:
        found: dict[str, Any] = json.load(handle)["definitions"]
        return found


@cache
def validator(name: str) -> Draft4Validator:
    if name not in definitions():
        raise KeyError(f"definition {name!r} is not in {DEFINITIONS_FILE.name}")
    schema = {"$ref": f"#/definitions/{name}", "definitions": definitions()}
    return Draft4Validator(schema, format_checker=_FORMATS)


def validate(body: Any, name: str) -> list[str]:
    """Messages for every way `body` breaks definition `name`; empty when it conforms."""
    errors = sorted(validator(name).iter_errors(body), key=lambda e: list(e.absolute_path))
    return [describe(error) for error in errors]


def describe(error: ValidationError) -> str:
    """One short line per error, naming the field and never echoing a huge value."""
    where = _where(error)
    kind, limit = error.validator, error.validator_value
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "a property"
        return f"{_join(where, missing)} is required"
    if kind == "maxLength":
        return f"{where or 'value'} must be at most {limit} characters long"
    if kind == "minLength":
        return f"{where or 'value'} must be at least {limit} character(s) long"
    if kind == "maxItems":
        return f"{where or 'value'} must not have more than {limit} items"
    if kind == "type":
        return f"{where or 'body'} must be of type {limit}"
    if kind == "format":
        return f"{where or 'value'} is not a valid {limit}"
    message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
    return f"{where}: {message}" if where else message


def _where(error: ValidationError) -> str:
    parts = []
    for part in error.absolute_path:
        parts.append(f"[{part}]" if isinstance(part, int) else f".{part}")
    return "".join(parts).lstrip(".")


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name
