"""Credentials the sandbox accepts and the tokens its OAuth endpoints hand out."""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class Credentials:
    """What a client must present. Every default is `sandbox`."""

    token: str = "sandbox"  # bearer accepted on account and partner endpoints
    api_key: str = "sandbox"  # partner x-api-key
    client_id: str = "sandbox"  # refresh-token grant, HTTP Basic
    client_secret: str = "sandbox"
    refresh_token: str = "sandbox"
    partner_client_id: str = "sandbox"  # partner client-credentials grant, HTTP Basic
    partner_client_secret: str = "sandbox"


ACCESS_TOKEN_TTL = 86400  # the v3 access tokens last 24 hours
PARTNER_TOKEN_TTL = 3600


class TokenRegistry:
    """Valid bearer tokens and refresh tokens; callers hold the sandbox lock.

    Tokens from the refresh-token grant open account endpoints only, tokens from the partner
    client-credentials grant open partner endpoints only; the configured static token opens
    both, so the one default (`sandbox`) is enough to try everything.
    """

    def __init__(self, credentials: Credentials, rotate_refresh_tokens: bool = False) -> None:
        self.credentials = credentials
        self.rotate_refresh_tokens = rotate_refresh_tokens
        self.access_tokens = {credentials.token}
        self.partner_tokens = {credentials.token}
        self.refresh_tokens = {credentials.refresh_token}

    def account_token_ok(self, token: str | None) -> bool:
        return token is not None and token in self.access_tokens

    def partner_token_ok(self, token: str | None) -> bool:
        return token is not None and token in self.partner_tokens

    def api_key_ok(self, key: str | None) -> bool:
        return key is not None and secrets.compare_digest(key, self.credentials.api_key)

    def client_ok(self, client: tuple[str, str] | None) -> bool:
        creds = self.credentials
        return client == (creds.client_id, creds.client_secret)

    def partner_client_ok(self, client: tuple[str, str] | None) -> bool:
        creds = self.credentials
        return client == (creds.partner_client_id, creds.partner_client_secret)

    def refresh(self, refresh_token: str) -> tuple[str, str] | None:
        """Exchange a refresh token: (access token, refresh token to use next) or None."""
        if refresh_token not in self.refresh_tokens:
            return None
        access = "sbx-" + secrets.token_urlsafe(24)
        self.access_tokens.add(access)
        if not self.rotate_refresh_tokens:
            return access, refresh_token
        self.refresh_tokens.discard(refresh_token)
        new_refresh = "sbx-rt-" + secrets.token_urlsafe(24)
        self.refresh_tokens.add(new_refresh)
        return access, new_refresh

    def issue_partner_token(self) -> str:
        token = "sbx-partner-" + secrets.token_urlsafe(24)
        self.partner_tokens.add(token)
        return token

    def revoke(self, token: str) -> None:
        """Make an access token invalid, as expiry does; the client must refresh."""
        self.access_tokens.discard(token)
        self.partner_tokens.discard(token)


def bearer_token(authorization: str | None) -> str | None:
    scheme, _, value = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    scheme, _, value = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None
