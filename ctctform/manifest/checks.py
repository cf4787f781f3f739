"""Semantic checks that JSON Schema cannot express: identities, renames, references.

They run on resources after `${var:..}` substitution, so they see the names the account will
see. Each check returns issues; the loader reports them all at once.
"""

from __future__ import annotations

import graphlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from ctctform.manifest.model import SINGULAR, Issue, Location, Ref, Resource, custom_field_name
from ctctform.manifest.refs import RESOURCE_REF_KINDS
from ctctform.manifest.yamlload import format_path

# Identity length limits from the API definitions (ListInput, TagPost, CustomFieldRequest).
KEY_LIMITS = {"lists": 255, "tags": 255, "custom_fields": 50}
SELECT_TYPES = ("single_select", "multi_select")
# The spec bounds `type` to 20 characters without an enum; these are the types its
# descriptions and Constant Contact's API guide name (the schema's enum must match).
FIELD_TYPES = ("string", "text_area", "number", "currency", "date", "datetime", "boolean")
FIELD_TYPES += SELECT_TYPES
# CustomFieldRequest.choices: at most 20 for radio/checkbox display types, 100 for dropdown.
CHOICE_LIMITS = {"radio": 20, "checkbox": 20, "dropdown": 100}


@dataclass(slots=True)
class Declared:
    """A resource plus where each of its parts was written, for messages."""

    resource: Resource
    path: tuple[str, int]  # ("tags", 2): formatted only when a message needs it
    key_field: str  # the key the identity came from: name, label, topic or topic_id
    key_line: int
    key_raw: str  # the identity as written, before var substitution
    renamed_lines: list[int] = field(default_factory=list)
    # (reference, line, path) of each resource reference in segment criteria; the path is
    # formatted only when a message needs it
    ref_sites: list[tuple[Ref, int, tuple[str | int, ...]]] = field(default_factory=list)
    field_lines: dict[str, int] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return format_path(self.path)

    @property
    def file(self) -> str:
        return self.resource.location.file

    def at(self, line: int, where: str, reason: str) -> Issue:
        return Issue(self.file, line, where, reason)


def _place(decl: Declared) -> str:
    return str(Location(decl.file, decl.key_line))


def _label(decl: Declared) -> str:
    return f"{SINGULAR[decl.resource.kind]} {decl.resource.key!r}"


def check_keys(decls: Iterable[Declared]) -> list[Issue]:
    """Names that grew too long or empty through var substitution, and bad hook URIs."""
    issues: list[Issue] = []
    for decl in decls:
        res = decl.resource
        limit = KEY_LIMITS.get(res.kind)
        substituted = res.key != decl.key_raw
        where = f"{decl.where}.{decl.key_field}"
        after = " after substituting vars" if substituted else ""
        if not res.key.strip() and (res.key or substituted):
            # The schema rejects "" as written; blanks and emptied vars get here. The API
            # refuses blank names, so catch them before any write.
            word = "blank" if res.key else "empty"
            issues.append(decl.at(decl.key_line, where, f"must not be {word}{after}"))
        elif substituted and limit and len(res.key) > limit:
            reason = f"must be at most {limit} characters (is {len(res.key)}{after})"
            issues.append(decl.at(decl.key_line, where, reason))
        hook = res.spec.get("hook_uri") if res.kind == "webhooks" else None
        if isinstance(hook, str) and not hook.startswith("https://"):
            line = decl.field_lines.get("hook_uri", decl.key_line)
            issues.append(
                decl.at(line, f"{decl.where}.hook_uri", "hook_uri must start with https://")
            )
    return issues


def check_identities(decls: list[Declared]) -> list[Issue]:
    """Duplicate identities within a kind, and `renamed_from` entries that collide."""
    issues: list[Issue] = []
    by_kind: dict[str, list[Declared]] = {}
    for decl in decls:
        by_kind.setdefault(decl.resource.kind, []).append(decl)
    for group in by_kind.values():
        issues.extend(_check_kind_identities(group))
    return issues


def _check_kind_identities(group: list[Declared]) -> list[Issue]:
    issues: list[Issue] = []
    keys: dict[str, Declared] = {}
    for decl in group:
        first = keys.get(decl.resource.key)
        if first is None:
            keys[decl.resource.key] = decl
            continue
        reason = f"duplicate {_label(decl)}: also declared at {_place(first)}"
        issues.append(decl.at(decl.key_line, f"{decl.where}.{decl.key_field}", reason))
    issues += _check_derived_names(group, keys)
    old_names: dict[str, tuple[Declared, int]] = {}
    for decl in group:
        for index, old in enumerate(decl.resource.renamed_from):
            line = decl.renamed_lines[index] if index < len(decl.renamed_lines) else decl.key_line
            where = f"{decl.where}.renamed_from"
            reason = _rename_collision(decl, old, keys, old_names)
            if reason:
                issues.append(decl.at(line, where, reason))
            else:
                old_names[old] = (decl, line)
    return issues


