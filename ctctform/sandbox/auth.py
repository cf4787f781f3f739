"""Credentials the sandbox accepts and the tokens its OAuth endpoints hand out.

What the real authorization server does beyond the spec (the spec has no token endpoint):
- Access tokens last 24 hours; refresh tokens are either rotating (each refresh returns a new
  one and invalidates every earlier one) or long-lived (the same value comes back), and
  either kind expires after 180 days unused. Source, the API support answer "Refresh token
  expiry": https://community.constantcontact.com/t5/API-Developer-Support/Refresh-token-expiry/td-p/402882
- Public clients (PKCE, device flow) have no secret and send `client_id` in the form body;
  confidential ones send id and secret in HTTP Basic:
  https://v3.developer.constantcontact.com/api_guide/auth_overview.html
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from .clock import Clock

ACCESS_TOKEN_TTL = 86400  # the v3 access tokens last 24 hours
PARTNER_TOKEN_TTL = 3600  # the partner's client-credentials JWT lasts an hour
REFRESH_TOKEN_TTL = 180 * 86400  # a refresh token unused for 180 days has expired
DEFAULT_SCOPE = "contact_data campaign_data offline_access"


@dataclass(frozen=True)
class Credentials:
    """What a client must present. Every default is `sandbox` (the public client's id aside)."""

    token: str = "sandbox"  # bearer accepted on account and partner endpoints
    api_key: str = "sandbox"  # partner x-api-key
    client_id: str = "sandbox"  # confidential client: id and secret in HTTP Basic
    client_secret: str = "sandbox"
    refresh_token: str = "sandbox"  # issued to client_id
    partner_client_id: str = "sandbox"  # partner client-credentials grant, HTTP Basic
    partner_client_secret: str = "sandbox"
    public_client_id: str = "sandbox-public"  # public client: no secret, device flow

    def secrets(self) -> frozenset[str]:
        """The configured secret values (never printed by the verbose log)."""
        values = (
            self.token,
            self.api_key,
            self.client_secret,
            self.refresh_token,
            self.partner_client_secret,
        )
        return frozenset(v for v in values if v)


class OAuthError(Exception):
    """A token-endpoint failure, answered in the OAuth 2.0 shape by the handlers."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.status, self.error, self.description = status, error, description


def invalid_client(description: str = "Client authentication failed.") -> OAuthError:
    return OAuthError(401, "invalid_client", description)


@dataclass
class RefreshGrant:
    client_id: str
    scope: str
    last_used: float  # on the sandbox clock; REFRESH_TOKEN_TTL after this it has expired


@dataclass(frozen=True)
class Issued:
    access_token: str
    refresh_token: str | None
    scope: str


class TokenRegistry:
    """Valid bearer tokens and refresh tokens; callers hold the sandbox lock.

    Tokens from the refresh-token and device grants open account endpoints only, tokens
    from the partner client-credentials grant open partner endpoints only; the configured
    static token opens both and never expires, so the one default (`sandbox`) is enough to
    try everything. The three tables map a token to its expiry (None: never) or grant, so
    `set(registry.access_tokens)` lists the live and not yet noticed expired ones.
    """

    def __init__(
        self,
        credentials: Credentials,
        rotate_refresh_tokens: bool = False,
        clock: Clock | None = None,
        access_token_ttl: int = ACCESS_TOKEN_TTL,
    ) -> None:
        self.credentials = credentials
        self.rotate_refresh_tokens = rotate_refresh_tokens
        self.clock = clock or Clock()
        self.access_token_ttl = access_token_ttl
        self.access_tokens: dict[str, float | None] = {credentials.token: None}
        self.partner_tokens: dict[str, float | None] = {credentials.token: None}
        self.refresh_tokens: dict[str, RefreshGrant] = {}
        if credentials.refresh_token:
            grant = RefreshGrant(credentials.client_id, DEFAULT_SCOPE, self.clock.monotonic())
            self.refresh_tokens[credentials.refresh_token] = grant

    # -- bearer tokens and keys --------------------------------------------------------

    def account_token_ok(self, token: str | None) -> bool:
        return self._live(self.access_tokens, token)

    def partner_token_ok(self, token: str | None) -> bool:
        return self._live(self.partner_tokens, token)

    def api_key_ok(self, key: str | None) -> bool:
        return key is not None and secrets.compare_digest(key, self.credentials.api_key)

    def partner_client_ok(self, client: tuple[str, str] | None) -> bool:
        creds = self.credentials
        return client == (creds.partner_client_id, creds.partner_client_secret)

    def known(self, value: str) -> bool:
        """Whether `value` is a token this registry issued or accepts (for log redaction)."""
        return (
            value in self.access_tokens
            or value in self.partner_tokens
            or (value in self.refresh_tokens)
        )

    def _live(self, table: dict[str, float | None], token: str | None) -> bool:
        if token is None or token not in table:
            return False
        expiry = table[token]
        if expiry is not None and self.clock.monotonic() >= expiry:
            del table[token]  # expired: 401 from now on, as after 24 hours on the real API
            return False
        return True

    # -- clients -----------------------------------------------------------------------

    def authenticate(self, basic: tuple[str, str] | None, form: Mapping[str, str]) -> str:
        """The client id a token request authenticates as, or raise 401 invalid_client.

        A confidential client sends its id and secret in HTTP Basic (never in the form); the
        public client sends only `client_id` in the form and has no secret to present.
        """
        creds = self.credentials
        form_id = form.get("client_id")
        if basic is not None:
            client_id, secret = basic
            if form_id is not None and form_id != client_id:
                raise invalid_client("client_id in the form differs from HTTP Basic.")
            if client_id == creds.client_id and secrets.compare_digest(secret, creds.client_secret):
                return client_id
            if client_id == creds.public_client_id:
                raise invalid_client("A public client has no secret; send client_id only.")
            raise invalid_client()
        if "client_secret" in form:
            raise invalid_client("Client credentials go in HTTP Basic, not in the form.")
        if form_id == creds.public_client_id:
            return form_id
        if form_id == creds.client_id:
            raise invalid_client("This client authenticates with HTTP Basic.")
        raise invalid_client()

    def is_public(self, client_id: str) -> bool:
        return client_id == self.credentials.public_client_id

    # -- issuing -----------------------------------------------------------------------

    def issue_access_token(self) -> str:
        token = "sbx-" + secrets.token_urlsafe(24)
        self.access_tokens[token] = self.clock.monotonic() + self.access_token_ttl
        return token

    def issue_refresh_token(self, client_id: str, scope: str = DEFAULT_SCOPE) -> str:
        """A new refresh token for `client_id`; with rotation, its earlier ones are spent."""
        if self.rotate_refresh_tokens:
            self._spend_all(client_id)
        token = "sbx-rt-" + secrets.token_urlsafe(24)
        self.refresh_tokens[token] = RefreshGrant(client_id, scope, self.clock.monotonic())
        return token

    def issue_partner_token(self) -> str:
        token = "sbx-partner-" + secrets.token_urlsafe(24)
        self.partner_tokens[token] = self.clock.monotonic() + PARTNER_TOKEN_TTL
        return token

    def refresh(self, refresh_token: str, client_id: str) -> Issued | None:
        """Exchange a refresh token of `client_id`; None if it is unknown, spent or expired.

        A token issued to another client id is refused too: tokens belong to their client.
        """
        grant = self._refresh_grant(refresh_token)
        if grant is None or grant.client_id != client_id:
            return None
        access = self.issue_access_token()
        if not self.rotate_refresh_tokens:
            grant.last_used = self.clock.monotonic()  # long-lived: used, so 180 more days
            return Issued(access, refresh_token, grant.scope)
        return Issued(access, self.issue_refresh_token(client_id, grant.scope), grant.scope)

    def expire_refresh_token(self, refresh_token: str) -> None:
        """Make one refresh token invalid, as 180 days unused would (KeyError if not live)."""
        if self._refresh_grant(refresh_token) is None:
            raise KeyError(f"no live refresh token {refresh_token[:6]}...")
        del self.refresh_tokens[refresh_token]

    def revoke(self, token: str) -> None:
        """Make an access token invalid, as expiry does; the client must refresh."""
        self.access_tokens.pop(token, None)
        self.partner_tokens.pop(token, None)

    def _refresh_grant(self, refresh_token: str) -> RefreshGrant | None:
        grant = self.refresh_tokens.get(refresh_token)
        if grant is None:
            return None
        if self.clock.monotonic() - grant.last_used >= REFRESH_TOKEN_TTL:
            del self.refresh_tokens[refresh_token]
            return None
        return grant

    def _spend_all(self, client_id: str) -> None:
        for token, grant in list(self.refresh_tokens.items()):
            if grant.client_id == client_id:
                del self.refresh_tokens[token]


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
