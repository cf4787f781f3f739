"""The registry of resource kinds, in dependency order (a kind after the kinds it needs)."""

from __future__ import annotations

from ctctform.kinds.base import FieldChange, Kind, Live
from ctctform.kinds.custom_fields import CustomFields
from ctctform.kinds.lists import Lists
from ctctform.kinds.segments import Segments
from ctctform.kinds.tags import Tags
from ctctform.kinds.webhooks import Webhooks

REGISTRY: dict[str, Kind] = {
    k.name: k for k in (CustomFields(), Lists(), Tags(), Segments(), Webhooks())
}
BY_REF: dict[str, Kind] = {k.ref: k for k in REGISTRY.values()}


def ordered(names: set[str] | list[str] | tuple[str, ...]) -> list[Kind]:
    """Kinds in dependency order: everything a kind depends on comes before it."""
    return [kind for name, kind in REGISTRY.items() if name in names]


__all__ = ["BY_REF", "REGISTRY", "FieldChange", "Kind", "Live", "ordered"]
