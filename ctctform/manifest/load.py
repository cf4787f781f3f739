"""`load_manifest`: files -> YAML with lines -> schema -> vars -> resources -> checks."""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ctctform.manifest import checks
from ctctform.manifest.checks import Declared
from ctctform.manifest.model import (
    IDENTITY_KEYS,
    KINDS,
    TOPIC_IDS,
    WEBHOOK_TOPICS,
    Issue,
    Location,
    Manifest,
    ManifestError,
    Ref,
    Resource,
)
from ctctform.manifest.refs import check_text, expand_vars, unescape
from ctctform.manifest.schema import validate_document
from ctctform.manifest.yamlload import LDict, LList, YamlFileError, format_path, read_yaml

SUFFIXES = (".yaml", ".yml")
TOPIC_FIELDS = ("topic", "topic_id")


def load_manifest(path: str | Path, variables: Mapping[str, str] | None = None) -> Manifest:
    """Load, merge and validate a manifest file or directory; raise ManifestError listing
    every problem. `variables` (per account, `--var`) override the files' `vars`.
    """
    with _no_gc_pauses():
        return _load(path, variables)


@contextlib.contextmanager
def _no_gc_pauses() -> Iterator[None]:
    # Loading allocates ~100k containers and makes no reference cycles; the cyclic collector
    # would rescan the growing heap again and again for nothing (it was half the load time).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _load(path: str | Path, variables: Mapping[str, str] | None) -> Manifest:
    issues: list[Issue] = []
    docs: list[tuple[str, LDict]] = []
    files = manifest_files(path)
    for file_path, display in files:
        doc = _load_document(file_path, display, issues)
        if doc is not None:
            issues.extend(validate_document(doc, display))
            docs.append((display, doc))
    builder = _Builder(docs, variables or {})
    manifest = builder.build([display for _, display in files])
    issues.extend(builder.issues)
    if issues:
        raise ManifestError([str(issue) for issue in sorted(set(issues))])
    return manifest


def manifest_files(path: str | Path) -> list[tuple[Path, str]]:
    """(path, path to show) of each file: the file itself, or a directory's *.yaml/*.yml files
    sorted by name (not recursive; hidden files skipped)."""
    given = Path(path)
    if given.is_dir():
        names = sorted(
            entry.name
            for entry in given.iterdir()
            if entry.suffix in SUFFIXES and not entry.name.startswith(".") and entry.is_file()
        )
        if not names:
            raise ManifestError([f"{given}:1: no *.yaml or *.yml files in this directory"])
        return [(given / name, str(given / name)) for name in names]
    if not given.exists():
        raise ManifestError([f"{given}:1: no such file or directory"])
    return [(given, str(given))]


def _load_document(file_path: Path, display: str, issues: list[Issue]) -> LDict | None:
    try:
        data, problems = read_yaml(file_path, display)
    except YamlFileError as exc:
        issues.append(exc.issue)
        return None
    issues.extend(problems)
    if data is None:  # an empty file (or only comments) declares nothing
        return LDict(1)
    if not isinstance(data, LDict):
        line = getattr(data, "line", 1)
        reason = "expected a mapping of top-level keys (version, lists, tags, ...)"
        issues.append(Issue(display, line, "", reason))
        return None
    return data


