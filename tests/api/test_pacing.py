"""Pacing against the sandbox's real 1-second sliding window."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from ctctform.api import Client, ClientConfig
from ctctform.sandbox import Sandbox


def test_default_rate_stays_under_the_api_limit_from_four_threads() -> None:
    seed = {"tags": [{"name": "VIP"}]}
    with Sandbox(port=0, rate_limit=4, seed=seed) as sb:
        env = sb.env()
        del env["CTCT_PARTNER_API_KEY"]  # a partner key would raise the default to 10/s
        config = ClientConfig.from_env(env)
        assert config.rate_limit == 4
        with Client(config) as client, ThreadPoolExecutor(4) as pool:
            started = time.monotonic()
            results = list(pool.map(lambda _i: client.get("/contact_tags"), range(30)))
            elapsed = time.monotonic() - started
        statuses = [r.status for r in sb.requests]
    assert len(results) == 30
    assert statuses.count(429) == 0
    assert statuses == [200] * 30
    assert client.stats.total == 30 and client.stats.throttled == 0
    # 30 starts spaced >= 1/4 s apart cannot take less than 29/4 s.
    assert elapsed >= 29 / 4


def test_requests_overlap_instead_of_queueing_behind_latency(make_client) -> None:
    with Sandbox(port=0, latency_ms=300) as sb:
        config = ClientConfig.from_env(sb.env(), rate_limit=40, max_in_flight=10)
        with Client(config) as client, ThreadPoolExecutor(10) as pool:
            started = time.monotonic()
            list(pool.map(lambda _i: client.get("/contact_lists"), range(10)))
            elapsed = time.monotonic() - started
    # Sequential would be 10 x 0.3 s = 3 s; overlapped it is ~9/40 s + 0.3 s.
    assert elapsed < 1.5


def test_retries_take_new_slots_and_still_respect_the_window() -> None:
    with Sandbox(port=0, rate_limit=20) as sb:
        sb.faults.error_rate = 0.3
        config = ClientConfig.from_env(
            sb.env(), rate_limit=20, backoff_initial=0.01, backoff_max=0.02
        )
        with Client(config) as client:
            tag = client.request("POST", "/contact_tags", json={"name": "seed"}, idempotent=True)
            with ThreadPoolExecutor(4) as pool:
                list(
                    pool.map(
                        lambda i: client.request(
                            "PUT", f"/contact_tags/{tag['tag_id']}", json={"name": f"n{i % 3}"}
                        ),
                        range(20),
                    )
                )
        statuses = [r.status for r in sb.requests]
    assert 503 in statuses  # faults did fire and were retried
    assert 429 not in statuses


def test_a_throttled_answer_slows_the_client_for_the_rest_of_the_run() -> None:
    with Sandbox(port=0) as sb:
        sb.faults.replace(
            "GET", "/v3/contact_tags", status=429, times=1, headers={"Retry-After": "0"}
        )
        with Client(ClientConfig.from_env(sb.env(), rate_limit=10)) as client:
            before = client.transport.limiter.interval
            client.get("/contact_tags")  # throttled once, then answered
            after = client.transport.limiter.interval
    assert before == pytest.approx(1.05 / 10) and after == pytest.approx(1.10 / 10)
    assert [r.status for r in sb.requests if r.path == "/v3/contact_tags"] == [429, 200]
