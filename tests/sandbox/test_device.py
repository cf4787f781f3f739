"""The device flow (RFC 8628) as the API guide describes it, over real HTTP."""

from __future__ import annotations

import re

import pytest

from ctctform.sandbox import Sandbox

from .helpers import plain

PUBLIC = "sandbox-public"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
SCOPE = "contact_data offline_access"


def authorize(sb: Sandbox, client_id: str = PUBLIC, scope: str | None = SCOPE, query=False):
    params = {"client_id": client_id} | ({"scope": scope} if scope is not None else {})
    if query:
        return plain.post(sb.device_auth_url, params=params)
    return plain.post(sb.device_auth_url, data=params)


def start(sb: Sandbox, scope: str = SCOPE) -> dict:
    response = authorize(sb, scope=scope)
    assert response.status_code == 200, response.text
    return response.json()


def poll(sb: Sandbox, device_code: str, client_id: str = PUBLIC, **kwargs):
    data = {"grant_type": DEVICE_GRANT, "device_code": device_code, "client_id": client_id}
    return plain.post(sb.token_url, data=data, **kwargs)


def error_of(response) -> str:
    assert response.status_code in (400, 401), response.text
    body = response.json()
    assert set(body) == {"error", "error_description"}, body
    return body["error"]


@pytest.fixture
def fast(make_sandbox) -> Sandbox:
    return make_sandbox(device={"interval": 0})


def test_authorize_answers_codes_and_uris(sandbox):
    for query in (False, True):  # "in the request body or as query parameters"
        response = authorize(sandbox, query=query)
        assert response.status_code == 200, response.text
        assert response.headers["Cache-Control"] == "no-store"
        body = response.json()
        assert set(body) == {
            "device_code",
            "user_code",
            "verification_uri",
            "verification_uri_complete",
            "expires_in",
            "interval",
        }
        assert re.fullmatch(r"[B-Z]{4}-[B-Z]{4}", body["user_code"])
        assert body["verification_uri"] == sandbox.url + "/activate"
        assert body["verification_uri_complete"].endswith(f"?user_code={body['user_code']}")
        assert (body["expires_in"], body["interval"]) == (600, 5)


def test_authorize_refuses_other_clients(sandbox):
    assert error_of(authorize(sandbox, client_id="stranger")) == "invalid_client"
    assert authorize(sandbox, client_id="stranger").status_code == 400
    assert error_of(authorize(sandbox, client_id="sandbox")) == "unauthorized_client"
    assert error_of(authorize(sandbox, scope=None)) == "invalid_scope"
    assert sandbox._state.devices.grants == {}


