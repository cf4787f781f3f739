"""Nested values (segment criteria) as indented YAML-like lines, only the changed leaves
marked: the reader sees the whole structure and where in it the change is, not a list of
paths. Ids of live resources are followed by the resource's name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ctctform.manifest.refs import Unresolved

Line = tuple[str, str]  # (mark: "+", "-", "~" or " ", text with its indentation)
MISSING = object()
STEP = "  "


def scalar(value: Any, names: Mapping[str, str]) -> str:
    if isinstance(value, Unresolved):
        return str(value)
    text = json.dumps(value, ensure_ascii=False)
    name = names.get(str(value)) if isinstance(value, str | int) else None
    if name:
        kind, _, key = name.partition(":")
        text += f" ({kind} {key})"
    return text


def _container(value: Any) -> bool:
    return isinstance(value, dict | list) and bool(value)


def tree_lines(before: Any, after: Any, names: Mapping[str, str], indent: str = "") -> list[Line]:
    """`after` as YAML-like lines against `before` (MISSING when the whole value is new)."""
    if isinstance(before, dict) and isinstance(after, dict):
        return _mapping(before, after, names, indent)
    if isinstance(before, list) and isinstance(after, list):
        return _sequence(before, after, names, indent)
    raise TypeError("tree_lines compares two mappings or two lists")


def _entry(
    label: str, before: Any, after: Any, names: Mapping[str, str], indent: str
) -> list[Line]:
    """One key (or list item): unchanged, changed in place, added or removed."""
    if before is MISSING:
        return _whole("+", label, after, names, indent)
    if after is MISSING:
        return _whole("-", label, before, names, indent)
    same_shape = type(before) is type(after) and _container(before) and _container(after)
    if same_shape:
        return [(" ", f"{indent}{label}")] + tree_lines(before, after, names, indent + STEP)
    if before == after:
        return _whole(" ", label, after, names, indent)
    if _container(before) or _container(after):
        return _whole("-", label, before, names, indent) + _whole("+", label, after, names, indent)
    return [("~", f"{indent}{label} {scalar(before, names)} -> {scalar(after, names)}")]


def _whole(mark: str, label: str, value: Any, names: Mapping[str, str], indent: str) -> list[Line]:
    """A value shown as it is, every line with the same mark."""
    if not _container(value):
        return [(mark, f"{indent}{label} {scalar(value, names)}")]
    inner = tree_lines(value, value, names, indent + STEP)
    return [(mark, f"{indent}{label}")] + [(mark, text) for _, text in inner]


def _mapping(
    before: dict[str, Any], after: dict[str, Any], names: Mapping[str, str], indent: str
) -> list[Line]:
    keys = list(after) + [k for k in before if k not in after]
    out: list[Line] = []
    for key in keys:
        out += _entry(f"{key}:", before.get(key, MISSING), after.get(key, MISSING), names, indent)
    return out


def _sequence(
    before: list[Any], after: list[Any], names: Mapping[str, str], indent: str
) -> list[Line]:
    out: list[Line] = []
    for index in range(max(len(before), len(after))):
        old = before[index] if index < len(before) else MISSING
        new = after[index] if index < len(after) else MISSING
        out += _item(old, new, names, indent)
    return out


def _item(before: Any, after: Any, names: Mapping[str, str], indent: str) -> list[Line]:
    """A list item: a mapping's first key goes on the dash line, as YAML writes it."""
    lines = _entry("-", before, after, names, indent)
    if len(lines) > 1 and lines[0][1].strip() == "-" and lines[1][1].startswith(indent + STEP):
        mark, first = lines[1]
        head_mark = lines[0][0] if lines[0][0] != " " else mark
        lines = [(head_mark, f"{indent}- {first[len(indent) + len(STEP) :]}")] + lines[2:]
    return lines
