"""The manifest's data model: what `load_manifest` returns and the planner consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ctctform.errors import CtctformError

# Dependency order: segments reference the three kinds before them; webhooks stand alone.
KINDS: tuple[str, ...] = ("custom_fields", "lists", "tags", "segments", "webhooks")

# The key of each kind's identity as written in the manifest.
IDENTITY_KEYS: dict[str, str] = {
    "custom_fields": "label",
    "lists": "name",
    "tags": "name",
    "segments": "name",
    "webhooks": "topic",
}

# Singular words for messages ("duplicate tag 'VIP'").
SINGULAR: dict[str, str] = {
    "custom_fields": "custom field",
    "lists": "list",
    "tags": "tag",
    "segments": "segment",
    "webhooks": "webhook",
}

# Partner webhook topics, from the PUT /partner/webhooks/subscriptions/{topic_id} text.
WEBHOOK_TOPICS: dict[int, str] = {
    1: "billing_tier_upgrade",
    2: "billing_tier_downgrade",
    3: "account_cancelled",
    4: "account_disabled",
}
TOPIC_IDS: dict[str, int] = {name: topic_id for topic_id, name in WEBHOOK_TOPICS.items()}


def custom_field_name(label: str) -> str:
    """The custom field `name` the API derives from a label ("constructed from the label by
    replacing blanks with underscores"); it must be unique too, so `a b` and `a_b` collide."""
    return label.replace(" ", "_")


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
    """

    kind: str
    key: str
    spec: dict[str, Any]
    renamed_from: list[str] = field(default_factory=list)
    protect: bool = False
    location: Location = Location("<manifest>", 0)
    # References to other resources found in segment criteria, in order of appearance.
    refs: list[Ref] = field(default_factory=list)


@dataclass(slots=True)
class Manifest:
    """All files of a manifest, merged and validated."""

    resources: dict[str, list[Resource]]
    prune: dict[str, bool]
    vars: dict[str, str]
    files: list[str]
    warnings: list[str] = field(default_factory=list)

    def all_resources(self) -> list[Resource]:
        """Every resource, kind by kind in KINDS (dependency) order, declared order within."""
        return [res for kind in KINDS for res in self.resources.get(kind, [])]


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
        if self.where:
            return f"{self.file}:{self.line}: {self.where}: {self.reason}"
        return f"{self.file}:{self.line}: {self.reason}"
