"""Shared helpers for the API client tests."""

from __future__ import annotations

from typing import Any

from ctctform.api import ClientConfig
from ctctform.sandbox import Sandbox

# High rate, short backoffs and polls so the suite stays fast; the pacing tests override.
FAST: dict[str, Any] = {
    "rate_limit": 200,
    "backoff_initial": 0.01,
    "backoff_max": 0.05,
    "max_retry_time": 20,
    "activity_poll_initial": 0.01,
    "activity_poll_max": 0.02,
    "activity_timeout": 10,
}

CLIENT_ACCOUNT = "a08e1izvh8t9"


def sandbox_config(sb: Sandbox, **overrides: Any) -> ClientConfig:
    """Every credential the sandbox accepts by default, plus FAST, plus overrides."""
    return ClientConfig.from_env(sb.env(), **(FAST | overrides))


def count(sb: Sandbox, method: str, path: str, status: int | None = None) -> int:
    return sum(
        1
        for r in sb.requests
        if r.method == method and r.path == path and (status is None or r.status == status)
    )


# The sandbox offers revoke_token(token) but no public view of the tokens it issued, so these
# two read its token registry directly (test-only).


def revoke_issued_tokens(sb: Sandbox) -> None:
    """Expire every token the token endpoints issued (not the static `sandbox` token)."""
    tokens = sb._state.tokens
    for token in set(tokens.access_tokens) | set(tokens.partner_tokens):
        if token != "sandbox":
            sb.revoke_token(token)


def live_refresh_tokens(sb: Sandbox) -> set[str]:
    return set(sb._state.tokens.refresh_tokens)