def test_pending_twice_then_the_normal_token_answer(fast):
    codes = start(fast)
    pending = [poll(fast, codes["device_code"]) for _ in range(2)]
    assert [error_of(r) for r in pending] == ["authorization_pending"] * 2
    answer = poll(fast, codes["device_code"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"token_type", "expires_in", "access_token", "scope", "refresh_token"}
    assert (body["token_type"], body["expires_in"], body["scope"]) == ("Bearer", 86400, SCOPE)
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert plain.get(f"{fast.base_url}/contact_lists", headers=headers).status_code == 200
    refreshed = plain.post(
        fast.token_url,
        data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"]}
        | {"client_id": PUBLIC},
    )
    assert refreshed.status_code == 200, refreshed.text
    # A device code is exchanged once.
    assert error_of(poll(fast, codes["device_code"])) == "invalid_grant"


def test_no_refresh_token_without_offline_access(make_sandbox):
    sb = make_sandbox(device={"interval": 0, "approve_after_polls": 0})
    body = poll(sb, start(sb, scope="contact_data")["device_code"]).json()
    assert "refresh_token" not in body and body["scope"] == "contact_data"


def test_denied_after_the_pending_polls(make_sandbox):
    sb = make_sandbox(device={"interval": 0, "deny": True})
    code = start(sb)["device_code"]
    errors = [error_of(poll(sb, code)) for _ in range(4)]
    assert errors == ["authorization_pending"] * 2 + ["access_denied"] * 2


def test_settings_change_at_runtime(fast):
    code = start(fast)["device_code"]
    assert error_of(poll(fast, code)) == "authorization_pending"
    fast.device.deny = True
    fast.device.approve_after_polls = 1
    assert error_of(poll(fast, code)) == "access_denied"


def test_hooks_approve_or_deny_when_auto_approval_is_off(make_sandbox):
    sb = make_sandbox(device={"interval": 0, "approve_after_polls": None})
    first, second = start(sb), start(sb)
    for _ in range(5):
        assert error_of(poll(sb, first["device_code"])) == "authorization_pending"
    sb.approve_device(first["user_code"].lower().replace("-", ""))  # typed loosely
    sb.deny_device(second["user_code"])
    assert poll(sb, first["device_code"]).status_code == 200
    assert error_of(poll(sb, second["device_code"])) == "access_denied"
    with pytest.raises(KeyError):
        sb.approve_device("BCDF-GHJK-NOPE")


def test_polling_faster_than_interval_is_slow_down_and_adds_5_seconds(sandbox):
    code = start(sandbox)["device_code"]  # interval 5
    assert error_of(poll(sandbox, code)) == "slow_down"  # at once: too soon
    sandbox.advance_clock(5)
    assert error_of(poll(sandbox, code)) == "slow_down"  # the interval is now 10 s
    sandbox.advance_clock(15)  # and after that second slow_down, 15 s
    assert error_of(poll(sandbox, code)) == "authorization_pending"
    sandbox.advance_clock(14)
    assert error_of(poll(sandbox, code)) == "slow_down"


def test_slow_down_polls_knob(make_sandbox):
    sb = make_sandbox(device={"interval": 0, "slow_down_polls": 1})
    code = start(sb)["device_code"]
    assert error_of(poll(sb, code)) == "slow_down"
    assert error_of(poll(sb, code)) == "slow_down"  # no wait: interval is 5 s now
    sb.advance_clock(10)
    assert error_of(poll(sb, code)) == "authorization_pending"


def test_device_code_expires_on_the_sandbox_clock(make_sandbox):
    sb = make_sandbox(device={"interval": 0, "expires_in": 60})
    code = start(sb)["device_code"]
    assert error_of(poll(sb, code)) == "authorization_pending"
    sb.advance_clock(60)
    assert error_of(poll(sb, code)) == "expired_token"


def test_device_codes_belong_to_their_client_and_need_no_secret(fast):
    code = start(fast)["device_code"]
    assert error_of(poll(fast, "made-up")) == "invalid_grant"
    assert error_of(poll(fast, code, auth=(PUBLIC, "secret"))) == "invalid_client"
    as_confidential = plain.post(
        fast.token_url,
        data={"grant_type": DEVICE_GRANT, "device_code": code},
        auth=("sandbox", "sandbox"),
    )
    assert error_of(as_confidential) == "unauthorized_client"
    # Those refusals were not polls of this code: it has not moved on.
    assert error_of(poll(fast, code)) == "authorization_pending"


def test_verification_page_says_what_the_sandbox_will_do(sandbox):
    codes = start(sandbox)
    page = plain.get(codes["verification_uri_complete"])
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert f"approves code {codes['user_code']} after 2 polls" in page.text
    assert "?user_code=" in plain.get(codes["verification_uri"]).text


def test_env_names_the_device_authorization_url(sandbox):
    env = sandbox.env()
    assert env["CTCT_DEVICE_AUTH_URL"] == sandbox.device_auth_url
    assert sandbox.device_auth_url == sandbox.url + "/oauth2/default/v1/device/authorize"
    assert env["CTCT_TOKEN_URL"] == sandbox.token_url
