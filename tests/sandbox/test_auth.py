"""Bearer auth, partner API keys, and the two token endpoints."""

from __future__ import annotations

from ctctform.sandbox import Sandbox

from .helpers import AUTH, client_for, plain


def refresh(sb: Sandbox, refresh_token: str = "sandbox", auth: tuple[str, str] | None = None):
    return plain.post(
        sb.token_url,
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        auth=auth or ("sandbox", "sandbox"),
    )


def partner_grant(sb: Sandbox, auth: tuple[str, str] = ("sandbox", "sandbox")):
    return plain.post(sb.partner_token_url, data={"grant_type": "client_credentials"}, auth=auth)


def test_no_token_is_401_with_authorization_error_body(sandbox, conforms):
    response = plain.get(f"{sandbox.base_url}/contact_lists")
    assert response.status_code == 401
    body = response.json()
    assert body == {"error_key": "unauthorized", "error_message": "Unauthorized"}
    conforms(body, "AuthorizationErrorSchema")


def test_bad_token_is_401_and_writes_nothing(sandbox):
    with client_for(sandbox, {"Authorization": "Bearer wrong"}) as client:
        assert client.get("/contact_tags").status_code == 401
        assert client.post("/contact_tags", json={"name": "VIP"}).status_code == 401
    assert sandbox.store().tags == {}


def test_basic_auth_is_not_a_bearer_token(sandbox):
    assert plain.get(f"{sandbox.base_url}/segments", auth=("sandbox", "sandbox")).status_code == 401


def test_configured_token_replaces_the_default(make_sandbox):
    sb = make_sandbox(token="s3cret")
    assert plain.get(f"{sb.base_url}/contact_lists", headers=AUTH).status_code == 401
    headers = {"Authorization": "Bearer s3cret"}
    assert plain.get(f"{sb.base_url}/contact_lists", headers=headers).status_code == 200


def test_partner_endpoints_need_the_api_key(sandbox):
    url = f"{sandbox.base_url}/partner/webhooks/subscriptions"
    assert plain.get(url, headers=AUTH).status_code == 403
    assert plain.get(url, headers=AUTH | {"x-api-key": "wrong"}).status_code == 403
    assert plain.get(url, headers={"x-api-key": "sandbox"}).status_code == 401
    assert plain.get(url, headers=AUTH | {"x-api-key": "sandbox"}).status_code == 200


def test_refresh_grant_issues_a_usable_token(sandbox):
    response = refresh(sandbox)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] > 0 and body["scope"]
    assert body["refresh_token"] == "sandbox"  # no rotation by default
    token = body["access_token"]
    assert token != "sandbox"
    headers = {"Authorization": f"Bearer {token}"}
    assert plain.get(f"{sandbox.base_url}/contact_lists", headers=headers).status_code == 200


def test_refresh_grant_rejects_wrong_credentials(sandbox):
    bad_client = refresh(sandbox, auth=("sandbox", "nope"))
    assert bad_client.status_code == 401
    assert bad_client.json()["error"] == "invalid_client"
    bad_grant = refresh(sandbox, refresh_token="stolen")
    assert bad_grant.status_code == 400
    assert bad_grant.json()["error"] == "invalid_grant"
    assert "error_description" in bad_grant.json()
    unsupported = plain.post(
        sandbox.token_url, data={"grant_type": "password"}, auth=("sandbox", "sandbox")
    )
    assert unsupported.json()["error"] == "unsupported_grant_type"


def test_client_secret_in_the_form_is_not_accepted(sandbox):
    form = {
        "grant_type": "refresh_token",
        "refresh_token": "sandbox",
        "client_id": "sandbox",
        "client_secret": "sandbox",
    }
    assert plain.post(sandbox.token_url, data=form).status_code == 401


def test_rotation_replaces_the_refresh_token(make_sandbox):
    sb = make_sandbox(rotate_refresh_tokens=True)
    first = refresh(sb).json()
    assert first["refresh_token"] != "sandbox"
    assert refresh(sb, "sandbox").status_code == 400  # the old one is spent
    second = refresh(sb, first["refresh_token"])
    assert second.status_code == 200
    assert second.json()["refresh_token"] not in ("sandbox", first["refresh_token"])


def test_revoked_token_is_401_until_refreshed(sandbox):
    token = refresh(sandbox).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    sandbox.revoke_token(token)
    assert plain.get(f"{sandbox.base_url}/contact_lists", headers=headers).status_code == 401
    fresh = refresh(sandbox).json()["access_token"]
    fresh_headers = {"Authorization": f"Bearer {fresh}"}
    assert plain.get(f"{sandbox.base_url}/contact_lists", headers=fresh_headers).status_code == 200


def test_partner_grant_token_opens_partner_endpoints_only(sandbox):
    response = partner_grant(sandbox)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    headers = {"Authorization": f"Bearer {body['access_token']}", "x-api-key": "sandbox"}
    url = f"{sandbox.base_url}/partner/webhooks/subscriptions"
    assert plain.get(url, headers=headers).status_code == 200
    assert plain.get(f"{sandbox.base_url}/contact_lists", headers=headers).status_code == 401


def test_partner_grant_rejects_wrong_client(sandbox):
    response = partner_grant(sandbox, auth=("sandbox", "wrong"))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client"


def test_token_requests_are_logged_and_never_throttled(make_sandbox):
    sb = make_sandbox(rate_limit=1)
    sb.faults.burst_429 = 5
    assert all(refresh(sb).status_code == 200 for _ in range(3))
    assert [r.path for r in sb.requests] == ["/oauth2/default/v1/token"] * 3
    assert sb.faults.burst_429 == 5
