"""The token endpoints: the account's (refresh-token and device grants) and the partner's.

They answer OAuth 2.0 bodies (`{"error": ..., "error_description": ...}` on failure), not the
v3 API's error array, like the real identity providers in front of the API.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from ..auth import PARTNER_TOKEN_TTL, Issued, OAuthError, basic_credentials
from ..device import DEVICE_GRANT_TYPE
from ..messages import ApiResponse
from ..state import Context

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def token_grant(ctx: Context) -> ApiResponse:
    """POST /oauth2/default/v1/token: grant_type refresh_token or the device code grant.

    Parameters come from the form body or the query string: the API guide's device flow
    example sends them as query parameters
    (https://v3.developer.constantcontact.com/api_guide/device_flow.html).
    """
    params = oauth_params(ctx)
    try:
        client_id = ctx.state.tokens.authenticate(client_basic(ctx), params)
        grant_type = params.get("grant_type")
        if grant_type == "refresh_token":
            return _refresh(ctx, client_id, params)
        if grant_type == DEVICE_GRANT_TYPE:
            return _device_code(ctx, client_id, params)
        raise OAuthError(
            400,
            "unsupported_grant_type",
            f"grant_type must be refresh_token or {DEVICE_GRANT_TYPE}.",
        )
    except OAuthError as exc:
        return oauth_error(exc)


def _refresh(ctx: Context, client_id: str, params: dict[str, str]) -> ApiResponse:
    issued = ctx.state.tokens.refresh(params.get("refresh_token", ""), client_id)
    if issued is None:
        # Spent (rotated), expired, unknown or issued to another client id: all the same.
        raise OAuthError(400, "invalid_grant", "The refresh token is invalid or expired.")
    return token_answer(ctx, issued)


def _device_code(ctx: Context, client_id: str, params: dict[str, str]) -> ApiResponse:
    tokens = ctx.state.tokens
    if not tokens.is_public(client_id):
        raise OAuthError(400, "unauthorized_client", "This client does not use the device flow.")
    grant = ctx.state.devices.poll(params.get("device_code", ""), client_id)
    # A refresh token only for offline_access, as the guide says for every flow.
    refresh = (
        tokens.issue_refresh_token(client_id, grant.scope)
        if "offline_access" in grant.scope.split()
        else None
    )
    return token_answer(ctx, Issued(tokens.issue_access_token(), refresh, grant.scope))


def token_answer(ctx: Context, issued: Issued) -> ApiResponse:
    body: dict[str, Any] = {
        "token_type": "Bearer",
        "expires_in": ctx.state.tokens.access_token_ttl,
        "access_token": issued.access_token,
        "scope": issued.scope,
    }
    if issued.refresh_token is not None:
        body["refresh_token"] = issued.refresh_token
    return ApiResponse(200, body, dict(NO_STORE))


def client_credentials_grant(ctx: Context) -> ApiResponse:
    """POST /oauth2/token: the partner's grant_type=client_credentials, Basic credentials.

    partners_auth.html: the request passes its data "as query parameters (the body of the
    request is empty)", Content-Type application/x-www-form-urlencoded; "If you do not
    include required request headers, a 415 error response code is returned." A form body
    is taken too (the identity provider behind it, Cognito, reads one)."""
    tokens = ctx.state.tokens
    if "application/x-www-form-urlencoded" not in ctx.request.content_type.lower():
        message = "Content-Type must be application/x-www-form-urlencoded."
        return oauth_error(OAuthError(415, "invalid_request", message))
    if not tokens.partner_client_ok(basic_credentials(ctx.request.headers.get("authorization"))):
        # The partner's identity provider (Cognito) answers a bad client with 400.
        return oauth_error(OAuthError(400, "invalid_client", "Client authentication failed."))
    if oauth_params(ctx).get("grant_type") != "client_credentials":
        return oauth_error(
            OAuthError(400, "unsupported_grant_type", "grant_type must be client_credentials.")
        )
    body = {
        "access_token": tokens.issue_partner_token(),
        "expires_in": PARTNER_TOKEN_TTL,
        "token_type": "Bearer",
    }
    return ApiResponse(200, body, dict(NO_STORE))


def oauth_error(exc: OAuthError) -> ApiResponse:
    body = {"error": exc.error, "error_description": exc.description}
    headers = dict(NO_STORE)
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="sandbox"'
    return ApiResponse(exc.status, body, headers)


def client_basic(ctx: Context) -> tuple[str, str] | None:
    """HTTP Basic client credentials; a Basic header that cannot be read is a bad client."""
    header = ctx.request.headers.get("authorization")
    if header is None or not header.lower().startswith("basic"):
        return None
    credentials = basic_credentials(header)
    if credentials is None:
        raise OAuthError(401, "invalid_client", "The HTTP Basic credentials are malformed.")
    return credentials


def oauth_params(ctx: Context) -> dict[str, str]:
    """Query parameters, then the form body (which wins); the first value of each name."""
    params: dict[str, str] = {}
    for key, value in ctx.request.args.items(multi=True):
        params.setdefault(key, value)
    form: dict[str, str] = {}
    text = ctx.request.body.decode("utf-8", errors="replace")
    for key, value in parse_qsl(text, keep_blank_values=True):
        form.setdefault(key, value)
    return params | form
