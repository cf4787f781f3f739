"""`ctctform login`: the OAuth2 device authorization grant (RFC 8628).

The flow the API guide recommends for command-line tools (device_flow.html): ask the
authorization server for a device code, show the person the verification URL and user code,
then poll the token endpoint until they approve (`authorization_pending` means keep waiting,
`slow_down` means wait 5 s longer between polls, `access_denied` and `expired_token` end it).
The wait is bounded by the code's own `expires_in`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ctctform.api.errors import AuthError
from ctctform.api.tokens import OAuthError, TokenEndpoint

DEFAULT_INTERVAL = 5.0  # RFC 8628 §3.2: when the server gives none
SLOW_DOWN_STEP = 5.0  # RFC 8628 §3.5
MAX_INTERVAL = 60.0  # seconds between polls, whatever the server asks
MAX_EXPIRES_IN = 1800.0  # the guide's device codes live 600 s


@dataclass(frozen=True)
class DeviceCode:
    device_code: str
    user_code: str
    verification_uri: str
    verification_uri_complete: str | None
    expires_in: float
    interval: float


def start(tokens: TokenEndpoint) -> DeviceCode:
    return parse_code(tokens.device_authorize())


def parse_code(answer: dict[str, Any]) -> DeviceCode:
    """The device authorization answer, checked, its times bounded."""
    code, user, uri = (answer.get(k) for k in ("device_code", "user_code", "verification_uri"))
    if not all(isinstance(v, str) and v for v in (code, user, uri)):
        raise AuthError("the device authorization answer lacks device_code, user_code or URL")
    complete = answer.get("verification_uri_complete")
    return DeviceCode(
        device_code=str(code),
        user_code=str(user),
        verification_uri=str(uri),
        verification_uri_complete=complete if isinstance(complete, str) else None,
        expires_in=_seconds(answer.get("expires_in"), 600.0, most=MAX_EXPIRES_IN),
        interval=_seconds(answer.get("interval"), DEFAULT_INTERVAL, minimum=0.0, most=MAX_INTERVAL),
    )


def wait(
    tokens: TokenEndpoint,
    code: DeviceCode,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, Any]:
    """Poll until approved: the token answer; AuthError when denied or expired."""
    deadline = clock() + code.expires_in
    interval = code.interval
    while True:
        sleep(min(interval, max(0.0, deadline - clock())))
        try:
            return tokens.device_token(code.device_code)
        except OAuthError as exc:
            if exc.error == "authorization_pending":
                pass
            elif exc.error == "slow_down":
                interval += SLOW_DOWN_STEP
            elif exc.error == "access_denied":
                raise AuthError(
                    "the login was declined in the browser; nothing was stored"
                ) from None
            elif exc.error == "expired_token":
                raise AuthError(_expired(code)) from None
            else:
                raise
        if clock() + interval > deadline:
            raise AuthError(_expired(code))


def _expired(code: DeviceCode) -> str:
    return (
        f"the login code {code.user_code} expired before it was approved "
        f"(after {code.expires_in:g}s); run `ctctform login` again"
    )


def _seconds(value: Any, default: float, minimum: float = 1.0, most: float = 3600.0) -> float:
    """Seconds from the server, within bounds: a login never waits on a server's say-so
    for longer than its code lives (`interval: 10**6`, `1e300` or NaN are not waits)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    if value != value:  # NaN
        return default
    if value > most:  # compared before float(): 10**400 has no float
        return most
    return max(minimum, float(value))
