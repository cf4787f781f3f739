"""Partner client accounts: listing (opaque offsets), provisioning, billing plans."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from .. import provisioning
from ..messages import ApiResponse, BadRequest, ok
from ..state import Context
from ..validation import validate

ACCOUNT_TYPES = ("all", "managed", "unmanaged")
DEFAULT_ACCOUNTS_LIMIT = 50


def get_accounts(ctx: Context) -> ApiResponse:
    """Offset paging; a limit outside 10..50 "is ignored and the system uses the default"."""
    args = ctx.request.args
    partner = ctx.state.partner
    limit = _accounts_limit(args.get("limit"))
    offset = partner.read_offset(args.get("offset"))
    account_type = args.get("account_type", "all")
    if account_type not in ACCOUNT_TYPES:
        raise BadRequest(f"account_type must be one of {', '.join(ACCOUNT_TYPES)}")
    accounts = [
        a
        for a in partner.accounts.values()
        if account_type == "all" or a.managed == (account_type == "managed")
    ]
    body: dict[str, Any] = {
        "site_owner_list": [a.to_api() for a in accounts[offset : offset + limit]]
    }
    if offset + limit < len(accounts):
        token = quote(partner.issue_offset(offset + limit), safe="*")
        extra = {"account_type": account_type} if "account_type" in args else {}
        query = f"offset={token}&limit={limit}" + (f"&{urlencode(extra)}" if extra else "")
        body["_links"] = {"next": {"href": f"/v3/partner/accounts?{query}"}}
    return ok(body)


def _accounts_limit(raw: str | None) -> int:
    try:
        value = int(raw) if raw is not None else DEFAULT_ACCOUNTS_LIMIT
    except ValueError:
        return DEFAULT_ACCOUNTS_LIMIT
    return value if 10 <= value <= 50 else DEFAULT_ACCOUNTS_LIMIT


def provision(ctx: Context) -> ApiResponse:
    """POST /partner/accounts: 201 ProvisionResponse; 409 for a login_name in use.

    The password is validated apart from the rest of the body and then dropped: it is in
    no answer, no store and no log line.
    """
    body = ctx.request.json()
    if not isinstance(body, dict):
        raise BadRequest("body must be of type object")
    rest, password = provisioning.split_password(body)
    errors = validate(rest, "Provision")
    if errors:
        raise BadRequest(*errors)
    provisioning.check_password(password, rest["login_name"])
    provisioning.check_provision(rest)
    account = ctx.state.partner.provision(rest, ctx.state.new_store())
    answer = {
        "encoded_account_id": account.encoded_account_id,
        "provision_uuid": provisioning.new_provision_uuid(),
    }
    return ok(answer, 201)


def get_plan(ctx: Context, encoded_account_id: str) -> ApiResponse:
    return ok(ctx.state.partner.account(encoded_account_id).plan())


def put_plan(ctx: Context, encoded_account_id: str) -> ApiResponse:
    """PlanInfo, which the spec marks optional: an empty body changes nothing."""
    account = ctx.state.partner.account(encoded_account_id)
    body = ctx.request.json("PlanInfo") if ctx.request.body.strip() else {}
    return ok(account.change_plan(body))
