"""The saved plan's JSON Schema, built from the registered kinds.

A saved plan is read back by `show` and `apply --plan` after travelling between CI jobs, so
it is untrusted input: every part the reader touches is checked here, once, before any of it
is used (a change that is a number, an unknown kind or action, `fields` that are not
before/after pairs). The committed copy, ctctform/schemas/plan.schema.json, is what other
tools can validate against; a test checks it equals what this module builds.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from ctctform.kinds import REGISTRY
from ctctform.plan import PLAN_FORMAT, Action

PLAN_SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "plan.schema.json"

_STRINGS = {"type": "array", "items": {"type": "string"}}
_STRING_MAP = {"type": "object", "additionalProperties": {"type": "string"}}
_ID = {"type": ["string", "integer"]}


def _kind() -> dict[str, Any]:
    return {"enum": sorted(REGISTRY)}


def _resource() -> dict[str, Any]:
    return {
        "description": "The declared resource, and where it was declared.",
        "type": "object",
        "required": ["spec"],
        "properties": {
            "spec": {"type": "object"},
            "renamed_from": _STRINGS,
            "protect": {"type": "boolean"},
            "location": {
                "type": "object",
                "properties": {
                    "file": {"type": "string"},
                    "line": {"type": "integer", "minimum": 0},
                },
            },
        },
    }


def _change() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["kind", "key", "action"],
        "properties": {
            "kind": _kind(),
            "key": {"type": "string"},
            # no-ops are never saved
            "action": {"enum": [str(a) for a in Action if a is not Action.NOOP]},
            "id": {"type": ["string", "integer", "null"]},
            "renamed_from": {"type": "string"},
            "fields": {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "required": ["before", "after"],
                    "properties": {"before": {}, "after": {}},
                    "additionalProperties": False,
                },
            },
            "known_after_apply": _STRINGS,
            "resource": _resource(),
        },
    }


def plan_schema() -> dict[str, Any]:
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://ctctform.dev/schemas/plan.schema.json",
        "title": "ctctform saved plan",
        "description": "What `ctctform plan --out FILE` writes and `apply --plan FILE` reads. "
        "See docs/plan-format.md.",
        "type": "object",
        "required": ["format_version", "changes", "digest"],
        "properties": {
            "format_version": {"const": PLAN_FORMAT},
            "digest": {
                "type": "string",
                "pattern": "^sha256:[0-9a-f]{64}$",
                "description": "sha256 of the canonical JSON of every other key: an edited "
                "plan is refused.",
            },
            "ctctform_version": {"type": "string"},
            "created_at": {"type": "string"},
            "account": {"type": ["string", "null"]},
            "organization": {"type": ["string", "null"]},
            "partner_account": {"type": "boolean"},
            "fingerprint": {"type": "string"},
            "kinds": {"type": "array", "items": _kind(), "uniqueItems": True},
            "detailed": {
                "type": "array",
                "items": {
                    "type": "array",
                    "items": [_kind(), _ID],
                    "minItems": 2,
                    "maxItems": 2,
                },
            },
            "references": _STRING_MAP,
            "names": _STRING_MAP,
            "partial": _STRINGS,
            "refresh_only": {"type": "boolean"},
            "acknowledgements": _STRINGS,
            "summary": {"type": "object", "additionalProperties": {"type": "integer"}},
            "live_counts": {"type": "object", "additionalProperties": {"type": "integer"}},
            "changes": {"type": "array", "items": _change()},
            "notes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"kind": _kind(), "key": {"type": "string"}},
                },
            },
            "warnings": _STRINGS,
            "errors": _STRINGS,
            "api_requests": {"type": "object"},
        },
    }


@functools.cache
def _validator() -> Any:
    from jsonschema import Draft7Validator

    return Draft7Validator(plan_schema())


def document_problem(doc: Any) -> str | None:
    """The first thing wrong with a plan document, as "at changes[0].action: ...", or None.

    jsonschema's own messages repeat the offending value, which could be anything (a plan is
    not meant to hold secrets, but an edited one might): only the place and the rule are told.
    """
    from jsonschema.exceptions import best_match

    error = best_match(_validator().iter_errors(doc))
    if error is None:
        return None
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    rule = _RULES.get(str(error.validator), "invalid")
    if error.validator == "required":  # names a key of the schema, not of the document
        rule = error.message.replace(" is a required property", " is missing")
    return f"at {where.lstrip('.') or 'the top'}: {rule}"


_RULES = {
    "type": "wrong type",
    "enum": "not a known value",
    "const": "not the expected value",
    "required": "a required key is missing",
    "additionalProperties": "an unexpected key",
    "minItems": "too few items",
    "maxItems": "too many items",
    "uniqueItems": "repeated items",
    "minimum": "out of range",
}


@functools.cache
def _manifest_validator() -> Any:
    import json

    from jsonschema import Draft7Validator

    from ctctform.manifest.schema import SCHEMA_PATH

    return Draft7Validator(json.loads(SCHEMA_PATH.read_text()))


def item_problem(kind: str, item: dict[str, Any]) -> str | None:
    """What the manifest schema says of a saved change's resource (as `kind`'s manifest
    item): the fields an apply would send, checked as strictly as a manifest's."""
    from jsonschema.exceptions import best_match

    shape = REGISTRY[kind].shape.name
    doc = {"version": 1, kind: item if shape == "SINGLETON" else [item]}
    error = best_match(_manifest_validator().iter_errors(doc))
    if error is None:
        return None
    path = list(error.absolute_path)[1 if shape == "SINGLETON" else 2 :]
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
    rule = _RULES.get(str(error.validator), "invalid")
    return f"at {where.lstrip('.') or 'the resource'}: {rule}"
