"""JSON-Schema validation of one manifest file, with errors mapped back to file:line.

The schema (`ctctform/schemas/manifest.schema.json`) is the one editors use, so what the
YAML language server flags and what `ctctform validate` reports come from the same source.
jsonschema's messages are rewritten into short human ones ("expected a boolean").
"""

from __future__ import annotations

import difflib
import functools
import itertools
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import fastjsonschema

from ctctform.manifest.model import Issue
from ctctform.manifest.yamlload import LDict, format_path, line_of

if TYPE_CHECKING:
    from jsonschema import Draft7Validator
    from jsonschema.exceptions import ValidationError

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "manifest.schema.json"

MAX_ERRORS = 200

_TYPE_WORDS = {
    "boolean": "a boolean",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "array": "a list",
    "object": "a mapping",
    "null": "null",
}


class SchemaChecker:
    """One manifest schema, compiled twice: fastjsonschema answers "valid?" for the common
    case (~10x faster, but it stops at the first error); jsonschema, the reference
    implementation, lists every error when there is one (DESIGN §6: 5,000 resources in well
    under a second)."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self._fast = fastjsonschema.compile(schema)
        self._full: Draft7Validator | None = None

    def issues(self, doc: Any, file: str) -> list[Issue]:
        """Every schema violation in one file's document (an LDict from yamlload)."""
        try:
            self._fast(doc)
            return []
        except fastjsonschema.JsonSchemaException:
            pass
        if self._full is None:
            # Imported here: only needed when a file has errors, and costs ~0.1 s to import.
            from jsonschema import Draft7Validator

            self._full = Draft7Validator(self.schema)
        issues: list[Issue] = []
        # A file can be wrong in a hundred thousand ways at once; the first few hundred say it.
        errors = list(itertools.islice(self._full.iter_errors(doc), MAX_ERRORS))
        # A wrong type makes the other checks on that node noise ("must be one of" on a list).
        typed = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
        for error in errors:
            path = tuple(error.absolute_path)
            if error.validator != "type" and path in typed:
                continue
            issues.extend(_issues_for(error, doc, file))
        return sorted(set(issues))


@functools.cache
def checker_for(schema_text: str) -> SchemaChecker:
    return SchemaChecker(json.loads(schema_text))


def load_schema() -> dict[str, Any]:
    """The committed manifest JSON Schema (draft-07)."""
    with SCHEMA_PATH.open(encoding="utf-8") as fh:
        result: dict[str, Any] = json.load(fh)
        return result


def _issues_for(error: ValidationError, doc: Any, file: str) -> Iterator[Issue]:
    path = tuple(error.absolute_path)
    where = format_path(path)
    instance: Any = error.instance
    schema: Any = error.schema  # jsonschema types these loosely (Unset); they are JSON here
    required: Any = error.validator_value
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        allowed = list(schema.get("properties", {}))
        for key in instance:
            if key not in allowed:
                yield Issue(file, _key_line(instance, key), where, _unknown_key(key, allowed))
        return
    if error.validator == "required" and isinstance(instance, dict):
        line = getattr(instance, "line", 0) or line_of(doc, path)
        for key in required:
            if key not in instance:
                yield Issue(file, line, where, f"missing required key {key!r}")
        return
    yield Issue(file, line_of(doc, path), where, _reason(error))


def _key_line(instance: dict[Any, Any], key: Any) -> int:
    if isinstance(instance, LDict):
        return instance.key_lines.get(key, instance.line)
    return 1


def _unknown_key(key: Any, allowed: list[str]) -> str:
    reason = f"unknown key {key!r}"
    close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.75)
    return f"{reason} (did you mean {close[0]!r}?)" if close else reason


def _reason(error: ValidationError) -> str:
    kind = error.validator
    value: Any = error.validator_value
    schema: Any = error.schema
    custom = schema.get("errorMessage") if isinstance(schema, dict) else None
    if kind == "type":
        types = [value] if isinstance(value, str) else list(value)
        return "expected " + _join_or(_TYPE_WORDS.get(t, t) for t in types)
    if kind in ("enum", "const"):
        options = [value] if kind == "const" else list(value)
        if len(options) == 1:
            return f"must be {_show(options[0])}"
        return "must be one of: " + ", ".join(_show(o) for o in options)
    if kind == "maxLength":
        return f"must be at most {value} characters"
    if kind == "minLength":
        return "must not be empty" if value == 1 else f"must be at least {value} characters"
    if kind == "maxItems":
        return f"must have at most {value} items"
    if kind == "minItems":
        return f"must have at least {value} items"
    if kind == "uniqueItems":
        return _duplicate_item(list(error.instance))  # type: ignore[arg-type]
    if kind == "minimum":
        return f"must be at least {value}"
    if kind == "maximum":
        return f"must be at most {value}"
    if custom:
        return str(custom)
    if kind == "pattern":
        return f"must match the pattern {value}"
    if kind == "dependencies":
        missing = [d for d in value.get(_dependent(error), [])]
        return f"needs {', '.join(repr(m) for m in missing)} as well" if missing else "incomplete"
    # jsonschema's own messages repeat the value, which may hold a secret: never show them.
    return f"does not satisfy the schema ({kind})"


def _dependent(error: ValidationError) -> str:
    """The key whose presence required others (the first one present in the instance)."""
    instance = error.instance if isinstance(error.instance, dict) else {}
    keys: Any = error.validator_value
    return next((k for k in keys if k in instance), "")


def _duplicate_item(items: list[Any]) -> str:
    seen: list[Any] = []
    for item in items:
        if item in seen:
            shown = repr(item) if isinstance(item, str) else _show(item)
            return f"{shown} appears more than once"
        seen.append(item)
    return "must not contain duplicates"  # pragma: no cover - jsonschema found one


def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _join_or(words: Iterable[str]) -> str:
    items = list(words)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]
