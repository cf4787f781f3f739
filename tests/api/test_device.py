"""The device authorization grant (RFC 8628) against the sandbox's authorization server."""

from __future__ import annotations

import pytest

from ctctform.api import AuthError, Client, device
from ctctform.sandbox import Sandbox

from .helpers import sandbox_config


def _client(sb: Sandbox) -> Client:
    config = sandbox_config(sb, client_id="sandbox-public").replace(
        client_secret=None, access_token=None
    )
    return Client(config)


def test_slow_down_adds_five_seconds_and_pending_keeps_polling() -> None:
    with Sandbox(
        port=0, device={"interval": 1, "slow_down_polls": 1, "approve_after_polls": 2}
    ) as sb:
        waits: list[float] = []

        def sleep(seconds: float) -> None:
            waits.append(seconds)
            sb.advance_clock(seconds)  # the server's time moves with ours: no real waiting

        with _client(sb) as client:
            code = device.start(client.tokens)
            answer = device.wait(client.tokens, code, sleep=sleep, clock=sb.clock.monotonic)
    assert answer["access_token"] and answer["refresh_token"]
    # 1 s (the server's interval), then slow_down: 6 s from then on, until approved.
    assert waits[0] == 1 and all(w == 6 for w in waits[1:]) and len(waits) >= 3


def test_an_expired_code_ends_the_login_with_a_clear_message() -> None:
    never = {"interval": 1, "expires_in": 3, "approve_after_polls": None}
    with (
        Sandbox(port=0, device=never) as sb,
        _client(sb) as client,
        pytest.raises(AuthError, match="expired before it was approved"),
    ):
        code = device.start(client.tokens)
        device.wait(client.tokens, code, sleep=sb.advance_clock, clock=sb.clock.monotonic)


def test_a_confidential_client_cannot_start_a_device_login() -> None:
    with (
        Sandbox(port=0) as sb,
        Client(sandbox_config(sb)) as client,
        pytest.raises(AuthError) as caught,
    ):
        device.start(client.tokens)
    assert "unauthorized_client" in str(caught.value) or "invalid_client" in str(caught.value)


@pytest.mark.parametrize(
    ("answer", "interval", "expires_in"),
    [
        ({"interval": 10**6, "expires_in": 600}, device.MAX_INTERVAL, 600.0),
        ({"interval": 1e300, "expires_in": 10**400}, device.MAX_INTERVAL, device.MAX_EXPIRES_IN),
        ({"interval": float("nan"), "expires_in": -1}, device.DEFAULT_INTERVAL, 1.0),
    ],
    ids=["huge-interval", "overflowing", "nan-and-negative"],
)
def test_the_servers_times_are_bounded(answer, interval, expires_in) -> None:
    base = {"device_code": "dc", "user_code": "UC", "verification_uri": "https://x.example"}
    code = device.parse_code({**base, **answer})
    assert (code.interval, code.expires_in) == (interval, expires_in)