class _Builder:
    """Merges the files' documents into a Manifest, collecting issues instead of stopping."""

    def __init__(self, docs: list[tuple[str, LDict]], overrides: Mapping[str, Any]) -> None:
        self.docs = docs
        self.overrides = overrides
        self.issues: list[Issue] = []
        self.vars: dict[str, str] = {}

    def build(self, files: list[str]) -> Manifest:
        self._check_version(files)
        self.vars = self._merge_vars()
        prune = self._merge_prune()
        decls = [decl for kind in KINDS for decl in self._declare(kind)]
        self.issues += checks.check_keys(decls)
        self.issues += checks.check_identities(decls)
        self.issues += checks.check_choices(decls)
        errors, warnings = checks.check_references(decls)
        self.issues += errors
        resources: dict[str, list[Resource]] = {kind: [] for kind in KINDS}
        for decl in decls:
            resources[decl.resource.kind].append(decl.resource)
        return Manifest(
            resources=resources,
            prune=prune,
            vars=dict(self.vars),
            files=files,
            warnings=[str(w) for w in sorted(warnings)],
        )

    # -- top-level keys -------------------------------------------------------------------

    def _check_version(self, files: list[str]) -> None:
        if self.docs and not any("version" in doc for _, doc in self.docs):
            reason = "missing required key 'version' (declare version: 1 in one file)"
            self.issues.append(Issue(files[0], 1, "", reason))

    def _merge_vars(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        first: dict[str, str] = {}
        for display, doc in self.docs:
            section = doc.get("vars")
            if not isinstance(section, LDict):
                continue
            for name, value in section.items():
                line = section.key_lines[name]
                if name in first:
                    reason = f"var {name!r} is also declared at {first[name]}"
                    self.issues.append(Issue(display, line, format_path(("vars", name)), reason))
                    continue
                first[name] = f"{display}:{line}"
                if isinstance(value, str | int | float | bool):
                    merged[str(name)] = _var_text(value)
        merged.update({str(k): _var_text(v) for k, v in self.overrides.items()})
        return merged

    def _merge_prune(self) -> dict[str, bool]:
        prune = {kind: False for kind in KINDS}
        first: dict[str, str] = {}
        for display, doc in self.docs:
            section = doc.get("prune")
            if not isinstance(section, LDict):
                continue
            for kind, value in section.items():
                if kind not in prune or not isinstance(value, bool):
                    continue  # reported by the schema
                line = section.key_lines[kind]
                if kind in first:
                    reason = f"prune.{kind} is also set at {first[kind]}"
                    self.issues.append(Issue(display, line, f"prune.{kind}", reason))
                    continue
                first[kind] = f"{display}:{line}"
                prune[kind] = value
        return prune

    # -- resources --------------------------------------------------------------------------

    def _declare(self, kind: str) -> list[Declared]:
        out: list[Declared] = []
        for display, doc in self.docs:
            items = doc.get(kind)
            if not isinstance(items, LList):
                continue
            for index, item in enumerate(items):
                if isinstance(item, LDict):
                    decl = self._resource(kind, display, index, item)
                    if decl is not None:
                        out.append(decl)
        return out

    def _resource(self, kind: str, display: str, index: int, item: LDict) -> Declared | None:
        base = (kind, index)
        identity = _identity_field(kind, item)
        if identity is None:
            return None  # missing or mistyped identity: the schema reported it
        raw = item[identity]
        key_line = item.value_lines[identity]
        if kind == "webhooks":
            key = raw if identity == "topic" else WEBHOOK_TOPICS[int(raw)]
        else:
            key = self._text(raw, display, key_line, (*base, identity), False, None)
        decl = Declared(
            resource=Resource(kind, key, {}, location=Location(display, item.line)),
            path=base,
            key_field=identity,
            key_line=key_line,
            key_raw=str(raw),
        )
        self._fill(decl, item, display, base)
        return decl

    def _fill(self, decl: Declared, item: LDict, display: str, base: tuple) -> None:
        res = decl.resource
        for name, value in item.items():
            line = item.value_lines[name]
            decl.field_lines[name] = line
            path = (*base, name)
            if name == decl.key_field or (res.kind == "webhooks" and name in TOPIC_FIELDS):
                continue  # the identity, already in res.key (and topic_id added below)
            if name == "protect":
                res.protect = value is True
            elif name == "renamed_from":
                self._renamed_from(decl, value, line, display, path)
            elif name == "criteria":
                res.spec["criteria"] = self._resolve(value, display, line, path, True, decl)
            elif name == "criteria_json" and isinstance(value, str):
                res.spec["criteria"] = self._criteria_json(value, display, line, path, decl)
            else:
                res.spec[name] = self._resolve(value, display, line, path, False, decl)
        if res.kind == "webhooks":
            res.spec["topic_id"] = TOPIC_IDS[res.key]
        res.refs = _unique(res.refs)

    def _renamed_from(
        self, decl: Declared, value: Any, line: int, display: str, path: tuple
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

    def _criteria_json(
        self, text: str, display: str, line: int, path: tuple, decl: Declared
    ) -> Any:
        expanded, missing = expand_vars(text, self.vars)
        if missing:
            self._missing_vars(missing, display, line, path)
            return None
        try:
            parsed = json.loads(expanded)
        except json.JSONDecodeError as exc:
            reason = f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            if expanded != text:
                reason += " (after substituting vars)"
            self.issues.append(Issue(display, line, format_path(path), reason))
            return None
        if not isinstance(parsed, dict):
            reason = "must be a JSON object ({...})"
            self.issues.append(Issue(display, line, format_path(path), reason))
            return None
        return self._resolve(parsed, display, line, path, True, decl, vars_done=True)

    def _resolve(
        self,
        value: Any,
        display: str,
        line: int,
        path: tuple,
        in_criteria: bool,
        decl: Declared | None,
        vars_done: bool = False,
    ) -> Any:
        """A plain copy of `value` with vars substituted in every string (see refs.py).

        Lines come from LDict/LList; parsed criteria_json has none, so its parts share `line`.
        """
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
        path: tuple,
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
        refs, problems = check_text(expanded, in_criteria)
        for reason in problems:
            self.issues.append(Issue(display, line, format_path(path), reason))
        if not in_criteria:
            return unescape(expanded)
        if decl is not None:
            decl.resource.refs.extend(refs)
            decl.ref_sites.extend((ref, line, path) for ref in _unique(refs))
        return expanded

    def _missing_vars(self, names: list[str], display: str, line: int, path: tuple) -> None:
        for name in dict.fromkeys(names):
            reason = f"${{var:{name}}} has no value (set it under vars: or pass --var {name}=...)"
            self.issues.append(Issue(display, line, format_path(path), reason))


def _identity_field(kind: str, item: LDict) -> str | None:
    if kind == "webhooks":
        if isinstance(item.get("topic"), str) and item["topic"] in TOPIC_IDS:
            return "topic"
        topic_id = item.get("topic_id")
        # JSON Schema counts 1.0 as an integer, so the schema lets it through.
        if isinstance(topic_id, int | float) and not isinstance(topic_id, bool):
            return "topic_id" if topic_id in WEBHOOK_TOPICS else None
        return None
    key = IDENTITY_KEYS[kind]
    return key if isinstance(item.get(key), str) else None


def _var_text(value: Any) -> str:
    # Booleans as YAML/JSON spell them, so `${var:flag}` in criteria_json stays valid JSON.
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _unique(refs: list[Ref]) -> list[Ref]:
    return list(dict.fromkeys(refs))
