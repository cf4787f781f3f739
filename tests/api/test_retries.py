"""Retries and ambiguous writes against injected sandbox faults."""

from __future__ import annotations

import socket
import time

import pytest

from ctctform.api import AmbiguousWriteError, ApiError, Client, ClientConfig
from ctctform.sandbox import Sandbox

from .helpers import count, sandbox_config


def test_injected_503s_on_puts_are_retried_to_success(sb: Sandbox, client: Client) -> None:
    tag = client.request("POST", "/contact_tags", json={"name": "Old"})
    sb.faults.error_rate = 0.5
    for i in range(12):
        renamed = client.request("PUT", f"/contact_tags/{tag['tag_id']}", json={"name": f"N{i}"})
        assert renamed["name"] == f"N{i}"
    failures = count(sb, "PUT", f"/v3/contact_tags/{tag['tag_id']}", 503)
    assert failures > 0
    assert count(sb, "PUT", f"/v3/contact_tags/{tag['tag_id']}", 200) == 12
    assert client.stats.retries == failures
    assert sb.store().find("tags", "N11") is not None


def test_429_bursts_are_retried_for_reads_and_writes(sb: Sandbox, client: Client) -> None:
    sb.faults.retry_after = 0
    sb.faults.burst_429 = 3
    assert isinstance(client.get("/contact_lists"), dict)
    assert count(sb, "GET", "/v3/contact_lists", 429) == 3
    sb.faults.burst_429 = 2
    created = client.request("POST", "/contact_tags", json={"name": "Throttled"})
    assert created["name"] == "Throttled"
    # A 429 means "not processed": the POST was sent again and created exactly once.
    assert count(sb, "POST", "/v3/contact_tags", 429) == 2
    assert count(sb, "POST", "/v3/contact_tags", 201) == 1
    assert client.stats.throttled == 5


def test_retry_after_seconds_are_honoured(sb: Sandbox, client: Client) -> None:
    sb.faults.retry_after = 1
    sb.faults.burst_429 = 1
    started = time.monotonic()
    client.get("/contact_tags")
    assert time.monotonic() - started >= 1.0


def test_post_dropped_after_commit_is_an_ambiguous_write(sb: Sandbox, client: Client) -> None:
    sb.faults.drop_after_commit = 1
    with pytest.raises(AmbiguousWriteError) as caught:
        client.request("POST", "/contact_tags", json={"name": "Maybe"})
    err = caught.value
    assert (err.status, err.method, err.path) == (None, "POST", "/contact_tags")
    assert str(err).startswith("POST /contact_tags: no answer")
    assert "read it back" in str(err)
    # Sent once, committed once, never blindly repeated.
    assert count(sb, "POST", "/v3/contact_tags") == 1
    assert sb.store().find("tags", "Maybe") is not None


def test_put_dropped_after_commit_is_retried_to_success(sb: Sandbox, client: Client) -> None:
    tag = client.request("POST", "/contact_tags", json={"name": "Before"})
    sb.faults.drop_after_commit = 1
    answer = client.request("PUT", f"/contact_tags/{tag['tag_id']}", json={"name": "After"})
    assert answer["name"] == "After"
    records = [r for r in sb.requests if r.method == "PUT"]
    assert [r.dropped for r in records] == [True, False]


def test_post_answered_503_is_ambiguous_and_not_repeated(sb: Sandbox, client: Client) -> None:
    sb.faults.error_rate = 1.0
    with pytest.raises(
        AmbiguousWriteError, match=r"^503 Service Unavailable on POST /contact_lists"
    ):
        client.request("POST", "/contact_lists", json={"name": "Never"})
    assert count(sb, "POST", "/v3/contact_lists") == 1


def test_idempotent_post_is_retried_after_a_drop(sb: Sandbox, client: Client) -> None:
    tag = client.request("POST", "/contact_tags", json={"name": "Gone soon"})
    sb.faults.drop_after_commit = 1
    done = client.run_activity("/activities/contacts_tags_delete", {"tag_ids": [tag["tag_id"]]})
    assert done["state"] == "completed"
    assert count(sb, "POST", "/v3/activities/contacts_tags_delete") == 2
    assert sb.store().find("tags", "Gone soon") is None


def test_exhausted_retries_raise_api_error_naming_the_request(sb: Sandbox, make_client) -> None:
    client = make_client(max_attempts=3)
    tag = client.request("POST", "/contact_tags", json={"name": "X"})
    sb.faults.error_rate = 1.0
    with pytest.raises(ApiError) as caught:
        client.request("DELETE", f"/contact_tags/{tag['tag_id']}")
    assert not isinstance(caught.value, AmbiguousWriteError)
    assert str(caught.value).startswith(
        f"503 Service Unavailable on DELETE /contact_tags/{tag['tag_id']}:"
    )
    assert str(caught.value).endswith("(gave up after 3 attempts)")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_connection_refused_is_retried_then_reported_and_never_ambiguous() -> None:
    config = ClientConfig(
        api_url=f"http://127.0.0.1:{_closed_port()}/v3",
        access_token="t",
        rate_limit=100,
        max_attempts=3,
        backoff_initial=0.01,
        backoff_max=0.01,
    )
    with Client(config) as client:
        with pytest.raises(
            ApiError,
            match=r"^GET /contact_tags: cannot connect to 127.0.0.1:\d+: ConnectError.*gave up after 3",
        ):
            client.get("/contact_tags")
        # Nothing reached a server, so even a POST is safe to retry and is not ambiguous.
        with pytest.raises(ApiError) as caught:
            client.request("POST", "/contact_tags", json={"name": "x"})
        assert not isinstance(caught.value, AmbiguousWriteError)
        assert client.stats.total == 0


def test_read_timeout_retries_gets_and_makes_posts_ambiguous() -> None:
    with Sandbox(port=0, latency_ms=400) as sb:
        config = sandbox_config(sb, timeout=0.1, max_attempts=2)
        with Client(config) as client:
            with pytest.raises(ApiError, match=r"ReadTimeout.*gave up after 2 attempts"):
                client.get("/contact_tags")
            with pytest.raises(AmbiguousWriteError, match="ReadTimeout"):
                client.request("POST", "/contact_tags", json={"name": "Slow"})
        # The server still commits the abandoned POST: that is why it is ambiguous.
        deadline = time.monotonic() + 5
        while sb.store().find("tags", "Slow") is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert sb.store().find("tags", "Slow") is not None


def test_delete_whose_answer_was_lost_then_404s_counts_as_deleted(
    sb: Sandbox, client: Client
) -> None:
    criteria = '{"version":"1.0.0","criteria":{"type":"and","group":[]}}'
    segment = client.request("POST", "/segments", json={"name": "S", "segment_criteria": criteria})
    path = f"/segments/{segment['segment_id']}"
    sb.faults.drop_after_commit = 1
    assert client.request("DELETE", path) is None
    assert [r.status for r in sb.requests if r.method == "DELETE"] == [204, 404]
    # Without an uncertain earlier attempt a 404 is an error as usual.
    with pytest.raises(ApiError, match=f"^404 Not Found on DELETE {path}"):
        client.request("DELETE", path)
