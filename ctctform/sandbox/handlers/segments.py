"""Segments: /segments, /segments/{segment_id} and /segments/{segment_id}/name."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..messages import ApiResponse, BadRequest, no_content, ok
from ..paging import Limit, paginate, with_cursor_query
from ..records import SegmentRecord
from ..state import Context

# GET /segments: `limit` is a string parameter with default "1000" and no stated bounds; the
# sandbox takes 1..1000 (an account's segments fit in one default page) and 400s otherwise.
LIMIT = Limit(default=1000, minimum=1, maximum=1000)


def _by_name(record: SegmentRecord) -> tuple[Any, ...]:
    return (record.name, record.segment_id)


def _by_date(record: SegmentRecord) -> tuple[Any, ...]:
    # "sort by date in descending order with the most recently updated segments listed first"
    edited = datetime.fromisoformat(record.edited_at.replace("Z", "+00:00"))
    return (-round(edited.timestamp() * 1000), record.segment_id)


SORTS = {"name": _by_name, "date": _by_date}


def get_collection(ctx: Context) -> ApiResponse:
    """SegmentMaster items: no criteria (read each segment's detail for those)."""
    request = with_cursor_query(ctx.request)
    sort_by = request.args.get("sort_by", "date")
    if sort_by not in SORTS:
        raise BadRequest("sort_by must be name or date")
    segments = ctx.store.live_segments()
    page = paginate(request, segments, SORTS[sort_by], LIMIT, ctx.store.link_style())
    return ok({"segments": [r.to_master() for r in page.items]} | page.links())


def create(ctx: Context) -> ApiResponse:
    body = ctx.request.json("SegmentData")
    record = ctx.store.create_segment(body["name"], body["segment_criteria"])
    return ok(record.to_detail(), 201)


def get(ctx: Context, segment_id: int) -> ApiResponse:
    """Deleted segments too: "you can use this method to get details about a deleted segment"."""
    return ok(ctx.store.get_segment(segment_id).to_detail())


def update(ctx: Context, segment_id: int) -> ApiResponse:
    body = ctx.request.json("SegmentData")
    record = ctx.store.update_segment(segment_id, body["name"], body["segment_criteria"])
    return ok(record.to_detail())


def rename(ctx: Context, segment_id: int) -> ApiResponse:
    body = ctx.request.json("SegmentName")
    return ok(ctx.store.rename_segment(segment_id, body["name"]).to_detail())


def delete(ctx: Context, segment_id: int) -> ApiResponse:
    ctx.store.delete_segment(segment_id)
    return no_content()
