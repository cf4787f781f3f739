"""Request accounting."""

from __future__ import annotations

import threading

import pytest

from ctctform.api.stats import Stats
from ctctform.kinds import api_routes


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/contact_lists", "lists"),
        ("/contact_lists/abc", "lists"),
        ("/contact_tags?limit=500", "tags"),
        ("/contact_custom_fields/x", "custom_fields"),
        ("/segments/7/name", "segments"),
        ("/partner/webhooks/subscriptions/1", "webhooks"),
        ("/partner/accounts", "accounts"),
        ("/activities/list_delete", "activities"),
        ("/v3/contact_tags", "tags"),
        ("/account/summary", "account"),
        ("/somewhere/else", "other"),
    ],
)
def test_requests_count_under_the_kind_the_registry_names(path: str, kind: str) -> None:
    assert api_routes().bucket(path) == kind


def test_summary_and_dict() -> None:
    stats = Stats(routes=api_routes())
    for _ in range(9):
        stats.record("GET", "/contact_lists")
    stats.record("post", "/contact_tags")
    stats.record("PUT", "/contact_tags/1", retry=True, status=429)
    stats.record("DELETE", "/segments/1")
    stats.record_token_request()
    assert stats.summary() == "12 (9 reads, 3 writes)"
    assert (stats.total, stats.reads, stats.writes) == (12, 9, 3)
    assert stats.as_dict() == {
        "total": 12,
        "reads": 9,
        "writes": 3,
        "by_method": {"DELETE": 1, "GET": 9, "POST": 1, "PUT": 1},
        "by_kind": {"lists": 9, "segments": 1, "tags": 2},
        "retries": 1,
        "throttled": 1,
        "token_requests": 1,
    }
    one = Stats()
    one.record("POST", "/contact_tags")
    assert one.summary() == "1 (0 reads, 1 write)"


def test_child_stats_roll_up_into_the_parent() -> None:
    parent = Stats()
    child = Stats(parent=parent)
    child.record("GET", "/contact_tags")
    parent.record("GET", "/partner/accounts")
    assert child.total == 1
    assert parent.total == 2


def test_counting_is_thread_safe() -> None:
    stats = Stats(routes=api_routes())

    def work() -> None:
        for _ in range(1000):
            stats.record("GET", "/contact_tags")

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert stats.total == 8000
