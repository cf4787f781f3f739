"""Edge cases the sandbox cannot produce, on httpx.MockTransport (the sandbox tests are the
main evidence; these pin single behaviours)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from ctctform.api import AmbiguousWriteError, ApiError, AuthError, Client, ClientConfig
from ctctform.api.config import ConfigError
from ctctform.api.retry import parse_retry_after

Handler = Callable[[httpx.Request], httpx.Response]


def mock_client(handler: Handler, sleeps: list[float] | None = None, **settings) -> Client:
    base = {
        "api_url": "http://api.test/v3",
        "access_token": "tok",
        "rate_limit": 1000,
        "backoff_initial": 0.01,
        "backoff_max": 0.02,
    }
    config = ClientConfig(**(base | settings))
    sleep = sleeps.append if sleeps is not None else (lambda _s: None)
    return Client(config, transport=httpx.MockTransport(handler), sleep=sleep)


def test_parse_retry_after_forms() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("3", now) == 3
    assert parse_retry_after("1.5", now) == 1.5
    assert parse_retry_after("-4", now) == 0
    later = format_datetime(now + timedelta(seconds=7), usegmt=True)
    assert parse_retry_after(later, now) == pytest.approx(7)
    earlier = format_datetime(now - timedelta(seconds=7), usegmt=True)
    assert parse_retry_after(earlier, now) == 0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_retry_after_as_http_date_is_honoured() -> None:
    answers = iter([429, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        status = next(answers)
        if status == 429:
            when = datetime.now(UTC) + timedelta(seconds=3)
            return httpx.Response(429, headers={"Retry-After": format_datetime(when, usegmt=True)})
        return httpx.Response(200, json={"ok": True})

    sleeps: list[float] = []
    with mock_client(handler, sleeps) as client:
        assert client.get("/contact_tags") == {"ok": True}
    backoffs = [s for s in sleeps if s > 0.5]
    assert len(backoffs) == 1 and 1.9 < backoffs[0] <= 3.0


def test_retry_after_beyond_the_time_budget_gives_up_without_waiting() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": "3600"}, json=[])

    sleeps: list[float] = []
    client = mock_client(handler, sleeps, max_retry_time=30)
    with client, pytest.raises(ApiError, match=r"^429 Too Many Requests on GET /contact_tags"):
        client.get("/contact_tags")
    assert not [s for s in sleeps if s > 1]


def test_exhausted_retries_name_the_request_and_attempts() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, json=[{"error_message": "bad gateway"}])

    with mock_client(handler, max_attempts=3) as client, pytest.raises(ApiError) as caught:
        client.get("/segments")
    assert str(caught.value) == (
        "502 Bad Gateway on GET /segments: bad gateway (gave up after 3 attempts)"
    )
    assert not isinstance(caught.value, AmbiguousWriteError)


def test_post_answered_5xx_is_ambiguous_but_429_is_retried() -> None:
    seen: list[str] = []
    answers = iter([429, 500])

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        return httpx.Response(next(answers), json=[{"error_message": "oops"}])

    with mock_client(handler) as client, pytest.raises(AmbiguousWriteError) as caught:
        client.request("POST", "/contact_lists", json={"name": "N"})
    assert seen == ["POST", "POST"]
    assert caught.value.status == 500
    assert str(caught.value).startswith("500 Internal Server Error on POST /contact_lists: oops")


def test_token_endpoint_answering_garbage_is_an_auth_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            return httpx.Response(200, text="<html>login page</html>")
        return httpx.Response(200, json={})

    settings = {
        "access_token": None,
        "client_id": "cid",
        "client_secret": "Zx-secret-991",
        "refresh_token": "Zx-refresh-992",
        "token_url": "http://auth.test/token",
    }
    client = mock_client(handler, **settings)
    with client, pytest.raises(AuthError, match="without a JSON object") as caught:
        client.get("/contact_lists")
    assert "Zx-" not in str(caught.value)


def test_token_answer_without_access_token_is_an_auth_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"token_type": "Bearer"})

    settings = {
        "access_token": None,
        "client_id": "cid",
        "client_secret": "s3cret-s3cret",
        "refresh_token": "r3fresh-r3fresh",
        "token_url": "http://auth.test/token",
    }
    client = mock_client(handler, **settings)
    with client, pytest.raises(AuthError, match="gave no access_token"):
        client.get("/contact_lists")


REFRESHING = {
    "access_token": None,
    "client_id": "cid",
    "client_secret": "s3cret-s3cret",
    "refresh_token": "r3fresh-r3fresh",
    "token_url": "http://auth.test/token",
    "credentials_file": None,
}


@pytest.mark.parametrize(
    "answer",
    [
        {"access_token": 12345678901, "expires_in": 3600},
        {"access_token": "tok\x0bvalue-123", "expires_in": 3600},
        {"access_token": "good-token-1234", "refresh_token": ["r"], "expires_in": 3600},
    ],
    ids=["numeric-token", "control-character", "refresh-token-a-list"],
)
def test_a_token_answer_that_is_not_a_token_is_an_auth_error(answer, tmp_path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            return httpx.Response(200, json=answer)
        return httpx.Response(200, json={"tags": []})

    settings = {**REFRESHING, "credentials_file": tmp_path / "store.json"}
    with mock_client(handler, **settings) as client, pytest.raises(AuthError) as caught:
        client.get("/contact_tags")
    assert "is not a token" in str(caught.value)
    assert "tok\x0bvalue" not in str(caught.value) and "\\x0b" not in str(caught.value)


@pytest.mark.parametrize(
    "expires_in",
    [10**400, -5, "3600", True, None],
    ids=["huge", "negative", "text", "bool", "null"],
)
def test_an_odd_expires_in_means_unknown_not_a_crash(expires_in, tmp_path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            text = f'{{"access_token": "good-token-1234", "expires_in": {json.dumps(expires_in)}}}'
            if expires_in == 10**400:
                text = '{"access_token": "good-token-1234", "expires_in": ' + str(10**400) + "}"
            return httpx.Response(200, text=text, headers={"Content-Type": "application/json"})
        return httpx.Response(200, json={"tags": []})

    settings = {**REFRESHING, "credentials_file": tmp_path / "store.json"}
    with mock_client(handler, **settings) as client:
        assert client.paginate("/contact_tags", "tags") == []
    stored = json.loads((tmp_path / "store.json").read_text())["clients"]["cid"]
    assert stored["access_token"] == "good-token-1234" and stored.get("expires_at") is None


def test_a_token_with_a_control_character_is_refused_before_any_request() -> None:
    with pytest.raises(ConfigError) as caught:
        ClientConfig.from_env({"CTCT_ACCESS_TOKEN": "mysecretTOKEN\x0bvalue"})
    assert str(caught.value) == (
        "CTCT_ACCESS_TOKEN holds a space or a character a header cannot carry"
    )


def test_next_links_are_never_followed_to_another_host_or_path() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.host == "api.test"
        seen.append(str(request.url))
        if "cursor" in request.url.params:
            return httpx.Response(200, json={"tags": [{"tag_id": "t2", "name": "B"}]})
        next_link = {"next": {"href": "http://evil.test/elsewhere/contact_tags?cursor=x"}}
        return httpx.Response(
            200, json={"tags": [{"tag_id": "t1", "name": "A"}], "_links": next_link}
        )

    with mock_client(handler) as client:
        tags = client.paginate("/contact_tags", "tags")
    # Only the cursor is taken from the link; the known path on the API host is requested.
    assert [t["name"] for t in tags] == ["A", "B"]
    assert seen == ["http://api.test/v3/contact_tags", "http://api.test/v3/contact_tags?cursor=x"]


def test_a_stored_token_spent_by_a_lost_answer_still_falls_back_to_the_env_token(
    tmp_path,
) -> None:
    """The store's token is refused when sent again after its first answer was lost; the
    next candidate (CTCT_REFRESH_TOKEN) is still tried, as docs/auth.md promises."""
    from ctctform.api.credentials import CredentialStore, StoredTokens

    store = tmp_path / "store.json"
    CredentialStore(store).write(
        "cid", StoredTokens(refresh_token="stored-refresh-1", token_url="http://auth.test/token")
    )
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            token = dict(httpx.QueryParams(request.content.decode()))["refresh_token"]
            sent.append(token)
            if len(sent) == 1:
                raise httpx.ReadError("the answer was lost", request=request)
            if token == "stored-refresh-1":
                return httpx.Response(400, json={"error": "invalid_grant"})
            return httpx.Response(200, json={"access_token": "fresh-access-1", "expires_in": 60})
        return httpx.Response(200, json={"tags": []})

    settings = {**REFRESHING, "refresh_token": "env-refresh-2", "credentials_file": store}
    with mock_client(handler, **settings) as client:
        assert client.paginate("/contact_tags", "tags") == []
    assert sent == ["stored-refresh-1", "stored-refresh-1", "env-refresh-2"]


def test_an_empty_refresh_token_in_an_answer_keeps_the_one_there_is(tmp_path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            return httpx.Response(
                200, json={"access_token": "good-token-1234", "refresh_token": ""}
            )
        return httpx.Response(200, json={"tags": []})

    settings = {**REFRESHING, "credentials_file": tmp_path / "store.json"}
    with mock_client(handler, **settings) as client:
        assert client.paginate("/contact_tags", "tags") == []
    stored = json.loads((tmp_path / "store.json").read_text())["clients"]["cid"]
    assert stored["refresh_token"] == "r3fresh-r3fresh"
