"""The manifest JSON Schema, built from the kinds.

Each kind contributes its item schema (and any definitions it refers to); this module adds
what every manifest has (`version`, `vars`, `prune`, `settings`) and what every collection
item may carry (`renamed_from`, `protect`). `ctctform/schemas/manifest.schema.json` is this
schema, committed for editors (YAML language server) and checked by a test to equal what the
kinds generate (`make schemas` rewrites it).
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Sequence
from typing import Any

from ctctform.manifest.catalog import ManifestKind
from ctctform.manifest.model import Shape

SCHEMA_ID = (
    "https://raw.githubusercontent.com/ctctform/ctctform/main/ctctform/schemas/manifest.schema.json"
)
DESCRIPTION = (
    "Configuration of a Constant Contact account as code. A manifest is one file or a "
    "directory of *.yaml/*.yml files merged together; every key is optional in any one file. "
    "See docs/manifest.md."
)


def build_schema(kinds: Sequence[ManifestKind]) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "version": {
            "description": "Manifest format version. Must be 1; required in at least one "
            "file of the manifest.",
            "type": "integer",
            "enum": [1],
        }
    }
    definitions: dict[str, Any] = {}
    for kind in kinds:
        definitions[kind.name] = _item(kind)
        definitions.update(copy.deepcopy(kind.extra_definitions()))
        properties[kind.name] = _top_level(kind)
    properties["prune"] = {"$ref": "#/definitions/prune"}
    properties["settings"] = {"$ref": "#/definitions/settings"}
    properties["vars"] = {
        "description": "Default values for `${var:NAME}`, overridden per account and by "
        "`--var NAME=VALUE`. Numbers and booleans are used as their text.",
        "type": "object",
        "additionalProperties": {"type": ["string", "number", "boolean"]},
    }
    definitions["prune"] = _prune(kinds)
    definitions["settings"] = _settings(kinds)
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "ctctform manifest (version 1)",
        "description": DESCRIPTION,
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "definitions": definitions,
    }


def schema_text(kinds: Sequence[ManifestKind]) -> str:
    """The schema as committed: stable key order, two-space indent, trailing newline."""
    return _text(tuple(kinds))


@functools.cache
def _text(kinds: tuple[ManifestKind, ...]) -> str:
    # Built once per set of kinds: every manifest load asks for it.
    return json.dumps(build_schema(kinds), indent=2, ensure_ascii=False) + "\n"


def _top_level(kind: ManifestKind) -> dict[str, Any]:
    ref = {"$ref": f"#/definitions/{kind.name}"}
    if kind.shape is Shape.SINGLETON:
        return {"description": kind.title, **ref}
    return {"description": kind.title, "type": "array", "items": ref}


def _item(kind: ManifestKind) -> dict[str, Any]:
    item = copy.deepcopy(kind.item_schema())
    if kind.shape is not Shape.COLLECTION:
        return item
    props = item.setdefault("properties", {})
    if kind.renames:
        props["renamed_from"] = _renamed_from(kind)
    props["protect"] = {
        "description": "When true, ctctform never deletes or replaces this resource, whatever "
        "`prune` says. Default false.",
        "type": "boolean",
    }
    return item


def _renamed_from(kind: ManifestKind) -> dict[str, Any]:
    name: dict[str, Any] = {"type": "string", "minLength": 1}
    if kind.identity_max:
        name["maxLength"] = kind.identity_max
    out: dict[str, Any] = {
        "description": f"Earlier {kind.identity}(s) of this {kind.noun}. When the live account "
        f"has one under one of these and none under the current {kind.identity}, ctctform "
        "renames it in place, keeping its ID and data. A single string is accepted as a "
        "one-item list.",
        "type": ["string", "array"],
        "minLength": 1,
        "items": name,
        "uniqueItems": True,
    }
    if kind.identity_max:
        out["maxLength"] = kind.identity_max
    return out


def _prune(kinds: Sequence[ManifestKind]) -> dict[str, Any]:
    return {
        "description": "Delete live resources of a kind that the manifest does not declare. "
        "Default false for every kind; protected resources are never deleted.",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            k.name: {
                "description": f"Delete live {k.name.replace('_', ' ')} not declared in the "
                "manifest.",
                "type": "boolean",
            }
            for k in kinds
            if k.prunable
        },
    }


def _settings(kinds: Sequence[ManifestKind]) -> dict[str, Any]:
    names = "|".join(re.escape(k.name) for k in kinds)
    selector = {
        "type": "string",
        "pattern": f"^({names})(:.+)?$",
        "errorMessage": "expected KIND or KIND:NAME, such as custom_fields:Signup Date "
        f"(KIND: {', '.join(k.name for k in kinds)})",
    }
    selectors = {"type": "array", "items": selector, "uniqueItems": True}
    return {
        "description": "Safety gates acknowledged in the manifest itself, so the pull request "
        "that makes a dangerous change also carries its acknowledgement.",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "max_deletes": {
                "description": "Deletes a plan may make without --allow-delete (default 10).",
                "type": "integer",
                "minimum": 0,
            },
            "max_delete_percent": {
                "description": "Share of a kind's live resources a plan may delete without "
                "--allow-delete (default 25).",
                "type": "number",
                "minimum": 0,
                "maximum": 100,
            },
            "allow_delete": {
                "description": "Deletes of these (KIND or KIND:NAME) need no --allow-delete "
                "and do not count against the thresholds.",
                **selectors,
            },
            "allow_replace": {
                "description": "Replacements of these (KIND or KIND:NAME) need no "
                "--allow-replace (a replace deletes the old resource with its contact data).",
                **selectors,
            },
        },
    }
