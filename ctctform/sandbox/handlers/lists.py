"""Contact lists: /contact_lists and /contact_lists/{list_id}."""

from __future__ import annotations

from ..messages import ApiRequest, ApiResponse, BadRequest, ok
from ..paging import Limit, paginate, with_cursor_query
from ..state import Context

# GET /contact_lists: default 50, maximum 1000 (the text's "1 - 500" is an erratum).
LIMIT = Limit(default=50, minimum=1, maximum=1000)
MEMBERSHIP_COUNTS = ("all", "active")


def get_collection(ctx: Context) -> ApiResponse:
    request = with_cursor_query(ctx.request)
    include_count = request.flag("include_count")
    membership = _membership_count(request)
    name = request.args.get("name")
    lists = [r for r in ctx.store.lists.values() if name is None or r.name == name]
    page = paginate(request, lists, lambda r: (r.seq,), LIMIT, ctx.store.link_style())
    body = {"lists": [r.to_api(membership_count=membership) for r in page.items]}
    if include_count:
        body["lists_count"] = len(lists)
    return ok(body | page.links())


def create(ctx: Context) -> ApiResponse:
    body = ctx.request.json("ListInput")
    record = ctx.store.create_list(
        body["name"], body.get("description"), body.get("favorite", False)
    )
    return ok(record.to_api(), 201)


def get(ctx: Context, list_id: str) -> ApiResponse:
    membership = _membership_count(ctx.request)
    return ok(ctx.store.get_list(list_id).to_api(membership_count=membership))


def replace(ctx: Context, list_id: str) -> ApiResponse:
    """PUT overwrites all fields: omitted description is removed, omitted favorite false."""
    body = ctx.request.json("ListInput")
    record = ctx.store.replace_list(
        list_id, body["name"], body.get("description"), body.get("favorite", False)
    )
    return ok(record.to_api())


def delete(ctx: Context, list_id: str) -> ApiResponse:
    """Asynchronous: 202 with an activity; the list goes when the activity completes."""
    ctx.store.get_list(list_id)
    activity = ctx.store.start_activity("list_delete", [list_id])
    response = ok(activity.to_api("ActivityDeleteListResponse"), 202)
    response.headers["Location"] = f"/v3/activities/{activity.activity_id}"
    return response


def _membership_count(request: ApiRequest) -> bool:
    value = request.args.get("include_membership_count")
    if value is not None and value not in MEMBERSHIP_COUNTS:
        raise BadRequest("include_membership_count does not have a valid value")
    return value is not None
