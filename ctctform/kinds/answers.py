"""The one checked boundary between what the API answers and what the planner sees.

Every record a kind reads (collection items, details, create and update answers) passes
through `check_records` before it becomes a `Live`: the shape the tool relies on (ids present
and non-empty, identities strings), then uniqueness (two live resources with one name would
make any plan a guess). Anything else is an `AnswerError` naming the request and the item,
which stops the run before any write (a malformed read is never an empty account).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import fastjsonschema

from ctctform.api.errors import AnswerError, check_id

__all__ = ["AnswerError", "check_id", "check_records", "record_id"]


@functools.cache
def _compiled(schema_text: str) -> Callable[[Any], Any]:
    return fastjsonschema.compile(json.loads(schema_text))


def _first_error(schema: dict[str, Any], record: Any) -> str:
    from jsonschema import Draft7Validator  # only on the error path

    error = min(Draft7Validator(schema).iter_errors(record), key=lambda e: len(e.path))
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "a field"
        return f"{where}.{missing} is missing" if where else f"{missing} is missing"
    if error.validator == "type":
        return (
            f"{where or 'the item'} is {_kind_of(error.instance)}, expected {error.validator_value}"
        )
    if error.validator in ("minLength", "minimum"):
        return f"{where} is empty or zero"
    return f"{where}: {error.message[:120]}"


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string"}.get(
        type(value), "a list" if isinstance(value, list) else "an object"
    )


def record_id(record: dict[str, Any], field: str) -> str:
    value = record[field]
    return str(value)


def check_records(
    records: Any,
    schema: dict[str, Any],
    where: str,
    id_field: str,
    key_field: str,
    unique_name: Callable[[str], str],
) -> list[dict[str, Any]]:
    """`records` checked against `schema`, with unique ids and identities; or AnswerError."""
    if not isinstance(records, list):
        raise AnswerError(f"{where}: expected a list of items, got {_kind_of(records)}")
    validate = _compiled(json.dumps(schema, sort_keys=True))
    ids: dict[str, int] = {}
    keys: dict[str, int] = {}
    for index, record in enumerate(records):
        try:
            validate(record)
        except fastjsonschema.JsonSchemaException:
            raise AnswerError(f"{where}: item {index}: {_first_error(schema, record)}") from None
        ident = record_id(record, id_field) if id_field else str(index)
        if not ident.strip() or isinstance(record.get(id_field), bool):
            raise AnswerError(f"{where}: item {index}: {id_field} is empty")
        if id_field:
            check_id(ident, f"{where}: item {index}", id_field)
        if ident in ids:
            raise AnswerError(
                f"{where}: items {ids[ident]} and {index} have the same {id_field} {ident!r}"
            )
        ids[ident] = index
        if key_field:
            key = unique_name(record[key_field])
            if key in keys:
                raise AnswerError(
                    f"{where}: items {keys[key]} and {index} have the same {key_field} "
                    f"{record[key_field]!r}; ctctform cannot tell them apart"
                )
            keys[key] = index
    return records
