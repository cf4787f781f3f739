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


__all__ = ["BY_REF", "REGISTRY", "FieldChange", "Kind", "Live"]
