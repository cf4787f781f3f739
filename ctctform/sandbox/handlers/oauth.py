"""The two token endpoints: the account refresh-token grant and the partner grant.

They answer OAuth 2.0 bodies (`{"error": ..., "error_description": ...}` on failure), not the
v3 API's error array, like the real identity providers in front of the API.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from ..auth import ACCESS_TOKEN_TTL, PARTNER_TOKEN_TTL, basic_credentials
from ..messages import ApiResponse
from ..state import Context

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def refresh_token_grant(ctx: Context) -> ApiResponse:
    """POST /oauth2/default/v1/token: grant_type=refresh_token, client id/secret in Basic."""
    tokens = ctx.state.tokens
    if not tokens.client_ok(basic_credentials(ctx.request.headers.get("authorization"))):
        return oauth_error(401, "invalid_client", "Client authentication failed.")
    form = _form(ctx)
    if form.get("grant_type") != "refresh_token":
        return oauth_error(400, "unsupported_grant_type", "grant_type must be refresh_token.")
    issued = tokens.refresh(form.get("refresh_token", ""))
    if issued is None:
        return oauth_error(400, "invalid_grant", "The refresh token is invalid or expired.")
    access_token, refresh_token = issued
    body = {
        "token_type": "Bearer",
        "expires_in": ACCESS_TOKEN_TTL,
        "access_token": access_token,
        "scope": "contact_data campaign_data offline_access",
        "refresh_token": refresh_token,
    }
    return ApiResponse(200, body, dict(NO_STORE))


def client_credentials_grant(ctx: Context) -> ApiResponse:
    """POST /oauth2/token: the partner's grant_type=client_credentials, Basic credentials."""
    tokens = ctx.state.tokens
    if not tokens.partner_client_ok(basic_credentials(ctx.request.headers.get("authorization"))):
        # The partner's identity provider (Cognito) answers a bad client with 400.
        return oauth_error(400, "invalid_client", "Client authentication failed.")
    if _form(ctx).get("grant_type") != "client_credentials":
        return oauth_error(400, "unsupported_grant_type", "grant_type must be client_credentials.")
    body = {
        "access_token": tokens.issue_partner_token(),
        "expires_in": PARTNER_TOKEN_TTL,
        "token_type": "Bearer",
    }
    return ApiResponse(200, body, dict(NO_STORE))


def oauth_error(status: int, error: str, description: str) -> ApiResponse:
    body = {"error": error, "error_description": description}
    headers = dict(NO_STORE)
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="sandbox"'
    return ApiResponse(status, body, headers)


def _form(ctx: Context) -> dict[str, str]:
    text = ctx.request.body.decode("utf-8", errors="replace")
    return {key: values[0] for key, values in parse_qs(text).items()}
