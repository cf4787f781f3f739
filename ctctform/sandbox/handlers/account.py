"""The account: /account/summary, /account/summary/physical_address, /account/emails."""

from __future__ import annotations

from ..messages import ApiResponse, BadRequest, ok
from ..state import Context

EXTRA_FIELDS = ("physical_address", "company_logo")


def get_summary(ctx: Context) -> ApiResponse:
    """Customer. extra_fields is a csv of physical_address, company_logo; the sandbox's
    accounts have no logo, and "If a company logo does not exist, nothing is returned"."""
    raw = ctx.request.args.get("extra_fields", "")
    extra = {value.strip() for value in raw.split(",") if value.strip()}
    if not extra <= set(EXTRA_FIELDS):
        raise BadRequest(f"extra_fields must be one or more of {', '.join(EXTRA_FIELDS)}")
    return ok(ctx.store.get_summary(physical_address="physical_address" in extra))


def update_summary(ctx: Context) -> ApiResponse:
    """A partial update; "Changes to read-only fields (encoded_account_id) are ignored"."""
    body = ctx.request.json("CustomerPut")
    if not isinstance(body, dict):
        raise BadRequest("the body must be a CustomerPut object")
    return ok(ctx.store.update_summary(body))


def get_address(ctx: Context) -> ApiResponse:
    return ok(ctx.store.get_address())


def create_address(ctx: Context) -> ApiResponse:
    return ok(ctx.store.create_address(ctx.request.json("AccountPhysicalAddress")), 201)


def replace_address(ctx: Context) -> ApiResponse:
    return ok(ctx.store.replace_address(ctx.request.json("AccountPhysicalAddress")))


def get_emails(ctx: Context) -> ApiResponse:
    return ok(ctx.store.list_emails(ctx.request.args.to_dict()))


def add_email(ctx: Context) -> ApiResponse:
    """201 AccountEmailCreateResponse; the address stays UNCONFIRMED until its owner clicks
    the link Constant Contact mails (sb.confirm_email models the click)."""
    body = ctx.request.json("AccountEmailInput")
    return ok(ctx.store.add_email(body.get("email_address")).to_created(), 201)
