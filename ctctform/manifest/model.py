"""The manifest's data model: what `load_manifest` returns and the planner consumes.

Which kinds exist, and everything about each, is not here: the loader is handed the kinds
(`ctctform.kinds.REGISTRY`) and reads their facts through `catalog.ManifestKind`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ctctform.errors import CtctformError
from ctctform.visible import visible


class Shape(StrEnum):
    """How a kind appears in a manifest and in an account."""

    COLLECTION = "collection"  # a list of mappings, each with an identity field
    SINGLETON = "singleton"  # one mapping per account (account settings)
    VALUES = "values"  # a list of plain strings, each its own identity (sender emails)


@dataclass(frozen=True, slots=True)
class Location:
    """Where a resource (or any node) is declared: the file as given and a 1-based line."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class Ref:
    """One `${kind:name}` reference found in a string."""

    kind: str
    name: str

    def __str__(self) -> str:
        return f"${{{self.kind}:{self.name}}}"


@dataclass(slots=True)
class Resource:
    """One declared resource.

    `spec` holds only the keys the user declared, minus the identity key, `renamed_from` and
    `protect`; `${var:..}` is substituted everywhere. In segment criteria, `${list:..}`-style
    references and `$${` escapes are left as text for `refs.substitute` (see refs.py).
    Singletons have the kind's name as their key; values are their own key.
    """

    kind: str
    key: str
    spec: dict[str, Any]
    renamed_from: list[str] = field(default_factory=list)
    protect: bool = False
    location: Location = Location("<manifest>", 0)
    # References to other resources found in segment criteria, in order of appearance.
    refs: list[Ref] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Selector:
    """`KIND` or `KIND:NAME`, as written in settings and on the command line."""

    kind: str
    name: str | None = None

    def matches(self, kind: str, key: str) -> bool:
        return self.kind == kind and (self.name is None or self.name == key)

    def __str__(self) -> str:
        return self.kind if self.name is None else f"{self.kind}:{self.name}"


@dataclass(slots=True)
class Settings:
    """`settings:` in the manifest: safety gates acknowledged in the pull request itself."""

    max_deletes: int | None = None
    max_delete_percent: float | None = None
    allow_delete: list[Selector] = field(default_factory=list)
    allow_replace: list[Selector] = field(default_factory=list)
    location: dict[str, Location] = field(default_factory=dict)  # setting -> where it was set


@dataclass(slots=True)
class Manifest:
    """All files of a manifest, merged and validated."""

    resources: dict[str, list[Resource]]  # every known kind, in dependency order
    prune: dict[str, bool]
    vars: dict[str, str]
    files: list[str]
    warnings: list[str] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)

    def all_resources(self) -> list[Resource]:
        """Every resource, kind by kind in dependency order, declared order within."""
        return [res for resources in self.resources.values() for res in resources]


class ManifestError(CtctformError):
    """The manifest is invalid; `errors` lists every problem as `file:line: where: reason`."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))

    def __str__(self) -> str:
        return "\n".join(self.errors)


@dataclass(frozen=True, slots=True, order=True)
class Issue:
    """One error or warning before formatting; sorts by file then line."""

    file: str
    line: int
    where: str
    reason: str

    def __str__(self) -> str:
        # One line whatever the manifest's text holds (a name with a newline must not
        # print a second, forged error line).
        if self.where:
            return visible(f"{self.file}:{self.line}: {self.where}: {self.reason}")
        return visible(f"{self.file}:{self.line}: {self.reason}")
