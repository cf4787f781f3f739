"""The device flow's authorization endpoint and the page its verification URI opens.

https://v3.developer.constantcontact.com/api_guide/device_flow.html: the application POSTs
`client_id` and `scope` "in the request body or as query parameters"; the answer carries the
codes, the verification URI, `expires_in` and the polling `interval`.
"""

from __future__ import annotations

import html

from ..auth import OAuthError
from ..messages import ApiResponse
from ..state import Context
from ..wire import RawResponse
from .oauth import NO_STORE, oauth_error, oauth_params

ACTIVATE_PATH = "/activate"


def authorize(ctx: Context) -> ApiResponse:
    """POST /oauth2/default/v1/device/authorize: codes for the public client only."""
    params = oauth_params(ctx)
    client_id = params.get("client_id", "")
    tokens = ctx.state.tokens
    if not tokens.is_public(client_id):
        if client_id == tokens.credentials.client_id:
            error = OAuthError(
                400, "unauthorized_client", "This client is not set up for the device flow."
            )
        else:
            error = OAuthError(400, "invalid_client", "Unknown client_id.")
        return oauth_error(error)
    scope = params.get("scope", "").strip()
    if not scope:
        return oauth_error(OAuthError(400, "invalid_scope", "scope is required."))
    grant = ctx.state.devices.authorize(client_id, scope)
    verification_uri = f"{_origin(ctx)}{ACTIVATE_PATH}"
    body = {
        "device_code": grant.device_code,
        "user_code": grant.user_code,
        "verification_uri": verification_uri,
        "verification_uri_complete": f"{verification_uri}?user_code={grant.user_code}",
        "expires_in": ctx.state.device.expires_in,
        "interval": ctx.state.device.interval,
    }
    return ApiResponse(200, body, dict(NO_STORE))


def activate_page(ctx: Context) -> ApiResponse:
    """GET /activate: where a person would sign in and approve; here it says what happens."""
    user_code = ctx.request.args.get("user_code", "")
    grant = ctx.state.devices.find(user_code) if user_code else None
    settings = ctx.state.device
    if grant is None:
        status = "Open the link your application printed (it carries ?user_code=...)."
    elif grant.decision is not None:
        status = f"Code {grant.user_code} is {grant.decision}."
    elif settings.approve_after_polls is None:
        status = f"Code {grant.user_code} waits for sb.approve_device() or sb.deny_device()."
    else:
        verb = "denies" if settings.deny else "approves"
        status = (
            f"The sandbox {verb} code {grant.user_code} after "
            f"{settings.approve_after_polls} polls of the token endpoint."
        )
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Sandbox device login</title>"
        f"</head><body><h1>Constant Contact sandbox</h1><p>{html.escape(status)}</p>"
        "</body></html>"
    )
    return RawResponse(200, None, dict(NO_STORE), page.encode("utf-8"), "text/html")


def _origin(ctx: Context) -> str:
    # The Host header was checked against the served address before any handler runs.
    host = ctx.request.headers.get("host", "127.0.0.1")
    return f"http://{host}"
