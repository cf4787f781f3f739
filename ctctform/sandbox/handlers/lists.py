"""Contact lists: /contact_lists and /contact_lists/{list_id}."""

from __future__ import annotations

from typing import Any

from ..messages import ApiRequest, ApiResponse, BadRequest, NotFound, ok
from ..paging import Limit, paginate, with_cursor_query
from ..records import ContactListRecord
from ..state import Context

# GET /contact_lists: default 50, maximum 1000 (the text's "1 - 500" is an erratum).
LIMIT = Limit(default=50, minimum=1, maximum=1000)
MEMBERSHIP_COUNTS = ("all", "active")
# The `status` parameter: "Use to get lists by status. Accepts comma-separated status
# values." (all, active, deleted). Without it the sandbox answers deleted lists too, so a
# client that forgets `status=active` sees them as a real account would show them.
STATUSES = ("all", "active", "deleted")


def get_collection(ctx: Context) -> ApiResponse:
    request = with_cursor_query(ctx.request)
    include_count = request.flag("include_count")
    membership = _membership_count(request)
    wanted = _statuses(request)
    name = request.args.get("name")
    lists = [
        r
        for r in ctx.store.all_lists()
        if _status(r) in wanted and (name is None or r.name == name)
    ]
    page = paginate(request, lists, lambda r: (r.seq,), LIMIT, ctx.store.link_style())
    body: dict[str, Any] = {"lists": [r.to_api(membership_count=membership) for r in page.items]}
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
    """A deleted list is answered too, with its `deleted_at`."""
    membership = _membership_count(ctx.request)
    record = ctx.store.get_list(list_id, include_deleted=True)
    return ok(record.to_api(membership_count=membership))


def replace(ctx: Context, list_id: str) -> ApiResponse:
    """PUT overwrites all fields: omitted description is removed, omitted favorite false."""
    body = ctx.request.json("ListInput")
    _live(ctx, list_id)
    record = ctx.store.replace_list(
        list_id, body["name"], body.get("description"), body.get("favorite", False)
    )
    return ok(record.to_api())


def delete(ctx: Context, list_id: str) -> ApiResponse:
    """Asynchronous: 202 with an activity; the list is deleted when the activity completes."""
    _live(ctx, list_id)
    activity = ctx.store.start_activity("list_delete", [list_id])
    response = ok(activity.to_api("ActivityDeleteListResponse"), 202)
    response.headers["Location"] = f"/v3/activities/{activity.activity_id}"
    return response


def _live(ctx: Context, list_id: str) -> ContactListRecord:
    if list_id in ctx.store.deleted_lists:
        raise NotFound(f"The contact list {list_id} was deleted.")
    return ctx.store.get_list(list_id)


def _status(record: ContactListRecord) -> str:
    return "deleted" if record.deleted_at else "active"


def _statuses(request: ApiRequest) -> set[str]:
    raw = request.args.get("status")
    if raw is None:
        return {"active", "deleted"}
    values = {value.strip() for value in raw.split(",")}
    if not values <= set(STATUSES):
        raise BadRequest(f"status must be one or more of {', '.join(STATUSES)}")
    return {"active", "deleted"} if "all" in values else values


def _membership_count(request: ApiRequest) -> bool:
    value = request.args.get("include_membership_count")
    if value is not None and value not in MEMBERSHIP_COUNTS:
        raise BadRequest("include_membership_count does not have a valid value")
    return value is not None
