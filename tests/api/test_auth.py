"""Credentials against the sandbox's token endpoints: start-up refresh, 401 refresh across
threads, rotation, partner credentials, and clear errors."""

from __future__ import annotations

import json
import stat
import threading
import time
from pathlib import Path

import httpx
import pytest

from ctctform.api import AuthError, Client, ClientConfig
from ctctform.api.auth import NO_CREDENTIALS
from ctctform.sandbox import Sandbox

from .helpers import count, live_refresh_tokens, revoke_issued_tokens, sandbox_config

TOKEN_PATH = "/oauth2/default/v1/token"
PARTNER_TOKEN_PATH = "/oauth2/token"


def refresh_config(sb: Sandbox, **overrides) -> ClientConfig:
    """Refresh-token grant only: no access token given."""
    return sandbox_config(sb, **overrides).replace(access_token=None)


def test_refresh_grant_at_start_when_no_access_token(sb: Sandbox) -> None:
    with Client(refresh_config(sb)) as client:
        assert "tags" in client.get("/contact_tags")
        assert client.stats.token_requests == 1
        assert client.stats.total == 1  # token requests are counted apart
    assert count(sb, "POST", TOKEN_PATH, 200) == 1


def test_concurrent_401s_cause_exactly_one_refresh(sb: Sandbox) -> None:
    config = sandbox_config(sb).replace(access_token="expired-access-token")
    threads = 8
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []
    with Client(config) as client:

        def work() -> None:
            barrier.wait()
            try:
                client.get("/contact_lists")
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

        workers = [threading.Thread(target=work) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    assert errors == []
    assert count(sb, "POST", TOKEN_PATH) == 1
    assert count(sb, "GET", "/v3/contact_lists", 401) >= 1
    assert count(sb, "GET", "/v3/contact_lists", 200) == threads


def test_revoked_token_is_refreshed_once_and_the_request_retried(sb: Sandbox) -> None:
    with Client(refresh_config(sb)) as client:
        client.get("/contact_tags")
        revoke_issued_tokens(sb)
        client.get("/contact_tags")
    assert count(sb, "POST", TOKEN_PATH) == 2
    assert [r.status for r in sb.requests if r.path == "/v3/contact_tags"] == [200, 401, 200]


def test_rejected_static_token_without_refresh_settings_is_an_auth_error(sb: Sandbox) -> None:
    config = ClientConfig(api_url=sb.base_url, access_token="not-a-valid-token", rate_limit=100)
    with Client(config) as client, pytest.raises(AuthError) as caught:
        client.get("/contact_lists")
    message = str(caught.value)
    assert message.startswith("the access token was rejected (401 on GET /contact_lists)")
    assert "CTCT_ACCESS_TOKEN" in message
    assert "not-a-valid-token" not in message


def test_second_401_after_refresh_is_an_auth_error() -> None:
    token_calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            token_calls.append(request.method)
            return httpx.Response(200, json={"access_token": f"fresh-{len(token_calls)}"})
        return httpx.Response(401, json={"error_key": "unauthorized", "error_message": "No"})

    config = ClientConfig(
        api_url="http://api.test/v3",
        token_url="http://api.test/token",
        client_id="cid",
        client_secret="csecret",
        refresh_token="rtoken",
        rate_limit=1000,
    )
    with (
        Client(config, transport=httpx.MockTransport(handler)) as client,
        pytest.raises(AuthError, match=r"^credentials rejected: 401 Unauthorized on GET /x: No"),
    ):
        client.get("/x")
    assert token_calls == ["POST", "POST"]  # one at start, one on the 401, none after


def test_missing_credentials_message_and_no_request(sb: Sandbox) -> None:
    config = ClientConfig(api_url=sb.base_url, rate_limit=100)
    with Client(config) as client, pytest.raises(AuthError) as caught:
        client.get("/contact_lists")
    assert str(caught.value) == NO_CREDENTIALS
    assert "ctctform login" in NO_CREDENTIALS and "CTCT_ACCESS_TOKEN" in NO_CREDENTIALS
    assert sb.requests == []


def test_a_confidential_app_without_its_secret_is_told_to_set_it(sb: Sandbox) -> None:
    # No secret means a public client (client_id in the form, no Basic); the sandbox's
    # `sandbox` client is confidential, so the token endpoint refuses it.
    config = refresh_config(sb).replace(client_secret=None)
    with Client(config) as client, pytest.raises(AuthError) as caught:
        client.get("/contact_lists")
    assert "invalid_client" in str(caught.value)
    assert "CTCT_CLIENT_SECRET is not set" in str(caught.value)
    assert count(sb, "POST", TOKEN_PATH) == 1


def test_bad_refresh_token_reports_the_endpoint_error_without_the_secret(sb: Sandbox) -> None:
    config = refresh_config(sb, refresh_token="RT-wrong-4d1f")
    with Client(config) as client, pytest.raises(AuthError) as caught:
        client.get("/contact_lists")
    message = str(caught.value)
    assert message.startswith("CTCT_REFRESH_TOKEN was refused (invalid_grant")
    assert "ctctform login" in message
    assert "RT-wrong-4d1f" not in message


def test_bad_client_secret_reports_invalid_client(sb: Sandbox) -> None:
    config = refresh_config(sb, client_secret="CS-wrong-77ab")
    with Client(config) as client, pytest.raises(AuthError, match="invalid_client") as caught:
        client.get("/contact_lists")
    assert "CS-wrong-77ab" not in str(caught.value)


def test_failed_refresh_is_not_repeated_by_other_threads(sb: Sandbox) -> None:
    config = refresh_config(sb, refresh_token="RT-wrong-9c2e")
    errors: list[BaseException] = []
    with Client(config) as client:

        def work() -> None:
            try:
                client.get("/contact_lists")
            except AuthError as exc:
                errors.append(exc)

        workers = [threading.Thread(target=work) for _ in range(5)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    assert len(errors) == 5
    assert count(sb, "POST", TOKEN_PATH) == 1


def test_a_rotation_is_written_to_the_store_0600_and_used_next_run(tmp_path: Path) -> None:
    store = tmp_path / "cfg" / "credentials.json"
    notices: list[str] = []
    with Sandbox(port=0, rotate_refresh_tokens=True) as sb:
        config = refresh_config(sb, credentials_file=store)
        with Client(config, notice=notices.append) as client:
            client.get("/contact_tags")
        saved = json.loads(store.read_text())["clients"]["sandbox"]
        assert live_refresh_tokens(sb) == {saved["refresh_token"]}  # the old one is spent
        assert saved["access_token"] and saved["expires_at"] > time.time()
        # The next run uses the stored access token: no token request at all.
        sb.reset_log()
        with Client(config) as client:
            client.get("/contact_tags")
        assert count(sb, "POST", TOKEN_PATH) == 0
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.parent.stat().st_mode) == 0o700
    assert len(notices) == 1 and str(store) in notices[0]
    assert saved["refresh_token"] not in notices[0]


def test_the_rotation_hook_receives_the_new_token_on_stdin(tmp_path: Path) -> None:
    received = tmp_path / "received"
    with Sandbox(port=0, rotate_refresh_tokens=True) as sb:
        config = refresh_config(
            sb,
            credentials_file=tmp_path / "credentials.json",
            on_token_rotated=f"cat > {received}",
        )
        with Client(config, notice=lambda _m: None) as client:
            client.get("/contact_tags")
        assert received.read_text().strip() in live_refresh_tokens(sb)


def test_an_unwritable_store_refuses_before_spending_the_refresh_token(tmp_path: Path) -> None:
    # A path whose directory cannot exist (its parent is a file): unwritable even for root.
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    with Sandbox(port=0, rotate_refresh_tokens=True) as sb:
        config = refresh_config(sb, credentials_file=blocker / "credentials.json")
        with Client(config) as client, pytest.raises(AuthError) as caught:
            client.get("/contact_tags")
        assert count(sb, "POST", TOKEN_PATH) == 0
        assert live_refresh_tokens(sb) == {"sandbox"}  # still valid: nothing was lost
    assert "credential store" in str(caught.value) and "CTCT_CREDENTIALS_FILE" in str(caught.value)


def test_partner_calls_use_api_key_and_one_lazy_client_credentials_token(sb: Sandbox) -> None:
    with Client(sandbox_config(sb).replace(access_token=None)) as client:
        assert sb.requests == []  # nothing fetched before the first partner call
        workers = [
            threading.Thread(target=lambda: client.get("/partner/webhooks/subscriptions"))
            for _ in range(6)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    assert count(sb, "POST", PARTNER_TOKEN_PATH) == 1
    assert count(sb, "GET", "/v3/partner/webhooks/subscriptions", 200) == 6
    assert count(sb, "POST", TOKEN_PATH) == 0  # the account grant was never needed


def test_partner_token_is_refreshed_once_on_401(sb: Sandbox) -> None:
    with Client(sandbox_config(sb)) as client:
        client.partner_accounts()
        revoke_issued_tokens(sb)
        client.partner_accounts()
    assert count(sb, "POST", PARTNER_TOKEN_PATH) == 2
    assert [r.status for r in sb.requests if r.path == "/v3/partner/accounts"] == [200, 401, 200]


def test_missing_partner_settings_name_the_variables(sb: Sandbox) -> None:
    config = sandbox_config(sb).replace(partner_client_secret=None, partner_api_key=None)
    with Client(config) as client, pytest.raises(AuthError) as caught:
        client.partner_accounts()
    assert str(caught.value) == (
        "partner endpoints need CTCT_PARTNER_API_KEY, CTCT_PARTNER_CLIENT_ID and "
        "CTCT_PARTNER_CLIENT_SECRET (missing: CTCT_PARTNER_API_KEY, CTCT_PARTNER_CLIENT_SECRET)"
    )
    with Client(config) as client, pytest.raises(AuthError):
        client.for_account("a08e1izvh8t9").get("/contact_tags")
    assert sb.requests == []


def test_the_partner_grant_is_sent_as_the_guide_shows_it(sb: Sandbox) -> None:
    """partners_auth.html: Basic credentials, the data as query parameters, an empty body,
    Content-Type application/x-www-form-urlencoded (the sandbox answers 415 without it)."""
    with Client(sandbox_config(sb)) as client:
        client.partner_accounts()
    grants = [r for r in sb.requests if r.path == PARTNER_TOKEN_PATH]
    assert [(g.status, g.query) for g in grants] == [(200, "grant_type=client_credentials")]
    plain = httpx.post(sb.partner_token_url, auth=("sandbox", "sandbox"))  # no Content-Type
    assert plain.status_code == 415 and plain.json()["error"] == "invalid_request"


def test_a_rotated_refresh_lost_on_the_wire_says_what_happened(tmp_path: Path) -> None:
    """The refresh commits (the old token is spent) but its answer never arrives; the retry
    is refused. The error says so, not "expired after 180 days"."""
    with Sandbox(port=0, rotate_refresh_tokens=True) as sb:
        sb.faults.replace("POST", TOKEN_PATH, action="reset", commit=True, times=1)
        config = refresh_config(sb, credentials_file=tmp_path / "credentials.json")
        with Client(config) as client, pytest.raises(AuthError) as caught:
            client.get("/contact_tags")
        assert count(sb, "POST", TOKEN_PATH) == 2
    message = str(caught.value)
    assert "sent again after an earlier attempt failed" in message and "180 days" not in message
    assert "ctctform login" in message
