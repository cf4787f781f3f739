"""Paging through real sandbox collections."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from ctctform.api import AnswerError, Client
from ctctform.api.paging import strip_base
from ctctform.kinds import REGISTRY
from ctctform.sandbox import Sandbox

from .helpers import sandbox_config


def test_cursor_paging_returns_every_item_across_many_pages() -> None:
    seed = {"tags": [{"name": f"Tag {i:03d}"} for i in range(120)]}
    with Sandbox(port=0, seed=seed) as sb, Client(sandbox_config(sb)) as client:
        tags = client.paginate("/contact_tags", "tags", limit=10)
        pages = [r for r in sb.requests if r.path == "/v3/contact_tags"]
    assert len(tags) == 120
    assert len({t["tag_id"] for t in tags}) == 120
    assert sorted(t["name"] for t in tags) == [f"Tag {i:03d}" for i in range(120)]
    assert len(pages) == 12
    assert all(r.status == 200 for r in pages)
    assert "cursor=" in pages[1].query and pages[0].query == "limit=10"


def test_kinds_read_with_the_largest_page_the_api_allows(sb: Sandbox, client: Client) -> None:
    for name in ("lists", "tags", "custom_fields", "segments"):
        assert REGISTRY[name].read(client) == []
    queries = {r.path: r.query for r in sb.requests}
    assert queries == {
        "/v3/contact_lists": "status=active&limit=1000",
        "/v3/contact_tags": "limit=500",
        "/v3/contact_custom_fields": "limit=100",
        "/v3/segments": "limit=1000",
    }


def test_extra_params_are_kept_on_the_first_page_only() -> None:
    seed = {"lists": [{"name": f"L{i}"} for i in range(3)]}
    with Sandbox(port=0, seed=seed) as sb, Client(sandbox_config(sb)) as client:
        lists = client.paginate(
            "/contact_lists", "lists", limit=2, params={"include_count": "true"}
        )
        queries = [r.query for r in sb.requests]
    assert len(lists) == 3
    assert queries[0] == "include_count=true&limit=2"
    assert "include_count=true" in queries[1]  # the API's next link carries it on


def test_partner_accounts_use_offset_paging_50_at_a_time() -> None:
    seed = {"accounts": [{"encoded_account_id": f"acct{i:04d}"} for i in range(120)]}
    with Sandbox(port=0, seed=seed) as sb, Client(sandbox_config(sb)) as client:
        accounts = client.partner_accounts()
        queries = [r.query for r in sb.requests if r.path == "/v3/partner/accounts"]
    assert [a["encoded_account_id"] for a in accounts] == [f"acct{i:04d}" for i in range(120)]
    # Only managed accounts can be operated (DESIGN §4); the filter stays on every page, and
    # the offset is taken from the next link as it is (opaque, like the guide's `MTA*`).
    assert len(queries) == 3 and queries[0] == "account_type=managed&limit=50"
    offsets = [dict(parse_qsl(q))["offset"] for q in queries[1:]]
    assert all(o not in ("50", "100") for o in offsets)  # never computed by the client
    assert all(dict(parse_qsl(q))["account_type"] == "managed" for q in queries)


def test_href_helpers() -> None:
    assert strip_base("/v3/contact_tags?cursor=a", "/v3") == "/contact_tags?cursor=a"
    assert strip_base("http://h:1/v3/segments", "/v3") == "/segments"
    assert strip_base("/other/x", "/v3") == "/other/x"


def test_a_page_that_is_not_an_object_is_an_error(client: Client) -> None:
    with pytest.raises(AnswerError, match="expected a JSON object page"):
        client.paginate("/partner/webhooks/subscriptions", "x")  # answers a JSON array


def test_next_links_in_the_guides_contacts_service_shape_are_followed_by_cursor() -> None:
    """The API guide's tags example answers `/contacts-service/v3/accounts/{id}/...?cursor=`:
    the cursor is taken from it and the known path requested (the link's path 404s)."""
    seed = {"tags": [{"name": f"Tag {i:03d}"} for i in range(25)]}
    with Sandbox(port=0, seed=seed, next_link_style="contacts-service") as sb:
        with Client(sandbox_config(sb)) as client:
            tags = client.paginate("/contact_tags", "tags", limit=10)
        paths = [r.path for r in sb.requests]
    assert len(tags) == 25 and len({t["tag_id"] for t in tags}) == 25
    assert paths == ["/v3/contact_tags"] * 3  # never the link's own path


@pytest.mark.parametrize("href", [None, ""])
def test_a_null_next_href_is_the_last_page(href: str | None) -> None:
    """The spec's `Next`: "The next link in the page, or null if there are no additional
    pages" (segmentsLinks requires `next`, so a server may send it on the last page)."""
    segment = {"segment_id": 7, "name": "VIP", "edited_at": "2026-01-01T00:00:00Z"}
    with Sandbox(port=0) as sb:
        sb.faults.replace(
            "GET", "/v3/segments", body={"segments": [segment], "_links": {"next": {"href": href}}}
        )
        with Client(sandbox_config(sb)) as client:
            segments = client.paginate("/segments", "segments")
        paths = [r.path for r in sb.requests]
    assert segments == [segment] and paths == ["/v3/segments"]


def test_a_next_link_without_an_href_is_still_an_error() -> None:
    with Sandbox(port=0) as sb:
        sb.faults.replace("GET", "/v3/segments", body={"segments": [], "_links": {"next": {}}})
        with Client(sandbox_config(sb)) as client, pytest.raises(AnswerError, match="no href"):
            client.paginate("/segments", "segments")


def test_a_plus_in_an_opaque_offset_is_sent_back_as_a_plus() -> None:
    """The partner listing's offset is opaque (base64 may hold `+` and `/`): followed as
    given, never read as a space."""
    from ctctform.api.paging import pages

    asked: list[dict | None] = []
    answers = [
        {
            "site_owner_list": [{"encoded_account_id": "a1"}],
            "_links": {"next": {"href": "/v3/partner/accounts?offset=fn4+NTA/&limit=50"}},
        },
        {"site_owner_list": [{"encoded_account_id": "a2"}]},
    ]

    def get(path: str, params: dict | None) -> dict:
        asked.append(params)
        return answers[len(asked) - 1]

    got = [a for page in pages(get, "/partner/accounts", "site_owner_list", 50) for a in page]
    assert [a["encoded_account_id"] for a in got] == ["a1", "a2"]
    assert asked[1] == {"offset": "fn4+NTA/", "limit": "50"}
