"""Custom fields: /contact_custom_fields and /contact_custom_fields/{custom_field_id}."""

from __future__ import annotations

from ..messages import ApiResponse, BadRequest, no_content, ok
from ..paging import Limit, paginate, with_cursor_query
from ..state import Context

LIMIT = Limit(default=50, minimum=1, maximum=100)


def get_collection(ctx: Context) -> ApiResponse:
    records = list(ctx.store.custom_fields.values())
    request = with_cursor_query(ctx.request)
    page = paginate(request, records, lambda r: (r.seq,), LIMIT, ctx.store.link_style())
    return ok({"custom_fields": [r.to_api() for r in page.items]} | page.links())


def create(ctx: Context) -> ApiResponse:
    body = ctx.request.json("CustomFieldRequest")
    # CustomFieldRequest lists no required properties, but a field without a label or a
    # type cannot exist (CustomField requires both), so the API refuses them.
    for key in ("label", "type"):
        if key not in body:
            raise BadRequest(f"{key} is required")
    record = ctx.store.create_custom_field(
        body["label"],
        body["type"],
        metadata=body.get("metadata"),
        choices=body.get("choices"),
        version=body.get("version"),
    )
    return ok(record.to_api(), 201)


def get(ctx: Context, custom_field_id: str) -> ApiResponse:
    return ok(ctx.store.get_custom_field(custom_field_id).to_api())


def update(ctx: Context, custom_field_id: str) -> ApiResponse:
    """Label and choices only; the type is fixed at creation (a change is a 400)."""
    body = ctx.request.json("CustomFieldPutRequest")
    record = ctx.store.get_custom_field(custom_field_id)
    # CustomFieldPutRequest has no `type` and no additionalProperties: false, so a `type`
    # passes the schema; a different one is refused rather than silently ignored.
    if "type" in body and body["type"] != record.type:
        raise BadRequest(f"type cannot be changed (it is {record.type!r})")
    record = ctx.store.update_custom_field(custom_field_id, body.get("label"), body.get("choices"))
    return ok(record.to_api())


def delete(ctx: Context, custom_field_id: str) -> ApiResponse:
    ctx.store.delete_custom_field(custom_field_id)
    return no_content()
