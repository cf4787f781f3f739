"""Small builders for the JSON Schema fragments kinds declare (see manifest/schemagen.py)."""

from __future__ import annotations

from typing import Any


def string(
    description: str,
    *,
    minimum: int = 1,
    maximum: int | None = None,
    pattern: str | None = None,
    message: str | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description, "type": "string"}
    if minimum:
        out["minLength"] = minimum
    if maximum is not None:
        out["maxLength"] = maximum
    if pattern is not None:
        out["pattern"] = pattern
    if message is not None:
        out["errorMessage"] = message
    return out


def boolean(description: str) -> dict[str, Any]:
    return {"description": description, "type": "boolean"}


def obj(
    description: str, properties: dict[str, Any], required: list[str] | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "description": description,
        "type": "object",
        "additionalProperties": False,
    }
    if required:
        out["required"] = required
    out["properties"] = properties
    return out


def one_of_keys(keys: tuple[str, str]) -> dict[str, Any]:
    """`allOf: [{oneOf: [{required: [a]}, {required: [b]}]}]` with a readable message."""
    return {
        "oneOf": [{"required": [keys[0]]}, {"required": [keys[1]]}],
        "errorMessage": f"give exactly one of {keys[0]!r} or {keys[1]!r}",
    }
