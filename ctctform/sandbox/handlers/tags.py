"""Contact tags: /contact_tags and /contact_tags/{tag_id}."""

from __future__ import annotations

from ..messages import ApiResponse, ok
from ..paging import Limit, paginate, with_cursor_query
from ..state import Context

# GET /contact_tags: "up to 500", default 50 (the spec writes the bound as maxLength).
LIMIT = Limit(default=50, minimum=1, maximum=500)


def get_collection(ctx: Context) -> ApiResponse:
    request = with_cursor_query(ctx.request)
    include_count = request.flag("include_count")
    tags = list(ctx.store.tags.values())
    page = paginate(request, tags, lambda r: (r.seq,), LIMIT, ctx.store.link_style())
    body = {"tags": [r.to_api(contacts_count=include_count) for r in page.items]}
    return ok(body | page.links())


def create(ctx: Context) -> ApiResponse:
    body = ctx.request.json("TagPost")
    return ok(ctx.store.create_tag(body["name"], body.get("tag_source")).to_api(), 201)


def get(ctx: Context, tag_id: str) -> ApiResponse:
    include_count = ctx.request.flag("include_count")
    return ok(ctx.store.get_tag(tag_id).to_api(contacts_count=include_count))


def rename(ctx: Context, tag_id: str) -> ApiResponse:
    """TagPut renames only; tag_source cannot change."""
    body = ctx.request.json("TagPut")
    return ok(ctx.store.rename_tag(tag_id, body["name"]).to_api())


def delete(ctx: Context, tag_id: str) -> ApiResponse:
    ctx.store.get_tag(tag_id)
    activity = ctx.store.start_activity("tag_delete", [tag_id])
    return ok(activity.to_api("ActivityGeneric"), 202)
