"""What the seed modules share: the error, and checks that name the offending item."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .validation import validate


class SeedError(ValueError):
    """Seed data the sandbox cannot load; the message names the item."""


def validate_seed(body: Any, definition: str, where: str | None = None) -> None:
    errors = validate(body, definition)
    if errors:
        message = "; ".join(errors)
        raise SeedError(f"{where}: {message}" if where else message)


def items(data: Mapping[str, Any], key: str, where: str) -> list[Any]:
    found = data.get(key) or []
    if not isinstance(found, list):
        raise SeedError(f"{where}.{key} must be a list")
    return found


def check_keys(item: Any, allowed: set[str], where: str) -> None:
    if not isinstance(item, Mapping):
        raise SeedError(f"{where} must be a mapping")
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise SeedError(f"{where}: unknown key(s) {', '.join(unknown)}")


def flag(item: Mapping[str, Any], key: str) -> bool:
    value = item.get(key, False)
    if not isinstance(value, bool):
        raise SeedError(f"{key} must be true or false")
    return value
