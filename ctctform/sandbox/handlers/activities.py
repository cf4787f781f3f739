"""Bulk delete activities and GET /activities/{activity_id}."""

from __future__ import annotations

from ..messages import ApiResponse, ok
from ..state import Context


def delete_lists(ctx: Context) -> ApiResponse:
    body = ctx.request.json("ListIdList100")
    activity = ctx.store.start_activity("list_delete", body["list_ids"])
    return ok(activity.to_api("ActivityDeleteListsResponse"), 201)


def delete_tags(ctx: Context) -> ApiResponse:
    body = ctx.request.json("TagIdList500Limit")
    activity = ctx.store.start_activity("tag_delete", body["tag_ids"])
    return ok(activity.to_api("ActivityTagging"), 201)


def delete_custom_fields(ctx: Context) -> ApiResponse:
    # Validated against CustomFieldId100 with the extraction script's erratum fix
    # (maxItems 100, not 0).
    body = ctx.request.json("CustomFieldId100")
    activity = ctx.store.start_activity("custom_field_delete", body["custom_field_ids"])
    return ok(activity.to_api("ActivityDeleteCustomFields"), 201)


def get(ctx: Context, activity_id: str) -> ApiResponse:
    return ok(ctx.store.poll_activity(activity_id).to_api("Activity"))
