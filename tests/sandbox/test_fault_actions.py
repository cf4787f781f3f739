"""The connection-level and stateful fault actions: reset, hang, endless_cursor,
stuck_activity (each over real HTTP, synchronised by the rule's hits, never by sleeping)."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from .helpers import PARTNER_AUTH, client_for, href_path
from .test_partner import sync_body

SYNC = "/partner/accounts/abc/account_operations/sync"


def test_reset_without_commit_answers_nothing_and_writes_nothing(api, sandbox):
    sandbox.faults.replace("POST", "/v3/contact_lists", action="reset")
    with pytest.raises(httpx.RemoteProtocolError):
        api.post("/contact_lists", json={"name": "Lost"})
    assert sandbox.store().lists == {}
    record = sandbox.requests[-1]
    assert (record.status, record.dropped, record.fault) == (0, True, "reset")


def test_reset_after_commit_writes_then_closes(api, sandbox):
    sandbox.faults.replace("POST", "/v3/contact_lists", action="reset", commit=True, times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        api.post("/contact_lists", json={"name": "Kept"})
    assert [r.name for r in sandbox.store().lists.values()] == ["Kept"]
    assert api.post("/contact_lists", json={"name": "Kept"}).status_code == 409
    assert [(r.status, r.fault) for r in sandbox.requests] == [(201, "reset"), (409, None)]


def test_reset_of_a_proxied_request_closes_the_outer_connection(make_sandbox):
    sb = make_sandbox(seed={"accounts": [{"encoded_account_id": "abc"}]})
    sb.faults.replace("POST", "/v3/contact_tags", action="reset", account="abc")
    with client_for(sb, PARTNER_AUTH) as partner, pytest.raises(httpx.RemoteProtocolError):
        partner.post(SYNC, json=sync_body("/contact_tags", "POST", {"name": "T"}))
    inner, outer = sb.requests
    assert (inner.account, inner.fault, inner.dropped, inner.status) == ("abc", "reset", True, 0)
    assert (outer.path, outer.fault, outer.dropped) == (f"/v3{SYNC}", "reset", True)
    assert sb.store("abc").tags == {}


def test_hang_holds_one_request_and_blocks_neither_others_nor_stop(make_sandbox):
    sb = make_sandbox()
    rule = sb.faults.replace("GET", "/v3/contact_tags", action="hang", hang_seconds=60)
    outcome: list[BaseException | int] = []

    def hung_request() -> None:
        with client_for(sb) as api:
            try:
                outcome.append(api.get("/contact_tags").status_code)
            except httpx.HTTPError as exc:
                outcome.append(exc)

    worker = threading.Thread(target=hung_request)
    worker.start()
    assert rule.wait(1, timeout=5)
    with client_for(sb) as other:
        assert other.get("/contact_lists").status_code == 200  # not behind the hung one
    assert [r.fault for r in sb.requests] == ["hang", None]
    started = time.monotonic()
    sb.stop()
    worker.join(timeout=5)
    assert time.monotonic() - started < 2, "stop() waited for the hung request"
    assert not worker.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], httpx.RemoteProtocolError)


def test_hang_is_a_read_timeout_for_a_client_with_one(api, sandbox):
    sandbox.faults.replace("GET", "/v3/segments", action="hang", hang_seconds=60)
    with pytest.raises(httpx.ReadTimeout):
        api.get("/segments", timeout=0.3)
    record = sandbox.requests[-1]
    assert (record.fault, record.dropped) == ("hang", True)


def test_hang_after_commit_writes_first(api, sandbox):
    rule = sandbox.faults.replace(
        "POST", "/v3/contact_tags", action="hang", commit=True, hang_seconds=60
    )
    with pytest.raises(httpx.ReadTimeout):
        api.post("/contact_tags", json={"name": "Slow"}, timeout=0.3)
    assert rule.hits == 1
    assert [t.name for t in sandbox.store().tags.values()] == ["Slow"]


def test_endless_cursor_never_repeats_a_next_link(make_sandbox):
    sb = make_sandbox(seed={"tags": [{"name": f"T{i}"} for i in range(3)]})
    rule = sb.faults.replace("GET", "/v3/contact_tags", action="endless_cursor", after=1)
    with client_for(sb) as api:
        page = api.get("/contact_tags", params={"limit": 2}).json()  # let through: real
        first_href = page["_links"]["next"]["href"]
        hrefs = []
        for _ in range(25):
            hrefs.append(page["_links"]["next"]["href"])
            response = api.get(href_path(hrefs[-1]))
            assert response.status_code == 200
            page = response.json()
            assert page["tags"]  # a real page every time
        assert len(set(hrefs)) == len(hrefs) == 25
        assert all("limit=2" in href for href in hrefs[1:])
        assert [t["name"] for t in page["tags"]] == ["T0", "T1"]
        sb.faults.clear()
        # An invented cursor means nothing to the real handler.
        assert api.get(href_path(page["_links"]["next"]["href"])).status_code == 400
        assert api.get(href_path(first_href)).json()["tags"][0]["name"] == "T2"
    assert rule.hits == 25


def test_endless_cursor_through_the_partner_proxy(make_sandbox):
    sb = make_sandbox(seed={"accounts": [{"encoded_account_id": "abc", "tags": [{"name": "A"}]}]})
    sb.faults.replace("GET", "/v3/contact_tags", action="endless_cursor", account="abc")
    with client_for(sb, PARTNER_AUTH) as partner:
        links = set()
        for _ in range(5):
            page = partner.post(SYNC, json=sync_body("/contact_tags")).json()
            assert [t["name"] for t in page["tags"]] == ["A"]
            links.add(page["_links"]["next"]["href"])
    assert len(links) == 5


def test_stuck_activity_stays_processing_and_deletes_nothing(make_sandbox):
    sb = make_sandbox(seed={"tags": [{"name": "Doomed"}]})
    tag_id = next(iter(sb.store().tags))
    sb.faults.replace("POST", "/v3/activities/contacts_tags_delete", action="stuck_activity")
    with client_for(sb) as api:
        created = api.post("/activities/contacts_tags_delete", json={"tag_ids": [tag_id]})
        assert created.status_code == 201  # the real answer
        href = href_path(created.json()["_links"]["self"]["href"])
        states = {api.get(href).json()["state"] for _ in range(10)}
        assert states == {"processing"}
        assert tag_id in sb.store().tags
        sb.faults.clear()  # unfrozen: it moves on as the store's activities do
        later = [api.get(href).json()["state"] for _ in range(3)]
    assert later == ["processing", "processing", "completed"]
    assert sb.store().tags == {}
    assert [r.fault for r in sb.requests][:11] == ["stuck_activity"] * 11


def test_stuck_activity_from_a_list_delete_through_the_proxy(make_sandbox):
    seed = {"accounts": [{"encoded_account_id": "abc", "lists": [{"name": "L"}]}]}
    sb = make_sandbox(seed=seed)
    list_id = next(iter(sb.store("abc").lists))
    sb.faults.replace("DELETE", "/v3/contact_lists/*", action="stuck_activity", account="abc")
    with client_for(sb, PARTNER_AUTH) as partner:
        deleted = partner.post(
            SYNC, json=sync_body("/contact_lists/{id}", "DELETE", path={"id": list_id})
        )
        assert deleted.status_code == 202
        activity_id = deleted.json()["activity_id"]
        poll = sync_body("/activities/{id}", path={"id": activity_id})
        assert {partner.post(SYNC, json=poll).json()["state"] for _ in range(5)} == {"processing"}
    assert list_id in sb.store("abc").lists
