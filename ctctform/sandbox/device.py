"""The OAuth 2.0 device flow (RFC 8628) as the Constant Contact authorization server runs it.

https://v3.developer.constantcontact.com/api_guide/device_flow.html: `POST
/oauth2/default/v1/device/authorize` with `client_id` and `scope` answers a device code and a
user code; the application polls the token endpoint with
`grant_type=urn:ietf:params:oauth:grant-type:device_code`, `device_code` and `client_id`
(no secret) until the user has approved in a browser. Nobody approves in the sandbox, so
`DeviceSettings` decides what the "user" does, and tests can decide instead.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from .auth import OAuthError
from .clock import Clock

DEVICE_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code"
# RFC 8628 §6.1: consonants only, so a user code spells no words and has no 0/O, 1/I.
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
SLOW_DOWN_STEP = 5  # RFC 8628 §3.5: after slow_down the interval grows by 5 s for good


@dataclass
class DeviceSettings:
    """What the simulated user does; change them on a running sandbox (`sb.device.deny = True`).

    - approve_after_polls: the first N polls answer `authorization_pending`, then the user
      approves (poll N+1 gets the tokens); None waits for `sb.approve_device(user_code)`.
    - deny: the user denies instead of approving (`access_denied`).
    - interval: the seconds the client must wait between polls (0 in fast tests).
    - expires_in: the device code's lifetime in seconds (then `expired_token`).
    - slow_down_polls: answer `slow_down` to the first N polls whatever their timing.
    """

    approve_after_polls: int | None = 2
    deny: bool = False
    interval: int = 5
    expires_in: int = 600
    slow_down_polls: int = 0


@dataclass
class DeviceGrant:
    device_code: str
    user_code: str
    client_id: str
    scope: str
    expires_at: float  # sandbox clock
    interval: float  # grows by SLOW_DOWN_STEP after each slow_down
    last_poll: float  # the authorization counts as the first "poll" for pacing
    pending_polls: int = 0
    polls: int = 0
    decision: str | None = None  # "approved" or "denied"
    redeemed: bool = False


def pending(error: str, description: str) -> OAuthError:
    return OAuthError(400, error, description)


class DeviceFlow:
    """Device codes handed out and their state; callers hold the sandbox lock."""

    def __init__(self, settings: DeviceSettings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.grants: dict[str, DeviceGrant] = {}  # by device_code
        self._by_user_code: dict[str, str] = {}

    def authorize(self, client_id: str, scope: str) -> DeviceGrant:
        now = self.clock.monotonic()
        user_code = self._new_user_code()
        grant = DeviceGrant(
            device_code="sbx-dc-" + secrets.token_urlsafe(24),
            user_code=user_code,
            client_id=client_id,
            scope=scope,
            expires_at=now + self.settings.expires_in,
            interval=self.settings.interval,
            last_poll=now,
        )
        self.grants[grant.device_code] = grant
        self._by_user_code[normal_user_code(user_code)] = grant.device_code
        return grant

    def poll(self, device_code: str, client_id: str) -> DeviceGrant:
        """The approved grant (now spent), or raise the RFC 8628 §3.5 error for this poll."""
        grant = self.grants.get(device_code)
        if grant is None or grant.client_id != client_id:
            raise pending("invalid_grant", "The device code is invalid or was not issued to you.")
        if grant.redeemed:
            raise pending("invalid_grant", "The device code was already exchanged for tokens.")
        now = self.clock.monotonic()
        if now >= grant.expires_at:
            raise pending("expired_token", "The device code has expired; start again.")
        grant.polls += 1
        too_soon = now - grant.last_poll < grant.interval
        grant.last_poll = now
        if too_soon or grant.polls <= self.settings.slow_down_polls:
            grant.interval += SLOW_DOWN_STEP
            raise pending("slow_down", f"Poll at most every {grant.interval:g} seconds.")
        self._simulate_user(grant)
        if grant.decision == "denied":
            raise pending("access_denied", "The user denied the authorization request.")
        if grant.decision is None:
            grant.pending_polls += 1
            raise pending("authorization_pending", "The user has not approved the request yet.")
        grant.redeemed = True
        return grant

    def decide(self, user_code: str, decision: str) -> None:
        """The user approves or denies in the browser (test hooks approve/deny_device)."""
        device_code = self._by_user_code.get(normal_user_code(user_code))
        if device_code is None:
            raise KeyError(f"no device authorization has user code {user_code!r}")
        self.grants[device_code].decision = decision

    def find(self, user_code: str) -> DeviceGrant | None:
        device_code = self._by_user_code.get(normal_user_code(user_code))
        return self.grants.get(device_code) if device_code else None

    def known(self, value: str) -> bool:
        return value in self.grants

    def _simulate_user(self, grant: DeviceGrant) -> None:
        after = self.settings.approve_after_polls
        if grant.decision is None and after is not None and grant.pending_polls >= after:
            grant.decision = "denied" if self.settings.deny else "approved"

    def _new_user_code(self) -> str:
        while True:
            letters = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(8))
            code = f"{letters[:4]}-{letters[4:]}"
            if normal_user_code(code) not in self._by_user_code:
                return code


def normal_user_code(user_code: str) -> str:
    """Users type codes loosely: case, dashes and spaces do not matter (RFC 8628 §6.1)."""
    return "".join(ch for ch in user_code.upper() if ch.isalnum())
