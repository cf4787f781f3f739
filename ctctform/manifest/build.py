"""Merging the files' documents into a Manifest, collecting issues instead of stopping.

Runs after the schema check of each file, so it can rely on the shapes the schema enforces
and skip (silently) what the schema already reported.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ctctform.manifest import checks
from ctctform.manifest.catalog import ManifestKind
from ctctform.manifest.declared import Declared
from ctctform.manifest.model import (
    Issue,
    Location,
    Manifest,
    Ref,
    Resource,
    Selector,
    Settings,
    Shape,
)
from ctctform.manifest.refs import check_text, expand_vars, find_refs, unescape
from ctctform.manifest.yamlload import LDict, LList, format_path

RENAMED_FROM, PROTECT = "renamed_from", "protect"
Path_ = tuple[str | int, ...]


class Builder:
    def __init__(
        self,
        docs: list[tuple[str, LDict]],
        overrides: Mapping[str, Any],
        kinds: Sequence[ManifestKind],
    ) -> None:
        self.docs = docs
        self.overrides = overrides
        self.kinds = kinds
        self.ref_kinds = {k.ref: k.name for k in kinds if k.ref}
        self.issues: list[Issue] = []
        self.vars: dict[str, str] = {}

    def build(self, files: list[str]) -> Manifest:
        self._check_version(files)
        self.vars = self._merge_vars()
        prune = self._merge_prune()
        settings = self._merge_settings()
        everything: list[Declared] = []
        for kind in self.kinds:
            decls = self._declare(kind)
            self.issues += checks.check_keys(kind, decls)
            self.issues += checks.check_identities(kind, decls)
            self.issues += checks.check_count(kind, decls)
            self.issues += kind.check(decls)
            everything += decls
        errors, warnings = checks.check_references(everything, self.ref_kinds)
        self.issues += errors
        for kind in self.kinds:
            if kind.ref and kind.reference_fields:
                self.issues += checks.check_reference_cycles(everything, kind.name, kind.ref)
        resources: dict[str, list[Resource]] = {kind.name: [] for kind in self.kinds}
        for decl in everything:
            resources[decl.resource.kind].append(decl.resource)
        return Manifest(
            resources=resources,
            prune=prune,
            vars=dict(self.vars),
            files=files,
            warnings=[str(w) for w in sorted(warnings)],
            settings=settings,
        )

    # -- top-level keys -------------------------------------------------------------------

    def _check_version(self, files: list[str]) -> None:
        if self.docs and not any("version" in doc for _, doc in self.docs):
            reason = "missing required key 'version' (declare version: 1 in one file)"
            self.issues.append(Issue(files[0], 1, "", reason))

    def _sections(self, key: str) -> list[tuple[str, LDict]]:
        return [(d, doc[key]) for d, doc in self.docs if isinstance(doc.get(key), LDict)]

    def _first_place(
        self, first: dict[str, str], name: str, display: str, line: int, what: str = ""
    ) -> bool:
        """Record where a top-level setting was made; False (and an issue) if made twice."""
        if name in first:
            reason = f"{what or name} is also {'declared' if what else 'set'} at {first[name]}"
            self.issues.append(Issue(display, line, name, reason))
            return False
        first[name] = f"{display}:{line}"
        return True

    def _merge_vars(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        first: dict[str, str] = {}
        for display, section in self._sections("vars"):
            for name, value in section.items():
                line = section.key_lines[name]
                if not self._first_place(first, f"vars.{name}", display, line, f"var {name!r}"):
                    continue
                if isinstance(value, str | int | float | bool):
                    merged[str(name)] = _var_text(value)
        merged.update({str(k): _var_text(v) for k, v in self.overrides.items()})
        return merged

    def _merge_prune(self) -> dict[str, bool]:
        prune = {kind.name: False for kind in self.kinds if kind.prunable}
        first: dict[str, str] = {}
        for display, section in self._sections("prune"):
            for kind, value in section.items():
                if kind not in prune or not isinstance(value, bool):
                    continue  # reported by the schema
                if self._first_place(first, f"prune.{kind}", display, section.key_lines[kind]):
                    prune[kind] = value
        return prune

    def _merge_settings(self) -> Settings:
        settings = Settings()
        first: dict[str, str] = {}
        for display, section in self._sections("settings"):
            for name, value in section.items():
                line = section.key_lines[name]
                if not self._first_place(first, f"settings.{name}", display, line):
                    continue
                settings.location[name] = Location(display, line)
                if name in ("max_deletes", "max_delete_percent") and isinstance(value, int | float):
                    setattr(settings, name, value)
                elif name in ("allow_delete", "allow_replace") and isinstance(value, list):
                    lines = getattr(value, "item_lines", None) or [line] * len(value)
                    texts = [
                        self._text(v, display, ln, ("settings", name, i), False, None)
                        if isinstance(v, str)
                        else v
                        for i, (v, ln) in enumerate(zip(value, lines, strict=True))
                    ]  # `${var:..}` holds here as anywhere else
                    getattr(settings, name).extend(_selectors(texts))
        return settings

    # -- resources --------------------------------------------------------------------------

    def _declare(self, kind: ManifestKind) -> list[Declared]:
        out: list[Declared] = []
        for display, doc in self.docs:
            section = doc.get(kind.name)
            if kind.shape is Shape.SINGLETON:
                if isinstance(section, LDict):
                    out.append(self._singleton(kind, display, doc, section))
                continue
            if not isinstance(section, LList):
                continue
            for index, item in enumerate(section):
                line = section.item_lines[index]
                if kind.shape is Shape.VALUES and isinstance(item, str):
                    out.append(self._value(kind, display, index, item, line))
                elif kind.shape is Shape.COLLECTION and isinstance(item, LDict):
                    decl = self._resource(kind, display, index, item)
                    if decl is not None:
                        out.append(decl)
        return out

    def _new(
        self, kind: ManifestKind, key: str, display: str, line: int, path: Path_, **kw: Any
    ) -> Declared:
        resource = Resource(kind.name, key, {}, location=Location(display, line))
        return Declared(resource=resource, path=path, noun=kind.noun, **kw)

    def _singleton(self, kind: ManifestKind, display: str, doc: LDict, item: LDict) -> Declared:
        line = doc.key_lines[kind.name]
        decl = self._new(
            kind, kind.name, display, line, (kind.name,), key_field="", key_line=line,
            key_raw=kind.name, raw=item,
        )  # fmt: skip
        self._fill(kind, decl, item, display, (kind.name,))
        return decl

    def _value(self, kind: ManifestKind, display: str, index: int, raw: str, line: int) -> Declared:
        path: Path_ = (kind.name, index)
        key = self._text(raw, display, line, path, False, None)
        return self._new(kind, key, display, line, path, key_field="", key_line=line, key_raw=raw)

    def _resource(
        self, kind: ManifestKind, display: str, index: int, item: LDict
    ) -> Declared | None:
        found = kind.identity_of(item)
        if found is None:
            return None  # missing or mistyped identity: the schema reported it
        raw, key_field = found
        key_line = item.value_lines[key_field]
        path: Path_ = (kind.name, index)
        written = item[key_field]
        key = raw
        if isinstance(written, str):  # a name that may use vars (not a topic number)
            key = self._text(raw, display, key_line, (*path, key_field), False, None)
        decl = self._new(
            kind, key, display, item.line, path, key_field=key_field, key_line=key_line,
            key_raw=str(written), raw=item,
        )  # fmt: skip
        self._fill(kind, decl, item, display, path)
        return decl

    def _fill(
        self, kind: ManifestKind, decl: Declared, item: LDict, display: str, base: Path_
    ) -> None:
        res = decl.resource
        for name, value in item.items():
            line = item.value_lines[name]
            decl.field_lines[name] = line
            path = (*base, name)
            if name == decl.key_field:
                continue  # the identity, already in res.key
            if kind.shape is Shape.COLLECTION and name == PROTECT:
                res.protect = value is True
            elif kind.shape is Shape.COLLECTION and name == RENAMED_FROM:
                self._renamed_from(decl, value, line, display, path)
            elif name in kind.reference_fields:
                res.spec[name] = self._resolve(value, display, line, path, True, decl)
            elif name in kind.json_fields and isinstance(value, str):
                parsed = self._json_field(value, display, line, path, decl)
                res.spec[kind.json_fields[name]] = parsed
            else:
                res.spec[name] = self._resolve(value, display, line, path, False, decl)
        kind.normalize_spec(res)
        res.refs = _unique(res.refs)

    def _renamed_from(
        self, decl: Declared, value: Any, line: int, display: str, path: Path_
    ) -> None:
        if isinstance(value, str):
            entries, lines = [value], [line]
        elif isinstance(value, LList):
            entries, lines = list(value), list(value.item_lines)
        else:
            return
        for index, (entry, entry_line) in enumerate(zip(entries, lines, strict=True)):
            if isinstance(entry, str):
                sub = path if isinstance(value, str) else (*path, index)
                decl.resource.renamed_from.append(
                    self._text(entry, display, entry_line, sub, False, None)
                )
                decl.renamed_lines.append(entry_line)

    def _json_field(self, text: str, display: str, line: int, path: Path_, decl: Declared) -> Any:
        expanded, missing = expand_vars(text, self.vars)
        if missing:
            self._missing_vars(missing, display, line, path)
            return None
        reason = None
        try:
            parsed = json.loads(expanded, parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            reason = f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        except ValueError as exc:
            reason = f"not valid JSON: {exc}"
        except RecursionError:
            reason = "not valid JSON: nested too deep"
        if reason is None and not isinstance(parsed, dict):
            reason = "must be a JSON object ({...})"
        if reason is not None:
            if expanded != text:
                reason += " (after substituting vars)"
            self.issues.append(Issue(display, line, format_path(path), reason))
            return None
        before = len(decl.resource.refs)
        resolved = self._resolve(parsed, display, line, path, True, decl, vars_done=True)
        written = _refs_written(text)
        for ref in _unique(decl.resource.refs[before:]):
            if written is not None and not any(w.fullmatch(str(ref)) for w in written):
                # Made by a var's value (through a JSON escape, `\u0024{tag:VIP}`), not
                # written: a value (a client's organization name, say) is never a reference.
                reason = f"{ref} must be written in the JSON itself, not made by a var's value"
                self.issues.append(Issue(display, line, format_path(path), reason))
        return resolved

    def _resolve(
        self,
        value: Any,
        display: str,
        line: int,
        path: Path_,
        in_criteria: bool,
        decl: Declared | None,
        vars_done: bool = False,
    ) -> Any:
        """A plain copy of `value` with vars substituted in every string (see refs.py).

        Lines come from LDict/LList; parsed JSON has none, so its parts share `line`.
        """
        stack_depth = len(path)
        if stack_depth > 80:  # YAML nesting is capped at load; JSON text is not
            self.issues.append(Issue(display, line, format_path(path[:6]), "nested too deep"))
            return None
        if isinstance(value, str):
            if "${" not in value:  # the common case: nothing to substitute
                return value
            return self._text(value, display, line, path, in_criteria, decl, vars_done)
        if isinstance(value, dict):
            lines = value.value_lines if isinstance(value, LDict) else {}
            return {
                k: self._resolve(
                    v, display, lines.get(k, line), (*path, k), in_criteria, decl, vars_done
                )
                for k, v in value.items()
            }
        if isinstance(value, list):
            lines_l = value.item_lines if isinstance(value, LList) else [line] * len(value)
            return [
                self._resolve(v, display, ln, (*path, i), in_criteria, decl, vars_done)
                for i, (v, ln) in enumerate(zip(value, lines_l, strict=True))
            ]
        return value

    def _text(
        self,
        text: str,
        display: str,
        line: int,
        path: Path_,
        in_criteria: bool,
        decl: Declared | None,
        vars_done: bool = False,
    ) -> str:
        if "${" not in text:
            return text
        expanded = text
        if not vars_done:
            expanded, missing = expand_vars(text, self.vars)
            if missing:
                self._missing_vars(missing, display, line, path)
                return text
        refs, problems = check_text(expanded, in_criteria, self.ref_kinds)
        for reason in problems:
            self.issues.append(Issue(display, line, format_path(path), reason))
        if not in_criteria:
            return unescape(expanded)
        if decl is not None:
            decl.resource.refs.extend(refs)
            decl.ref_sites.extend((ref, line, path) for ref in _unique(refs))
        return expanded

    def _missing_vars(self, names: list[str], display: str, line: int, path: Path_) -> None:
        for name in dict.fromkeys(names):
            reason = f"${{var:{name}}} has no value (set it under vars: or pass --var {name}=...)"
            self.issues.append(Issue(display, line, format_path(path), reason))


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON can carry; use a finite number or a string")


def _selectors(values: list[Any]) -> list[Selector]:
    out = []
    for text in values:
        if isinstance(text, str):
            kind, sep, name = text.partition(":")
            out.append(Selector(kind, name if sep else None))
    return out


def _refs_written(text: str) -> list[re.Pattern[str]] | None:
    """The references the criteria JSON itself holds, as patterns: each `${var:..}` is
    blanked out (as digits, valid JSON inside a string or out) and, inside a reference's name
    (`${tag:${var:vip}}`), stands for any text. None when that text does not parse."""
    try:
        parsed = json.loads(_A_VAR.sub(_BLANK, text), parse_constant=_no_constant)
    except (ValueError, RecursionError):
        return None
    return [
        re.compile(re.escape(str(ref)).replace(_BLANK, ".*"), re.DOTALL)
        for ref in find_refs(parsed)
    ]


_A_VAR = re.compile(r"\$\{var:[^}]*\}")
_BLANK = "90210902109021"


def _var_text(value: Any) -> str:
    # Booleans as YAML/JSON spell them, so `${var:flag}` in criteria_json stays valid JSON.
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _unique(refs: list[Ref]) -> list[Ref]:
    return list(dict.fromkeys(refs))
