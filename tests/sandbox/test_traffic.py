"""Rate limit, latency and injected faults, as a client sees them over HTTP."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from ctctform.sandbox import Faults, parse_faults
from ctctform.sandbox.ratelimit import SlidingWindow

from .helpers import PARTNER_AUTH, THROTTLED, assert_api_error, client_for


def test_rate_limit_answers_the_documented_429_without_retry_after(make_sandbox):
    sb = make_sandbox(rate_limit=3)
    with client_for(sb) as api:
        statuses = [api.post("/contact_tags", json={"name": f"T{i}"}) for i in range(5)]
    assert [r.status_code for r in statuses] == [201, 201, 201, 429, 429]
    rejected = statuses[3]
    assert rejected.json() == THROTTLED
    assert "Retry-After" not in rejected.headers  # the API guide documents none
    assert sorted(t.name for t in sb.store().tags.values()) == ["T0", "T1", "T2"]
    assert [r.status for r in sb.requests] == [201, 201, 201, 429, 429]


def test_retry_after_header_is_an_option(make_sandbox):
    sb = make_sandbox(rate_limit=1, retry_after_header=True)
    with client_for(sb) as api:
        assert api.get("/contact_tags").status_code == 200
        rejected = api.get("/contact_tags")
    assert rejected.json() == THROTTLED
    assert int(rejected.headers["Retry-After"]) >= 1


def test_sliding_window_counts_any_one_second():
    now = [100.0]
    window = SlidingWindow(2, clock=lambda: now[0])
    assert window.acquire() is None
    now[0] = 100.6
    assert window.acquire() is None
    assert window.acquire() == 1  # two in (99.6, 100.6]
    now[0] = 101.01  # the first left the window, the second has not
    assert window.acquire() is None
    assert window.acquire() == 1
    now[0] = 102.0
    assert window.acquire() is None


def test_latency_is_served_concurrently(make_sandbox):
    sb = make_sandbox(latency_ms=200)
    paths = ["/contact_lists", "/contact_tags", "/segments", "/contact_custom_fields"]
    with client_for(sb) as api, ThreadPoolExecutor(max_workers=4) as pool:
        started = time.monotonic()
        responses = list(pool.map(api.get, paths))
        elapsed = time.monotonic() - started
    assert all(r.status_code == 200 for r in responses)
    assert 0.2 <= elapsed < 0.6, f"4 requests with 200 ms latency took {elapsed:.2f}s"
    single_started = time.monotonic()
    with client_for(sb) as api:
        api.get("/contact_lists")
    assert time.monotonic() - single_started >= 0.2


def test_error_rate_one_fails_every_write_without_committing(make_sandbox):
    sb = make_sandbox(faults=Faults(error_rate=1.0))
    with client_for(sb) as api:
        assert_api_error(api.post("/contact_lists", json={"name": "A"}), 503)
        assert api.get("/contact_lists").status_code == 200  # reads are not hit
    assert sb.store().lists == {}


def test_error_rate_is_deterministic_per_seed(make_sandbox):
    def statuses(seed):
        sb = make_sandbox(faults=Faults(error_rate=0.5, seed=seed))
        with client_for(sb) as api:
            codes = [
                api.post("/contact_tags", json={"name": f"T{i}"}).status_code for i in range(20)
            ]
        committed = sorted(t.name for t in sb.store().tags.values())
        assert committed == sorted(f"T{i}" for i, code in enumerate(codes) if code == 201)
        return codes

    first = statuses(7)
    assert set(first) == {201, 503}
    assert statuses(7) == first
    assert statuses(8) != first


def test_drop_after_commit_commits_then_drops_the_connection(make_sandbox, capfd):
    sb = make_sandbox()
    sb.faults.drop_after_commit = 2
    with client_for(sb) as api:
        assert api.get("/contact_lists").status_code == 200  # reads do not use up a drop
        for name in ("A", "B"):
            with pytest.raises(httpx.RemoteProtocolError):
                api.post("/contact_lists", json={"name": name})
        assert api.post("/contact_lists", json={"name": "C"}).status_code == 201
        names = [item["name"] for item in api.get("/contact_lists").json()["lists"]]
    assert names == ["A", "B", "C"]
    dropped = [r for r in sb.requests if r.dropped]
    assert [(r.method, r.status) for r in dropped] == [("POST", 201), ("POST", 201)]
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def test_failed_writes_do_not_use_up_drops(make_sandbox):
    sb = make_sandbox()
    sb.faults.drop_after_commit = 1
    with client_for(sb) as api:
        assert api.post("/contact_lists", json={}).status_code == 400
        with pytest.raises(httpx.RemoteProtocolError):
            api.post("/contact_lists", json={"name": "A"})


def test_burst_429_then_normal_service(make_sandbox):
    sb = make_sandbox(faults=Faults(burst_429=3, retry_after=2))
    with client_for(sb) as api:
        responses = [api.get("/contact_tags") for _ in range(4)]
    assert [r.status_code for r in responses] == [429, 429, 429, 200]
    assert all(r.headers["Retry-After"] == "2" for r in responses[:3])
    assert all(r.json() == THROTTLED for r in responses[:3])
    assert sb.faults.burst_429 == 0
    assert [r.fault for r in sb.requests] == ["burst_429"] * 3 + [None]


def test_burst_429_sends_no_retry_after_unless_set(make_sandbox):
    sb = make_sandbox(faults=Faults(burst_429=1))
    with client_for(sb) as api:
        response = api.get("/contact_tags")
    assert response.status_code == 429 and response.json() == THROTTLED
    assert "Retry-After" not in response.headers


def test_faults_hit_proxied_writes_not_proxied_reads(make_sandbox):
    sb = make_sandbox(
        faults=Faults(error_rate=1.0), seed={"accounts": [{"encoded_account_id": "abc"}]}
    )
    sync = "/partner/accounts/abc/account_operations/sync"
    read = {"account_operation_url": "/contact_lists", "account_operation_method": "GET"}
    write = read | {"account_operation_method": "POST", "account_operation_payload": '{"name":"A"}'}
    with client_for(sb, PARTNER_AUTH) as api:
        assert api.post(sync, json=read).status_code == 200
        assert api.post(sync, json=write).status_code == 503
    assert sb.store("abc").lists == {}


def test_parse_faults_spec():
    faults = parse_faults("error_rate=0.1, drop_after_commit=2,burst_429=3,retry_after=5")
    assert (faults.error_rate, faults.drop_after_commit, faults.burst_429) == (0.1, 2, 3)
    assert faults.retry_after == 5
    assert parse_faults("") == Faults()
    assert Faults().retry_after is None
    for bad in ("error_rate=2", "burst_429=-1", "nonsense=1", "error_rate", "burst_429=x"):
        with pytest.raises(ValueError):
            parse_faults(bad)
