"""Partner client accounts: GET /partner/accounts with the opaque offset of its next link."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from ..messages import ApiResponse, BadRequest, ok
from ..state import Context

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
