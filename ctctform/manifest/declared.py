"""A declared resource plus where each of its parts was written, for located messages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ctctform.manifest.model import Issue, Ref, Resource
from ctctform.manifest.yamlload import format_path


@dataclass(slots=True)
class Declared:
    """A resource plus where each of its parts was written, for messages."""

    resource: Resource
    path: tuple[str | int, ...]  # ("tags", 2): formatted only when a message needs it
    key_field: str  # the key the identity came from: name, label, topic or topic_id
    key_line: int
    key_raw: str  # the identity as written, before var substitution
    noun: str = "resource"
    raw: Mapping[str, Any] = field(default_factory=dict)  # the item as written
    renamed_lines: list[int] = field(default_factory=list)
    # (reference, line, path) of each resource reference in segment criteria; the path is
    # formatted only when a message needs it
    ref_sites: list[tuple[Ref, int, tuple[str | int, ...]]] = field(default_factory=list)
    field_lines: dict[str, int] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return format_path(self.path)

    @property
    def key_where(self) -> str:
        """Where the identity was written: `tags[2].name`, or `sender_emails[1]` for a
        scalar item."""
        return f"{self.where}.{self.key_field}" if self.key_field else self.where

    @property
    def file(self) -> str:
        return self.resource.location.file

    @property
    def label(self) -> str:
        return f"{self.noun} {self.resource.key!r}"

    def at(self, line: int, where: str, reason: str) -> Issue:
        return Issue(self.file, line, where, reason)
