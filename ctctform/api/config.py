"""Client settings: defaults, then environment, then explicit overrides (CLI flags)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urlsplit

from ctctform.errors import ConfigError

DEFAULT_API_URL = "https://api.cc.email/v3"
DEFAULT_TOKEN_URL = "https://authz.constantcontact.com/oauth2/default/v1/token"
DEFAULT_PARTNER_TOKEN_URL = "https://v3api-partner.auth.us-east-1.amazoncognito.com/oauth2/token"
DEFAULT_RATE_LIMIT = 4.0
DEFAULT_PARTNER_RATE_LIMIT = 10.0

# Fields whose values must never be shown (repr, messages, logs).
SECRET_FIELDS = frozenset(
    {"access_token", "client_secret", "refresh_token", "partner_api_key", "partner_client_secret"}
)

# Environment variable -> field. CTCT_REFRESH_TOKEN_FILE is an addition to DESIGN §2 so CI can
# persist a rotated refresh token without a flag.
ENV_VARS: dict[str, str] = {
    "CTCT_API_URL": "api_url",
    "CTCT_ACCESS_TOKEN": "access_token",
    "CTCT_CLIENT_ID": "client_id",
    "CTCT_CLIENT_SECRET": "client_secret",
    "CTCT_REFRESH_TOKEN": "refresh_token",
    "CTCT_TOKEN_URL": "token_url",
    "CTCT_PARTNER_API_KEY": "partner_api_key",
    "CTCT_PARTNER_CLIENT_ID": "partner_client_id",
    "CTCT_PARTNER_CLIENT_SECRET": "partner_client_secret",
    "CTCT_PARTNER_TOKEN_URL": "partner_token_url",
    "CTCT_RATE_LIMIT": "rate_limit",
    "CTCT_REFRESH_TOKEN_FILE": "refresh_token_file",
}


@dataclass(frozen=True, repr=False)
class ClientConfig:
    api_url: str = DEFAULT_API_URL
    access_token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    refresh_token: str | None = None
    token_url: str = DEFAULT_TOKEN_URL
    partner_api_key: str | None = None
    partner_client_id: str | None = None
    partner_client_secret: str | None = None
    partner_token_url: str = DEFAULT_PARTNER_TOKEN_URL
    # None means "the default for these credentials" (4/s, or 10/s with a partner key).
    rate_limit: float | None = None
    # Spacing is (1 + rate_margin) / rate_limit so jitter between taking a slot and the request
    # reaching the server (thread wake-up, connect) never puts rate+1 in the server's window.
    rate_margin: float = 0.10
    connect_timeout: float = 10.0
    timeout: float = 60.0
    max_attempts: int = 6
    max_retry_time: float = 120.0
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    max_in_flight: int = 16
    refresh_token_file: str | os.PathLike[str] | None = None
    activity_poll_initial: float = 0.3
    activity_poll_max: float = 3.0
    activity_timeout: float = 600.0

    def __post_init__(self) -> None:
        if self.rate_limit is None:
            rate = DEFAULT_PARTNER_RATE_LIMIT if self.partner_api_key else DEFAULT_RATE_LIMIT
            object.__setattr__(self, "rate_limit", rate)
        self._validate()

    def _validate(self) -> None:
        for name in ("api_url", "token_url", "partner_token_url"):
            parts = urlsplit(getattr(self, name))
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ConfigError(f"{name} must be an http(s) URL, got {getattr(self, name)!r}")
        positive = ("rate_limit", "connect_timeout", "timeout", "max_retry_time")
        positive += ("backoff_initial", "backoff_max", "activity_poll_initial")
        positive += ("activity_poll_max", "activity_timeout")
        for name in positive:
            if not getattr(self, name) > 0:
                raise ConfigError(f"{name} must be greater than 0, got {getattr(self, name)!r}")
        if self.max_attempts < 1 or self.max_in_flight < 1:
            raise ConfigError("max_attempts and max_in_flight must be at least 1")
        if self.rate_margin < 0:
            raise ConfigError("rate_margin must not be negative")

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
        return cls(**values)

    def replace(self, **changes: Any) -> ClientConfig:
        return dataclasses.replace(self, **changes)

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(v for v in (getattr(self, n) for n in SECRET_FIELDS) if v)

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


def _convert(name: str, raw: str, var: str) -> Any:
    if name != "rate_limit":
        return raw
    try:
        rate = float(raw)
    except ValueError:
        raise ConfigError(f"{var} must be a number of requests per second, got {raw!r}") from None
    if rate <= 0:
        raise ConfigError(f"{var} must be greater than 0, got {raw!r}")
    return rate