def _check_derived_names(group: list[Declared], keys: dict[str, Declared]) -> list[Issue]:
    """Custom field labels that differ but give the same API `name` (`a b` / `a_b`)."""
    issues: list[Issue] = []
    names: dict[str, Declared] = {}
    for decl in group:
        if decl.resource.kind != "custom_fields" or keys.get(decl.resource.key) is not decl:
            continue
        name = custom_field_name(decl.resource.key)
        first = names.setdefault(name, decl)
        if first is not decl:
            reason = (
                f"label {decl.resource.key!r} gives the API name {name!r}, like "
                f"{first.resource.key!r} at {_place(first)}; names must be unique"
            )
            issues.append(decl.at(decl.key_line, f"{decl.where}.{decl.key_field}", reason))
    return issues


def _rename_collision(
    decl: Declared,
    old: str,
    keys: dict[str, Declared],
    old_names: dict[str, tuple[Declared, int]],
) -> str | None:
    kind = SINGULAR[decl.resource.kind]
    if old == decl.resource.key:
        return f"{old!r} is this {kind}'s own name"
    owner = keys.get(old)
    if owner is not None:
        return f"{kind} {old!r} is declared at {_place(owner)}; it cannot also be renamed"
    earlier = old_names.get(old)
    if earlier is not None:
        other, line = earlier
        return f"{old!r} is also in renamed_from of {_label(other)} at {other.file}:{line}"
    return None


def check_choices(decls: Iterable[Declared]) -> list[Issue]:
    """`choices` only on select types, and no more than the display type allows."""
    issues: list[Issue] = []
    for decl in decls:
        spec = decl.resource.spec
        if decl.resource.kind != "custom_fields" or not isinstance(spec.get("choices"), list):
            continue
        line = decl.field_lines.get("choices", decl.key_line)
        where = f"{decl.where}.choices"
        field_type = spec.get("type")
        if field_type not in FIELD_TYPES:
            continue  # the schema reported the type
        if field_type not in SELECT_TYPES:
            reason = (
                f"choices are only allowed for single_select and multi_select, not {field_type}"
            )
            issues.append(decl.at(line, where, reason))
            continue
        metadata = spec.get("metadata")
        display = metadata.get("display_type") if isinstance(metadata, dict) else None
        limit = CHOICE_LIMITS.get(display) if isinstance(display, str) else None
        if limit and len(spec["choices"]) > limit:
            reason = f"a {display} field has at most {limit} choices (has {len(spec['choices'])})"
            issues.append(decl.at(line, where, reason))
    return issues


def check_references(decls: list[Declared]) -> tuple[list[Issue], list[Issue]]:
    """References in segment criteria. Returns (errors, warnings).

    A name not declared here is only a warning: it may exist in the live account, and the
    planner checks it there. A name that a declared resource renames away is an error.
    """
    errors: list[Issue] = []
    warnings: list[Issue] = []
    declared: dict[str, set[str]] = {kind: set() for kind in RESOURCE_REF_KINDS.values()}
    renamed: dict[tuple[str, str], str] = {}
    for decl in decls:
        res = decl.resource
        if res.kind in declared:
            declared[res.kind].add(res.key)
            for old in res.renamed_from:
                renamed[(res.kind, old)] = res.key
    for decl in decls:
        for ref, line, path in decl.ref_sites:
            kind = RESOURCE_REF_KINDS[ref.kind]
            if ref.name in declared[kind]:
                continue
            where = format_path(path)
            new = renamed.get((kind, ref.name))
            if new is not None:
                reason = (
                    f"{ref} names the old name of {ref.kind} {new!r} (renamed_from); use {new!r}"
                )
                errors.append(decl.at(line, where, reason))
            else:
                reason = f"{ref} is not declared here; it must exist in the account"
                warnings.append(decl.at(line, where, reason))
    errors.extend(_segment_cycles(decls))
    return errors, warnings


def _segment_cycles(decls: list[Declared]) -> list[Issue]:
    """Segments referring to themselves, directly or through other declared segments.

    The planner must create a referenced segment first, so a cycle can never be applied.
    """
    segments = {d.resource.key: d for d in decls if d.resource.kind == "segments"}
    graph = {
        key: {r.name for r, _, _ in d.ref_sites if r.kind == "segment" and r.name in segments}
        for key, d in segments.items()
    }
    if not any(graph.values()):
        return []
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        cycle: list[str] = list(reversed(exc.args[1]))
        decl = segments[cycle[0]]
        line, path = next(
            (line, path)
            for r, line, path in decl.ref_sites
            if r.kind == "segment" and r.name == cycle[1]
        )
        reason = "segment references form a cycle: " + " -> ".join(cycle)
        return [decl.at(line, format_path(path), reason)]
    return []
