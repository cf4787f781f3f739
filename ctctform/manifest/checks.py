"""Semantic checks that JSON Schema cannot express: identities, renames, references, counts.

They run on resources after `${var:..}` substitution, so they see the names the account will
see. Checks that belong to one kind (its documented limits) live in that kind's module
(`Kind.check`); the ones here read kind facts (identity, length limits, reference prefix,
the API's derived name) through the `ManifestKind` protocol. Each returns issues; the loader
reports them all at once.
"""

from __future__ import annotations

import graphlib
from collections.abc import Iterable, Mapping, Sequence

from ctctform.manifest.catalog import ManifestKind
from ctctform.manifest.declared import Declared
from ctctform.manifest.model import Issue, Location
from ctctform.manifest.yamlload import format_path


def _place(decl: Declared) -> str:
    return str(Location(decl.file, decl.key_line))


def text_limit(decl: Declared, name: str, limit: int) -> Issue | None:
    """A text field that var substitution made longer than the API allows (the schema has
    already checked the text as written)."""
    value, raw = decl.resource.spec.get(name), decl.raw.get(name)
    if not isinstance(value, str) or len(value) <= limit:
        return None
    if isinstance(raw, str) and "${" not in raw:
        return None  # the schema reported it as written
    line = decl.field_lines.get(name, decl.key_line)
    reason = f"must be at most {limit} characters (is {len(value)} after substituting vars)"
    return decl.at(line, f"{decl.where}.{name}", reason)


def check_keys(kind: ManifestKind, decls: Iterable[Declared]) -> list[Issue]:
    """Names that grew too long or empty through var substitution."""
    issues: list[Issue] = []
    for decl in decls:
        res = decl.resource
        substituted = res.key != decl.key_raw
        where = decl.key_where
        after = " after substituting vars" if substituted else ""
        limit = kind.identity_max
        if not res.key.strip() and (res.key or substituted):
            # The schema rejects "" as written; blanks and emptied vars get here. The API
            # refuses blank names, so catch them before any write.
            word = "blank" if res.key else "empty"
            issues.append(decl.at(decl.key_line, where, f"must not be {word}{after}"))
        elif substituted and limit and len(res.key) > limit:
            reason = f"must be at most {limit} characters (is {len(res.key)}{after})"
            issues.append(decl.at(decl.key_line, where, reason))
    return issues


def check_count(kind: ManifestKind, decls: Sequence[Declared]) -> list[Issue]:
    """More resources of a kind than an account can hold: the API would refuse the last."""
    limit = kind.max_count
    if limit is None or len(decls) <= limit:
        return []
    first_over = decls[limit]
    reason = (
        f"the manifest declares {len(decls)} {kind.name}; an account holds at most {limit} "
        f"(this is number {limit + 1})"
    )
    return [first_over.at(first_over.key_line, first_over.where, reason)]


def check_identities(kind: ManifestKind, group: list[Declared]) -> list[Issue]:
    """Duplicate identities within a kind, API names that collide, colliding renames."""
    issues: list[Issue] = []
    keys: dict[str, Declared] = {}
    for decl in group:
        first = keys.get(decl.resource.key)
        if first is None:
            keys[decl.resource.key] = decl
            continue
        reason = f"duplicate {decl.label}: also declared at {_place(first)}"
        issues.append(decl.at(decl.key_line, decl.key_where, reason))
    issues += _check_derived_names(kind, group, keys)
    old_names: dict[str, tuple[Declared, int]] = {}
    for decl in group:
        for index, old in enumerate(decl.resource.renamed_from):
            line = decl.renamed_lines[index] if index < len(decl.renamed_lines) else decl.key_line
            where = f"{decl.where}.renamed_from"
            collision = _rename_collision(decl, old, keys, old_names)
            if collision:
                issues.append(decl.at(line, where, collision))
            else:
                old_names[old] = (decl, line)
    return issues


def _check_derived_names(
    kind: ManifestKind, group: list[Declared], keys: dict[str, Declared]
) -> list[Issue]:
    """Identities that differ but that the API keeps as one name (custom field labels `A b`
    and `a_b` both give `a_b`)."""
    issues: list[Issue] = []
    names: dict[str, Declared] = {}
    for decl in group:
        if keys.get(decl.resource.key) is not decl:
            continue  # a duplicate: reported already
        name = kind.unique_name(decl.resource.key)
        first = names.setdefault(name, decl)
        if first is not decl:
            reason = (
                f"{decl.key_field or decl.noun} {decl.resource.key!r} gives the API name {name!r}, like "
                f"{first.resource.key!r} at {_place(first)}; names must be unique"
            )
            issues.append(decl.at(decl.key_line, decl.key_where, reason))
    return issues


def _rename_collision(
    decl: Declared,
    old: str,
    keys: dict[str, Declared],
    old_names: dict[str, tuple[Declared, int]],
) -> str | None:
    if old == decl.resource.key:
        return f"{old!r} is this {decl.noun}'s own name"
    owner = keys.get(old)
    if owner is not None:
        return f"{decl.noun} {old!r} is declared at {_place(owner)}; it cannot also be renamed"
    earlier = old_names.get(old)
    if earlier is not None:
        other, line = earlier
        return f"{old!r} is also in renamed_from of {other.label} at {other.file}:{line}"
    return None


def check_references(
    decls: list[Declared], ref_kinds: Mapping[str, str]
) -> tuple[list[Issue], list[Issue]]:
    """References in segment criteria. Returns (errors, warnings).

    A name not declared here is only a warning: it may exist in the live account, and the
    planner checks it there. A name that a declared resource renames away is an error.
    `ref_kinds` maps reference prefixes to kind names (`list` -> `lists`).
    """
    errors: list[Issue] = []
    warnings: list[Issue] = []
    declared: dict[str, set[str]] = {kind: set() for kind in ref_kinds.values()}
    renamed: dict[tuple[str, str], str] = {}
    for decl in decls:
        res = decl.resource
        if res.kind in declared:
            declared[res.kind].add(res.key)
            for old in res.renamed_from:
                renamed[(res.kind, old)] = res.key
    for decl in decls:
        for ref, line, path in decl.ref_sites:
            kind = ref_kinds[ref.kind]
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
    return errors, warnings


def check_reference_cycles(decls: list[Declared], kind: str, ref: str) -> list[Issue]:
    """Resources of `kind` referring to themselves, directly or through others (segments).

    The planner must create a referenced segment first, so a cycle can never be applied.
    """
    own = {d.resource.key: d for d in decls if d.resource.kind == kind}
    graph = {
        key: {r.name for r, _, _ in d.ref_sites if r.kind == ref and r.name in own}
        for key, d in own.items()
    }
    if not any(graph.values()):
        return []
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        cycle: list[str] = list(reversed(exc.args[1]))
        decl = own[cycle[0]]
        line, path = next(
            (line, path) for r, line, path in decl.ref_sites if r.kind == ref and r.name == cycle[1]
        )
        reason = f"{decl.noun} references form a cycle: " + " -> ".join(cycle)
        return [decl.at(line, format_path(path), reason)]
    return []
