"""What the manifest layer reads of a kind: the `ManifestKind` protocol.

Every `ctctform.kinds.Kind` has these facts; the loader, the checks and the schema generator
are handed the registry's kinds and read nothing else about them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Protocol

from ctctform.manifest.declared import Declared
from ctctform.manifest.model import Issue, Resource, Shape


class ManifestKind(Protocol):
    """The facts of a kind the manifest layer reads (every `ctctform.kinds.Kind` has them)."""

    # Class-level facts (ClassVar, as `Kind` declares them: read, never set).
    name: ClassVar[str]
    noun: ClassVar[str]
    title: ClassVar[str]
    shape: ClassVar[Shape]
    identity: ClassVar[str]
    identity_max: ClassVar[int | None]
    ref: ClassVar[str | None]
    renames: ClassVar[bool]
    prunable: ClassVar[bool]
    max_count: ClassVar[int | None]
    reference_fields: ClassVar[tuple[str, ...]]
    json_fields: ClassVar[Mapping[str, str]]

    def item_schema(self) -> dict[str, Any]: ...

    def extra_definitions(self) -> dict[str, Any]: ...

    def identity_of(self, item: Mapping[str, Any]) -> tuple[str, str] | None: ...

    def normalize_spec(self, resource: Resource) -> None: ...

    def unique_name(self, key: str) -> str: ...

    def check(self, decls: Sequence[Declared]) -> list[Issue]: ...
