#!/usr/bin/env python3
"""Extract the request and response definitions ctctform uses from the official v3 spec.

Writes ctctform/schemas/ctct-definitions.json: a JSON Schema (draft 4, the dialect swagger 2.0
schemas are written in) whose `definitions` hold the named definitions below plus every
definition they reference, so `{"$ref": "#/definitions/ListInput", "definitions": ...}`
validates a request body with jsonschema. The output is deterministic: running the script
again on the same spec reproduces the committed file byte for byte.

Usage: extract_spec_definitions.py [SPEC] [--out FILE] [--check]
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = REPO / "reference" / "ctct-v3-swagger.yaml"
DEFAULT_OUT = REPO / "ctctform" / "schemas" / "ctct-definitions.json"

# Request bodies the sandbox validates.
REQUEST_DEFINITIONS = (
    "ListInput",
    "TagPost",
    "TagPut",
    "CustomFieldRequest",
    "CustomFieldPutRequest",
    "SegmentData",
    "SegmentName",
    "WebhooksSubscriptionBody",
    "ListIdList100",
    "TagIdList500Limit",
    "CustomFieldId100",
    "PartnerAccountOperationsRequest",
    "CustomerPut",
    "AccountPhysicalAddress",
    "AccountEmailInput",
    "Provision",
    "PlanInfo",
)

# Response bodies of the same endpoints, for clients and tests.
RESPONSE_DEFINITIONS = (
    "ContactList",
    "ContactListPutPost",
    "ContactListArray",
    "ActivityDeleteListResponse",
    "ActivityDeleteListsResponse",
    "Tag",
    "Tags",
    "ActivityGeneric",
    "ActivityTagging",
    "CustomField",
    "CustomFields",
    "ActivityDeleteCustomFields",
    "SegmentDetail",
    "SegmentsDTO",
    "Activity",
    "WebhooksSubscriptionCollection",
    "WebhooksSubscriptionResponse",
    "WebhooksSubscriptionPutResp",
    "PartnerAccount",
    "Customer",
    "AccountEmails",
    "AccountEmailCreateResponse",
    "ProvisionResponse",
    "PlanTiersObject",
    "APIErrorSchema",
    "AuthorizationErrorSchema",
)

# Swagger-only annotations that JSON Schema does not define; examples in particular are
# sometimes of the wrong type (CustomFieldChoice.choice_id: integer with example "9A63BC").
DROPPED_KEYS = {"example", "discriminator", "xml", "externalDocs"}


def load_spec(path: Path) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)


def referenced_names(node: Any) -> list[str]:
    """Definition names referenced anywhere inside `node`, in document order."""
    if isinstance(node, dict):
        names = []
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                names.append(value.rsplit("/", 1)[-1])
            else:
                names.extend(referenced_names(value))
        return names
    if isinstance(node, list):
        return [name for item in node for name in referenced_names(item)]
    return []


def closure(definitions: dict[str, Any], roots: tuple[str, ...]) -> list[str]:
    """The root definitions plus everything they reference, transitively."""
    seen: list[str] = []
    pending = list(roots)
    while pending:
        name = pending.pop(0)
        if name in seen:
            continue
        if name not in definitions:
            raise SystemExit(f"definition {name!r} not found in the spec")
        seen.append(name)
        pending.extend(referenced_names(definitions[name]))
    return seen


def clean(node: Any) -> Any:
    """Drop swagger-only keys and vendor extensions; keep everything JSON Schema reads."""
    if isinstance(node, dict):
        return {
            key: clean(value)
            for key, value in node.items()
            if key not in DROPPED_KEYS and not key.startswith("x-")
        }
    if isinstance(node, list):
        return [clean(item) for item in node]
    return node


def apply_errata(definitions: dict[str, Any]) -> None:
    """Correct the known mistakes of spec 3.0.172 where the endpoint text contradicts them."""
    # Erratum: CustomFieldId100.custom_field_ids declares `maxItems: 0`, which would reject
    # every request; POST /activities/custom_fields_delete says "delete up to 100 custom
    # fields", so the limit is 100.
    ids = definitions["CustomFieldId100"]["properties"]["custom_field_ids"]
    ids["maxItems"] = 100
    # Not an erratum in 3.0.172 (DESIGN.md lists it): ContactList already declares
    # `description`. Guard it so a future spec that drops it still validates real responses.
    contact_list = definitions["ContactList"]["properties"]
    contact_list.setdefault("description", {"type": "string"})
    # Erratum: PlanTiersObject.billing_day_of_month says `type: integer`, but its own text
    # (and PUT /partner/accounts/{id}/plan's) says trial accounts answer null.
    day = definitions["PlanTiersObject"]["properties"]["billing_day_of_month"]
    day["type"] = ["integer", "null"]


def build(spec: dict[str, Any]) -> dict[str, Any]:
    all_definitions = spec["definitions"]
    names = closure(all_definitions, REQUEST_DEFINITIONS + RESPONSE_DEFINITIONS)
    definitions = {name: clean(copy.deepcopy(all_definitions[name])) for name in names}
    apply_errata(definitions)
    version = spec.get("info", {}).get("version", "unknown")
    return {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "title": "Constant Contact v3 definitions used by ctctform",
        "description": (
            f"Extracted from the official Constant Contact v3 spec {version} by "
            "scripts/extract_spec_definitions.py; do not edit by hand."
        ),
        "spec_version": version,
        "request_definitions": list(REQUEST_DEFINITIONS),
        "definitions": dict(sorted(definitions.items())),
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", nargs="?", type=Path, default=DEFAULT_SPEC)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the output file is not up to date"
    )
    args = parser.parse_args(argv)
    text = render(build(load_spec(args.spec)))
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date; run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {len(json.loads(text)['definitions'])} definitions to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
