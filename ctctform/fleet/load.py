"""Loading a fleet file: bounded reading, the schema with located errors, then the entries.

Secrets come only from the environment (`${env:NAME}` in `provision`), and only when an
account is actually created (`provision.resolved_body`): validating a fleet, or planning one whose
accounts all exist, needs no password, so it runs on pull requests that get no secrets.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from ctctform.fleet.model import Entry, Fleet, Select
from ctctform.fleet.schema import fleet_schema, schema_text
from ctctform.manifest import Issue, Location, ManifestError
from ctctform.manifest.files import MAX_FILE_BYTES, read_bounded
from ctctform.manifest.schema import SchemaChecker, checker_for
from ctctform.manifest.yamlload import LDict, LList, YamlFileError, read_yaml


@functools.cache
def _checker() -> SchemaChecker:
    return checker_for(schema_text(fleet_schema()))


def load_fleet(path: str | Path) -> Fleet:
    path = Path(path)
    if not path.is_file():
        raise ManifestError([f"{path}:1: no such fleet file"])
    display = str(path)
    try:
        doc, problems = read_yaml(read_bounded(path, display, [MAX_FILE_BYTES]), display)
    except YamlFileError as exc:
        raise ManifestError([str(exc.issue)]) from None
    issues = list(problems)
    if not isinstance(doc, LDict):
        raise ManifestError([f"{display}:1: a fleet file is a mapping (version, manifests, ...)"])
    issues += _checker().issues(doc, display)
    if issues:
        raise ManifestError([str(i) for i in sorted(set(issues))])
    builder = _Builder(path, display)
    fleet = builder.build(doc)
    if builder.issues:
        raise ManifestError([str(i) for i in sorted(set(builder.issues))])
    return fleet


class _Builder:
    def __init__(self, path: Path, display: str) -> None:
        self.base = path.parent
        self.display = display
        self.issues: list[Issue] = []

    def build(self, doc: LDict) -> Fleet:
        select = None
        if isinstance(doc.get("select"), LDict):
            s = doc["select"]
            select = Select(
                account_type=s.get("account_type", "managed"),
                include=tuple(s.get("include") or ("*",)),
                exclude=tuple(s.get("exclude") or ()),
            )
        entries = [self._entry(e) for e in doc.get("accounts") or [] if isinstance(e, LDict)]
        self._duplicates(entries)
        return Fleet(
            path=Path(self.display),
            manifests=self._paths(doc, "manifests"),
            select=select,
            entries=entries,
            vars={str(k): _text(v) for k, v in (doc.get("vars") or {}).items()},
        )

    def _paths(self, item: LDict, key: str) -> list[Path]:
        values = item.get(key)
        if not isinstance(values, LList):
            return []
        out = []
        for value, line in zip(values, values.item_lines, strict=True):
            target = self.base / str(value)
            if not target.exists():
                reason = f"{value!r} does not exist (paths are relative to the fleet file)"
                self.issues.append(Issue(self.display, line, key, reason))
            out.append(target)
        return out

    def _entry(self, item: LDict) -> Entry:
        entry = Entry(
            location=Location(self.display, item.line),
            encoded_account_id=item.get("encoded_account_id"),
            login_name=item.get("login_name"),
            manifests=self._paths(item, "manifests"),
            vars={str(k): _text(v) for k, v in (item.get("vars") or {}).items()},
        )
        if isinstance(item.get("provision"), LDict):
            body = item["provision"]
            entry.provision = dict(body)
            entry.provision_lines = {str(k): body.value_lines.get(k, item.line) for k in body}
        if isinstance(item.get("plan"), LDict):
            entry.plan = dict(item["plan"])
        return entry

    def _duplicates(self, entries: list[Entry]) -> None:
        seen: dict[str, Entry] = {}
        for entry in entries:
            first = seen.setdefault(entry.key, entry)
            if first is not entry:
                reason = f"{entry.key} is also described at {first.location}"
                self.issues.append(Issue(self.display, entry.location.line, "accounts", reason))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
