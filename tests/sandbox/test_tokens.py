"""Refresh tokens (rotating and long-lived, per client, 180-day expiry), public clients, and
access-token lifetimes on the sandbox clock."""

from __future__ import annotations

import pytest

from ctctform.sandbox import Sandbox

from .helpers import plain

PUBLIC = "sandbox-public"
DAY = 86400


def refresh(sb: Sandbox, token: str = "sandbox", auth=("sandbox", "sandbox"), **form):
    data = {"grant_type": "refresh_token", "refresh_token": token} | form
    return plain.post(sb.token_url, data=data, auth=auth)


def public_refresh(sb: Sandbox, token: str, client_id: str = PUBLIC, **form):
    data = {"grant_type": "refresh_token", "refresh_token": token, "client_id": client_id}
    return plain.post(sb.token_url, data=data | form)


def lists_status(sb: Sandbox, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return plain.get(f"{sb.base_url}/contact_lists", headers=headers).status_code


def assert_oauth_error(response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "error_description"}, body
    assert body["error"] == error and body["error_description"]
    assert response.headers["Cache-Control"] == "no-store"


def test_expires_in_is_the_configured_lifetime_then_401(make_sandbox):
    sb = make_sandbox(access_token_ttl=120)
    body = refresh(sb).json()
    assert body["expires_in"] == 120
    token = body["access_token"]
    sb.advance_clock(110)
    assert lists_status(sb, token) == 200
    sb.advance_clock(10)
    assert lists_status(sb, token) == 401
    assert lists_status(sb, refresh(sb).json()["access_token"]) == 200


def test_access_tokens_last_24_hours_by_default_the_static_one_for_good(sandbox):
    body = refresh(sandbox).json()
    assert body["expires_in"] == DAY
    sandbox.advance_clock(DAY - 10)
    assert lists_status(sandbox, body["access_token"]) == 200
    sandbox.advance_clock(10)
    assert lists_status(sandbox, body["access_token"]) == 401
    assert lists_status(sandbox, "sandbox") == 200  # the configured token never expires


def test_long_lived_refresh_tokens_come_back_unchanged(sandbox):
    first, second = refresh(sandbox).json(), refresh(sandbox).json()
    assert first["refresh_token"] == second["refresh_token"] == "sandbox"
    assert first["access_token"] != second["access_token"]
    assert lists_status(sandbox, first["access_token"]) == 200  # refreshing revokes nothing


def test_rotation_spends_every_earlier_token_of_that_client_only(make_sandbox):
    sb = make_sandbox(rotate_refresh_tokens=True)
    public = sb.issue_refresh_token(PUBLIC)
    first = refresh(sb).json()["refresh_token"]
    second = refresh(sb, first).json()["refresh_token"]
    assert len({"sandbox", first, second}) == 3
    assert_oauth_error(refresh(sb, "sandbox"), 400, "invalid_grant")
    assert_oauth_error(refresh(sb, first), 400, "invalid_grant")
    assert refresh(sb, second).status_code == 200
    # The public client's token was issued to another client: rotation left it alone.
    assert public_refresh(sb, public).status_code == 200


def test_rotation_on_a_new_login_spends_the_clients_old_tokens(make_sandbox):
    sb = make_sandbox(rotate_refresh_tokens=True)
    fresh = sb.issue_refresh_token()
    assert_oauth_error(refresh(sb, "sandbox"), 400, "invalid_grant")
    assert refresh(sb, fresh).status_code == 200


def test_public_client_refreshes_with_client_id_in_the_form_and_no_basic(sandbox):
    token = sandbox.issue_refresh_token(PUBLIC, scope="contact_data offline_access")
    response = public_refresh(sandbox, token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["refresh_token"] == token and body["scope"] == "contact_data offline_access"
    assert lists_status(sandbox, body["access_token"]) == 200


def test_refresh_tokens_belong_to_the_client_they_were_issued_to(sandbox):
    public = sandbox.issue_refresh_token(PUBLIC)
    assert_oauth_error(refresh(sandbox, public), 400, "invalid_grant")
    assert_oauth_error(public_refresh(sandbox, "sandbox"), 400, "invalid_grant")
    assert public_refresh(sandbox, public).status_code == 200
    assert refresh(sandbox, "sandbox").status_code == 200


def test_public_client_presenting_a_secret_is_invalid_client(sandbox):
    token = sandbox.issue_refresh_token(PUBLIC)
    basic = refresh(sandbox, token, auth=(PUBLIC, "a-secret"))
    assert_oauth_error(basic, 401, "invalid_client")
    assert basic.headers["WWW-Authenticate"].startswith("Basic")
    in_form = public_refresh(sandbox, token, client_secret="a-secret")
    assert_oauth_error(in_form, 401, "invalid_client")


def test_confidential_client_without_basic_is_invalid_client(sandbox):
    assert_oauth_error(
        public_refresh(sandbox, "sandbox", client_id="sandbox"), 401, "invalid_client"
    )
    unknown = public_refresh(sandbox, "sandbox", client_id="who-is-this")
    assert_oauth_error(unknown, 401, "invalid_client")
    anonymous = plain.post(
        sandbox.token_url, data={"grant_type": "refresh_token", "refresh_token": "sandbox"}
    )
    assert_oauth_error(anonymous, 401, "invalid_client")
    garbled = plain.post(
        sandbox.token_url,
        data={"grant_type": "refresh_token", "refresh_token": "sandbox", "client_id": PUBLIC},
        headers={"Authorization": "Basic not-base64!"},
    )
    assert_oauth_error(garbled, 401, "invalid_client")


def test_basic_and_form_client_ids_must_agree(sandbox):
    response = refresh(sandbox, client_id=PUBLIC)  # Basic says "sandbox"
    assert_oauth_error(response, 401, "invalid_client")


def test_configured_public_client_id(make_sandbox):
    sb = make_sandbox(public_client_id="my-cli")
    token = sb.issue_refresh_token("my-cli")
    assert public_refresh(sb, token, client_id="my-cli").status_code == 200
    assert_oauth_error(public_refresh(sb, token), 401, "invalid_client")
    assert sb.public_client_id == "my-cli"


def test_expire_refresh_token_hook(sandbox):
    sandbox.expire_refresh_token("sandbox")
    assert_oauth_error(refresh(sandbox), 400, "invalid_grant")
    with pytest.raises(KeyError):
        sandbox.expire_refresh_token("sandbox")


def test_refresh_tokens_expire_after_180_days_unused(make_sandbox):
    sb = make_sandbox()
    sb.advance_clock(179 * DAY)
    assert refresh(sb).status_code == 200  # used in time: 180 more days
    sb.advance_clock(179 * DAY)
    assert refresh(sb).status_code == 200
    sb.advance_clock(180 * DAY)
    assert_oauth_error(refresh(sb), 400, "invalid_grant")


def test_token_parameters_may_come_in_the_query_string(sandbox):
    token = sandbox.issue_refresh_token(PUBLIC)
    params = {"grant_type": "refresh_token", "refresh_token": token, "client_id": PUBLIC}
    response = plain.post(sandbox.token_url, params=params)
    assert response.status_code == 200, response.text


def test_partner_token_lasts_an_hour(sandbox):
    body = plain.post(
        sandbox.partner_token_url, data={"grant_type": "client_credentials"}, auth=("sandbox",) * 2
    ).json()
    assert body["expires_in"] == 3600
    headers = {"Authorization": f"Bearer {body['access_token']}", "x-api-key": "sandbox"}
    url = f"{sandbox.base_url}/partner/webhooks/subscriptions"
    sandbox.advance_clock(3590)
    assert plain.get(url, headers=headers).status_code == 200
    sandbox.advance_clock(10)
    assert plain.get(url, headers=headers).status_code == 401
