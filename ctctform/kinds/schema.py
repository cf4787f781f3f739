"""Small builders for the JSON Schema fragments kinds declare (see manifest/schemagen.py)."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
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


SPEC_DEFINITIONS = Path(__file__).resolve().parent.parent / "schemas" / "ctct-definitions.json"


@functools.cache
def _definitions() -> dict[str, Any]:
    with SPEC_DEFINITIONS.open(encoding="utf-8") as fh:
        result: dict[str, Any] = json.load(fh)["definitions"]
        return result


def spec_properties(definition: str, *, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """A request definition's properties from the official spec (readOnly ones and `drop`
    left out), as manifest schema fragments: the spec's words, types and lengths."""
    out: dict[str, Any] = {}
    for name, prop in _definitions()[definition]["properties"].items():
        if prop.get("readOnly") or name in drop:
            continue
        fragment = {k: prop[k] for k in ("type", "maxLength", "minLength") if k in prop}
        words = str(prop.get("description", "")).replace("<code>", "`").replace("</code>", "`")
        fragment["description"] = " ".join(re.sub(r"<[^>]+>", "", words).split())
        out[name] = fragment
    return out


def spec_required(definition: str) -> list[str]:
    return list(_definitions()[definition].get("required", []))
