"""The registry of resource kinds, in dependency order (a kind after the kinds it needs).

Everything that differs between kinds is declared on the kind (kinds/base.py); the rest of
ctctform reads it from here: the manifest loader and schema (`REGISTRY.values()` as the
`ManifestKind` catalog), the reader, planner and applier, export, and the API client's
routes (`api_routes()`: path templates for the partner proxy, statistics buckets).
"""

from __future__ import annotations

from ctctform.api.routes import Routes
from ctctform.kinds.account import Account
from ctctform.kinds.base import FieldChange, Kind, Live
from ctctform.kinds.custom_fields import CustomFields
from ctctform.kinds.lists import Lists
from ctctform.kinds.physical_address import PhysicalAddress
from ctctform.kinds.segments import Segments
from ctctform.kinds.sender_emails import SenderEmails
from ctctform.kinds.tags import Tags
from ctctform.kinds.webhooks import Webhooks

REGISTRY: dict[str, Kind] = {
    k.name: k
    for k in (
        CustomFields(),
        Lists(),
        Tags(),
        Segments(),
        Webhooks(),
        Account(),
        PhysicalAddress(),
        SenderEmails(),
    )
}
BY_REF: dict[str, Kind] = {k.ref: k for k in REGISTRY.values() if k.ref}
# Kinds that belong to the partner, not to a client account: a fleet plans them once.
PARTNER_LEVEL: frozenset[str] = frozenset(k.name for k in REGISTRY.values() if k.partner_level)


def api_routes() -> Routes:
    """What the API client needs to know about the kinds' endpoints."""
    kinds = list(REGISTRY.values())
    return Routes(
        templates=tuple(t for k in kinds for t in k.api_templates),
        literal_paths=frozenset(k.bulk_delete.path for k in kinds if k.bulk_delete),
        buckets=tuple((p, k.name) for k in kinds for p in k.stat_prefixes),
    )


__all__ = ["BY_REF", "PARTNER_LEVEL", "REGISTRY", "FieldChange", "Kind", "Live", "api_routes"]
