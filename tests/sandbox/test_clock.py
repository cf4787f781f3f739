"""The sandbox clock: tests move it instead of sleeping, and may start or freeze it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ctctform.sandbox import Clock

from .helpers import client_for

DAY = 86400


def test_advancing_moves_server_timestamps(api, sandbox):
    before = api.post("/contact_tags", json={"name": "Before"}).json()["created_at"]
    sandbox.advance_clock(DAY)
    after = api.post("/contact_tags", json={"name": "After"}).json()["created_at"]
    assert before[:10] < after[:10]  # a day later on the server's calendar
    with pytest.raises(ValueError):
        sandbox.advance_clock(-1)  # time never runs back


def test_a_clock_may_start_at_a_given_utc_moment(make_sandbox):
    start = datetime(2030, 12, 31, 23, 59, 59, tzinfo=UTC)
    sb = make_sandbox(clock=Clock(start=start))
    assert sb.clock is not None
    with client_for(sb) as api:
        first = api.post("/contact_lists", json={"name": "A"}).json()["created_at"]
        sb.advance_clock(2)
        second = api.post("/contact_lists", json={"name": "B"}).json()["created_at"]
    assert first.startswith("2030-12-31T23:59:59.")
    assert second.startswith("2031-01-01T00:00:01.")
    with pytest.raises(ValueError):
        Clock(start=datetime(2030, 1, 1))  # naive: which zone?


def test_a_frozen_clock_moves_only_when_told_and_stamps_still_increase(make_sandbox):
    start = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    sb = make_sandbox(clock=Clock(start=start, frozen=True))
    with client_for(sb) as api:
        stamps = [api.post("/contact_tags", json={"name": f"T{i}"}).json() for i in range(3)]
        sb.advance_clock(60)
        later = api.post("/contact_tags", json={"name": "Later"}).json()["created_at"]
    created = [s["created_at"] for s in stamps]
    assert created == sorted(set(created))  # distinct and increasing, a millisecond apart
    assert created[0].startswith("2024-05-01T12:00:00.")  # the store may stamp its account first
    assert later.startswith("2024-05-01T12:01:00.")
