"""Client settings: defaults, then environment, then explicit overrides (CLI flags)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ctctform.errors import ConfigError

DEFAULT_API_URL = "https://api.cc.email/v3"
DEFAULT_TOKEN_URL = "https://authz.constantcontact.com/oauth2/default/v1/token"
DEFAULT_DEVICE_AUTH_URL = "https://authz.constantcontact.com/oauth2/default/v1/device/authorize"
DEFAULT_PARTNER_TOKEN_URL = "https://v3api-partner.auth.us-east-1.amazoncognito.com/oauth2/token"
# 4 requests/second per key, partner keys too: Constant Contact raises a key to 10/s only on
# request (API developer support, "Partnership Question: Rate Limit Issue"), so a partner
# whose key was raised says so with CTCT_RATE_LIMIT=10.
DEFAULT_RATE_LIMIT = 4.0
# What `ctctform login` asks for: the account and contact data ctctform manages, and
# offline_access for a refresh token (device flow, API guide device_flow.html).
DEFAULT_SCOPE = "account_read account_update contact_data offline_access"

# Fields whose values must never be shown (repr, messages, logs).
SECRET_FIELDS = frozenset(
    {"access_token", "client_secret", "refresh_token", "partner_api_key", "partner_client_secret"}
)

ENV_VARS: dict[str, str] = {
    "CTCT_API_URL": "api_url",
    "CTCT_ACCESS_TOKEN": "access_token",
    "CTCT_CLIENT_ID": "client_id",
    "CTCT_CLIENT_SECRET": "client_secret",
    "CTCT_REFRESH_TOKEN": "refresh_token",
    "CTCT_TOKEN_URL": "token_url",
    "CTCT_DEVICE_AUTH_URL": "device_auth_url",
    "CTCT_PARTNER_API_KEY": "partner_api_key",
    "CTCT_PARTNER_CLIENT_ID": "partner_client_id",
    "CTCT_PARTNER_CLIENT_SECRET": "partner_client_secret",
    "CTCT_PARTNER_TOKEN_URL": "partner_token_url",
    "CTCT_RATE_LIMIT": "rate_limit",
    "CTCT_CREDENTIALS_FILE": "credentials_file",
    "CTCT_ON_TOKEN_ROTATED": "on_token_rotated",
    "CTCT_TIMEOUT": "timeout",
}
NUMBERS = ("rate_limit", "timeout")


def default_credentials_file(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "ctctform" / "credentials.json"


@dataclass(frozen=True, repr=False)
class ClientConfig:
    api_url: str = DEFAULT_API_URL
    access_token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None  # absent for public clients (PKCE, device flow)
    refresh_token: str | None = None
    token_url: str = DEFAULT_TOKEN_URL
    device_auth_url: str = DEFAULT_DEVICE_AUTH_URL
    scope: str = DEFAULT_SCOPE
    partner_api_key: str | None = None
    partner_client_id: str | None = None
    partner_client_secret: str | None = None
    partner_token_url: str = DEFAULT_PARTNER_TOKEN_URL
    rate_limit: float = DEFAULT_RATE_LIMIT
    # Spacing is (1 + rate_margin) / rate_limit so jitter between taking a slot and the request
    # reaching the server never puts rate+1 in the server's one-second window: rate+1 evenly
    # spaced starts span rate_margin seconds more than the window, 50 ms at any rate, more
    # than the jitter of a kept-alive connection. Where that is too little (a 429 comes back),
    # the limiter widens the spacing for the rest of the run (RateLimiter.widen). A fixed
    # wider margin would cost every run: at 10% a 40,000-request fleet waits 6.7 minutes more.
    rate_margin: float = 0.05
    connect_timeout: float = 10.0
    timeout: float = 60.0  # per request: connect, each read, each write
    max_attempts: int = 6
    # A refused or unreachable host is retried only this often (with short waits): it is a
    # configuration problem far more often than a blip, and the user should hear at once.
    connect_attempts: int = 3
    max_retry_time: float = 120.0
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    max_in_flight: int = 16
    credentials_file: str | os.PathLike[str] | None = None  # None: the default path
    on_token_rotated: str | None = None  # a command that receives a new refresh token
    activity_poll_initial: float = 0.3
    activity_poll_max: float = 3.0
    activity_timeout: float = 300.0

    def __post_init__(self) -> None:
        if self.credentials_file is None:
            object.__setattr__(self, "credentials_file", default_credentials_file(os.environ))
        self._validate()

    def _validate(self) -> None:
        for name in ("api_url", "token_url", "device_auth_url", "partner_token_url"):
            check_url(name, getattr(self, name))
        positive: tuple[str, ...] = ("rate_limit", "connect_timeout", "timeout")
        positive += ("max_retry_time", "backoff_initial", "backoff_max", "activity_poll_initial")
        positive += ("activity_poll_max", "activity_timeout")
        for name in positive:
            if not getattr(self, name) > 0:
                raise ConfigError(f"{name} must be greater than 0, got {getattr(self, name)!r}")
        if self.max_attempts < 1 or self.max_in_flight < 1 or self.connect_attempts < 1:
            raise ConfigError("max_attempts, connect_attempts and max_in_flight must be at least 1")
        if self.rate_margin < 0:
            raise ConfigError("rate_margin must not be negative")
        # These go into HTTP headers as they are: a control character (a pasted `\r`, a
        # vertical tab) would make the HTTP library refuse the request and echo the value.
        for name in ("access_token", "refresh_token", "partner_api_key", "client_id"):
            value = getattr(self, name)
            if value and not all(0x21 <= ord(c) <= 0x7E for c in value):
                var = next((v for v, n in ENV_VARS.items() if n == name), name)
                raise ConfigError(f"{var} holds a space or a character a header cannot carry")

    @classmethod
    def from_env(cls, env: Mapping[str, str], **overrides: Any) -> ClientConfig:
        """Build from environment variables; overrides (None = not given) win over env."""
        known = {f.name for f in fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise TypeError(f"unknown ClientConfig setting(s): {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {}
        for var, name in ENV_VARS.items():
            raw = env.get(var, "").strip()
            if raw:
                values[name] = _convert(name, raw, var)
        values.update({k: v for k, v in overrides.items() if v is not None})
        if not values.get("credentials_file"):
            values["credentials_file"] = default_credentials_file({**os.environ, **env})
        return cls(**values)

    def replace(self, **changes: Any) -> ClientConfig:
        return dataclasses.replace(self, **changes)

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(v for v in (getattr(self, n) for n in SECRET_FIELDS) if v)

    @property
    def public_client(self) -> bool:
        """No client secret: a public app (PKCE, device flow) refreshes with client_id only."""
        return bool(self.client_id) and not self.client_secret

    def __repr__(self) -> str:
        shown = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in SECRET_FIELDS:
                shown.append(f"{f.name}={'<set>' if value else None}")
            else:
                shown.append(f"{f.name}={value!r}")
        return f"ClientConfig({', '.join(shown)})"

    __str__ = __repr__


def check_url(name: str, url: str) -> None:
    """An http(s) URL with a host and no credentials in it (which would end up in logs and
    in the Host of every request); the message never repeats the credentials."""
    try:
        parts = urlsplit(url)
        host, _port = parts.hostname, parts.port
    except ValueError:
        raise ConfigError(f"{name} is not a valid URL: {hide_userinfo(url)!r}") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigError(f"{name} must be an http(s) URL, got {hide_userinfo(url)!r}")
    if "@" in url.split("?", 1)[0].split("#", 1)[0]:
        raise ConfigError(
            f"{name} must not contain credentials (user:password@host), got "
            f"{hide_userinfo(url)!r}; give tokens through CTCT_ACCESS_TOKEN and friends"
        )


def hide_userinfo(url: str) -> str:
    """`https://user:secret@host/x` -> `https://***@host/x` (whatever the userinfo holds)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    authority_end = len(rest)
    for stop in "/?#":
        index = rest.find(stop)
        if index != -1:
            authority_end = min(authority_end, index)
    at = rest.rfind("@", 0, authority_end)
    if at == -1:
        # A `/` inside the password ends the authority early; any `@` before a `/?#` that
        # follows a `:` still marks credentials.
        at = rest.rfind("@")
        if at == -1 or ":" not in rest[:at]:
            return url
    return f"{scheme}://***@{rest[at + 1 :]}"


def _convert(name: str, raw: str, var: str) -> Any:
    if name not in NUMBERS:
        return raw
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{var} must be a number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{var} must be greater than 0, got {raw!r}")
    return value
