"""What the manifest layer reads of a kind: the `ManifestKind` protocol.

Every `ctctform.kinds.Kind` has these facts; the loader, the checks and the schema generator
are handed the registry's kinds and read nothing else about them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from ctctform.manifest.declared import Declared
from ctctform.manifest.model import Issue, Resource, Shape


class ManifestKind(Protocol):
    """The facts of a kind the manifest layer reads (every `ctctform.kinds.Kind` has them)."""

    name: str
    noun: str
    title: str
    shape: Shape
    identity: str
    identity_max: int | None
    ref: str | None
    renames: bool
    prunable: bool
    max_count: int | None
    reference_fields: tuple[str, ...]
    json_fields: Mapping[str, str]

    def item_schema(self) -> dict[str, Any]: ...

    def extra_definitions(self) -> dict[str, Any]: ...

    def identity_of(self, item: Mapping[str, Any]) -> tuple[str, str] | None: ...

    def normalize_spec(self, resource: Resource) -> None: ...

    def unique_name(self, key: str) -> str: ...

    def check(self, decls: Sequence[Declared]) -> list[Issue]: ...
