"""A hostile server: malformed, lying, stuck and hung answers through the real CLI against
the sandbox's fault rules (docs/sandbox.md, "Fault rules").

Every case ends with exit 1 and an error naming the request, or, where recovery is right (a
transient reset on a GET, a delete of something already gone), a convergent apply; never a
traceback (the `ctct` fixture raises on a crash), never a write after the fault, always in
bounded time. A malformed read is never an empty account: the account below has resources a
misreading would delete, and a manifest whose creates a misreading would send.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from e2e.helpers import count, v3, writes

from .conftest import bounded

SEED = {
    "lists": [{"name": "Newsletter", "description": "old"}, {"name": "Stale list"}],
    "tags": [{"name": "VIP"}, {"name": "Stale tag"}],
    "custom_fields": [{"label": "Hobby", "type": "string"}],
}
MANIFEST = """\
version: 1
lists:
  - name: Newsletter
    description: Monthly news
  - name: Customers
tags:
  - name: VIP
  - name: Gold
custom_fields:
  - {label: Hobby, type: string}
segments:
  - name: VIP customers
    criteria:
      version: "1.0.0"
      criteria:
        type: and
        group:
          - type: or
            group:
              - {source: tags, field: tag_id, op: contains-any, const_value: "${tag:VIP}"}
prune:
  lists: true
  tags: true
  segments: true
"""
OLD_CRITERIA = {"version": "1.0.0", "criteria": {"type": "and", "group": []}}


@pytest.fixture
def world(sb, tmp_path: Path) -> Path:
    """The seeded account (a segment whose criteria drifted, so its detail is read and an
    update is due) and the manifest."""
    sb.seed({**SEED, "segments": [{"name": "VIP customers", "criteria": OLD_CRITERIA}]})
    path = tmp_path / "ctctform.yaml"
    path.write_text(MANIFEST)
    return path


def apply(ctct, path, *extra: str, env: dict | None = None):
    return ctct(["apply", path, "--auto-approve", "--allow-delete", *extra], env_extra=env)


def assert_names_request(res, label: str, *words: str) -> None:
    """Exit 1, no traceback, and an `Error:` line naming the request (`GET /contact_lists`)."""
    assert res.code == 1, res
    assert "Traceback" not in res.output, res
    lines = [ln for ln in res.stderr.splitlines() if ln.startswith("Error: ")]
    named = [ln for ln in lines if label in ln]
    assert named, f"no error names {label!r}\n{res!r}"
    for word in words:
        assert any(word.lower() in ln.lower() for ln in named), f"{word!r} missing\n{res!r}"


def writes_after(sb, rule_fault_index: int) -> list:
    return [
        r for r in v3(sb)[rule_fault_index + 1 :] if r.method in ("POST", "PUT", "PATCH", "DELETE")
    ]


def first_faulted(sb) -> int:
    for index, record in enumerate(v3(sb)):
        if record.faulted:
            return index
    raise AssertionError("no request was faulted")


def _names(sb, kind: str) -> Counter:
    store = sb.store()
    if kind == "segments":
        return Counter(s.name for s in store.live_segments())
    attr = "label" if kind == "custom_fields" else "name"
    return Counter(getattr(r, attr) for r in getattr(store, kind).values())


def assert_account_untouched(sb) -> None:
    assert _names(sb, "lists") == Counter(["Newsletter", "Stale list"])
    assert _names(sb, "tags") == Counter(["VIP", "Stale tag"])
    assert _names(sb, "segments") == Counter(["VIP customers"])
    assert sb.store().find("lists", "Newsletter").description == "old"


# -- malformed reads: exit 1 naming the request, and not one write -------------------------

LISTS, TAGS, SEGMENTS, FIELDS = (
    "/v3/contact_lists",
    "/v3/contact_tags",
    "/v3/segments",
    "/v3/contact_custom_fields",
)
DEEP_ARRAY = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 50_000 + b"1" + b"}" * 50_000
HTML = b"<!DOCTYPE html><html><body><h1>Down for maintenance</h1></body></html>"


def _with(key: str, value):
    return lambda req, real: real.body | {key: value}


def _criteria(value):
    return lambda req, real: real.body | {"segment_criteria": value}


READS = {
    "collection-empty-object": (LISTS, {"body": {}}),
    "collection-items-null": (LISTS, {"body": {"lists": None}}),
    "collection-a-string": (LISTS, {"body": "lists"}),
    "collection-json-null": (LISTS, {"body": None}),
    "collection-empty-body": (LISTS, {"raw": b""}),
    "collection-204": (LISTS, {"status": 204, "raw": b""}),
    "collection-items-a-dict": (
        LISTS,
        {"body": {"lists": {"list_id": "l1", "name": "Newsletter"}}},
    ),
    "collection-items-ints": (LISTS, {"body": {"lists": [1, 2]}}),
    "item-without-id": (LISTS, {"body": {"lists": [{"name": "Newsletter"}]}}),
    "item-empty-id": (LISTS, {"body": {"lists": [{"list_id": "", "name": "Newsletter"}]}}),
    "item-blank-id": (TAGS, {"body": {"tags": [{"tag_id": "  ", "name": "VIP"}]}}),
    "item-null-id": (LISTS, {"body": {"lists": [{"list_id": None, "name": "Newsletter"}]}}),
    "item-id-true": (TAGS, {"body": {"tags": [{"tag_id": True, "name": "VIP"}]}}),
    "item-id-an-object": (TAGS, {"body": {"tags": [{"tag_id": {}, "name": "VIP"}]}}),
    "item-integer-name": (TAGS, {"body": {"tags": [{"tag_id": "t1", "name": 42}]}}),
    # Ids go into URL paths: one that climbs out of its collection must never be written to.
    "item-id-with-dot-segments": (
        TAGS,
        {"body": {"tags": [{"tag_id": "1/../../contact_custom_fields/x", "name": "Stale tag"}]}},
    ),
    "item-id-with-a-query": (LISTS, {"body": {"lists": [{"list_id": "l1?x=1", "name": "Stale"}]}}),
    "item-id-with-a-control-character": (
        TAGS,
        {"body": {"tags": [{"tag_id": "t1\u001b[2K", "name": "VIP"}]}},
    ),
    "item-null-name": (TAGS, {"body": {"tags": [{"tag_id": "t1", "name": None}]}}),
    "duplicate-live-names": (
        LISTS,
        {
            "body": {
                "lists": [
                    {"list_id": "l1", "name": "Newsletter"},
                    {"list_id": "l2", "name": "Newsletter"},
                ]
            }
        },
    ),
    "duplicate-live-ids": (
        TAGS,
        {
            "body": {
                "tags": [{"tag_id": "t1", "name": "VIP"}, {"tag_id": "t1", "name": "Stale tag"}]
            }
        },
    ),
    "live-labels-collide-by-case": (
        FIELDS,
        {
            "body": {
                "custom_fields": [
                    {"custom_field_id": "f1", "label": "Hobby", "name": "hobby", "type": "string"},
                    {"custom_field_id": "f2", "label": "hobby", "name": "hobby", "type": "string"},
                ]
            }
        },
    ),
    "custom-field-choices-a-string": (
        FIELDS,
        {
            "body": {
                "custom_fields": [
                    {"custom_field_id": "f1", "label": "Hobby", "type": "string", "choices": "Red"}
                ]
            }
        },
    ),
    "invalid-json": (LISTS, {"raw": b"{not json at all"}),
    "truncated-json": (LISTS, {"raw": b'{"lists": [{"na'}),
    "json-100000-deep-array": (SEGMENTS, {"raw": DEEP_ARRAY}),
    "json-50000-deep-object": (TAGS, {"raw": DEEP_OBJECT}),
    "html-error-page-status-200": (TAGS, {"raw": HTML, "content_type": "text/html"}),
    "binary-garbage-as-json": (TAGS, {"raw": bytes(range(256)) * 4}),
    "bad-gzip-encoding": (
        LISTS,
        {"raw": b"this is not gzip", "headers": {"Content-Encoding": "gzip"}},
    ),
    "redirect-elsewhere": (
        LISTS,
        {"status": 302, "raw": b"", "headers": {"Location": "http://127.0.0.1:9/v3/contact_lists"}},
    ),
    "next-link-a-string": (
        TAGS,
        {"body": {"tags": [], "_links": {"next": "/v3/contact_tags?cursor=x"}}},
    ),
    "next-link-without-cursor": (
        TAGS,
        {"body": {"tags": [], "_links": {"next": {"href": "/v3/contact_tags"}}}},
    ),
    "next-link-repeats": (
        TAGS,
        {
            "body": {
                "tags": [],
                "_links": {"next": {"href": "/v3/contact_tags?cursor=abc&limit=500"}},
            }
        },
    ),
    "segment-detail-without-criteria": (
        "/v3/segments/*",
        {"body": {"segment_id": 1, "name": "VIP customers"}},
    ),
    "segment-detail-criteria-not-json": (
        "/v3/segments/*",
        {"commit": True, "respond": _criteria("{oops")},
    ),
    "segment-detail-criteria-an-object": (
        "/v3/segments/*",
        {"commit": True, "respond": _criteria(OLD_CRITERIA)},
    ),
    "segment-detail-criteria-json-null": (
        "/v3/segments/*",
        {"commit": True, "respond": _criteria("null")},
    ),
    "segment-detail-a-list": ("/v3/segments/*", {"body": ["not", "an", "object"]}),
    "account-summary-empty": ("/v3/account/summary", {"body": {}}),
    "account-summary-a-list": ("/v3/account/summary", {"body": [1, 2, 3]}),
    "account-summary-id-not-a-string": (
        "/v3/account/summary",
        {"body": {"encoded_account_id": 7, "organization_name": "X"}},
    ),
    "forbidden-403": (
        LISTS,
        {"status": 403, "body": {"error_key": "forbidden", "error_message": "scope"}},
    ),
    "throttled-with-retry-after-a-day": (
        LISTS,
        {"status": 429, "body": {"error_key": "throttled"}, "headers": {"Retry-After": "86400"}},
    ),
}


def _label(path: str) -> str:
    path = path.removeprefix("/v3")
    return "GET " + (path.replace("/*", "/") if path.endswith("/*") else path)


@pytest.mark.parametrize("case", list(READS))
def test_malformed_read(sb, ctct, world, case):
    path, options = READS[case]
    rule = sb.faults.replace("GET", path, **options)
    with bounded():
        res = apply(ctct, world)
    assert rule.hits >= 1
    assert_names_request(res, _label(path))
    assert writes(sb) == [], f"wrote after a malformed {path}: {writes(sb)}"
    assert_account_untouched(sb)


def test_webhooks_answered_with_an_empty_object(sb, ctct, tmp_path):
    """`{}` is not "no subscriptions": taken as empty, the plan would PUT every topic."""
    path = tmp_path / "hooks.yaml"
    path.write_text(
        "version: 1\nwebhooks:\n  - topic: billing_tier_upgrade\n"
        "    hook_uri: https://hooks.example.com/ctct\nprune:\n  webhooks: true\n"
    )
    rule = sb.faults.replace("GET", "/v3/partner/webhooks/subscriptions", body={})
    with bounded():
        res = apply(ctct, path)
    assert rule.hits >= 1
    assert_names_request(res, "GET /partner/webhooks/subscriptions")
    assert writes(sb) == []


def test_webhooks_answered_with_json_null(sb, ctct, tmp_path):
    path = tmp_path / "hooks.yaml"
    path.write_text(
        "version: 1\nwebhooks:\n  - topic: billing_tier_upgrade\n"
        "    hook_uri: https://hooks.example.com/ctct\n"
    )
    rule = sb.faults.replace("GET", "/v3/partner/webhooks/subscriptions", body=None)
    with bounded():
        res = apply(ctct, path)
    assert rule.hits >= 1
    assert_names_request(res, "GET /partner/webhooks/subscriptions")
    assert writes(sb) == []


def test_webhooks_listing_an_unknown_topic(sb, ctct, tmp_path):
    path = tmp_path / "hooks.yaml"
    path.write_text(
        "version: 1\nwebhooks:\n  - topic: billing_tier_upgrade\n"
        "    hook_uri: https://hooks.example.com/ctct\nprune:\n  webhooks: true\n"
    )
    sb.faults.replace(
        "GET",
        "/v3/partner/webhooks/subscriptions",
        body=[{"topic_id": 9, "hook_uri": "https://x.example.com/"}],
    )
    res = apply(ctct, path)
    assert_names_request(res, "GET /partner/webhooks/subscriptions")
    assert writes(sb) == []


# -- paging ------------------------------------------------------------------------------


def test_endless_cursor_ends_with_an_error_after_bounded_pages(sb, ctct, world):
    rule = sb.faults.replace("GET", TAGS, action="endless_cursor")
    with bounded():
        res = apply(ctct, world)
    assert_names_request(res, "GET /contact_tags", "pages")
    assert 2 <= count(sb, "GET", TAGS) <= 6, count(sb, "GET", TAGS)  # tags: at most 5 pages
    assert rule.hits == count(sb, "GET", TAGS)
    assert writes(sb) == []
    assert_account_untouched(sb)


def test_endless_cursor_on_segments(sb, ctct, world):
    sb.faults.replace("GET", SEGMENTS, action="endless_cursor")
    with bounded():
        res = apply(ctct, world)
    assert_names_request(res, "GET /segments")
    assert count(sb, "GET", SEGMENTS) <= 21
    assert writes(sb) == []


def test_contacts_service_next_links_read_every_page(sb, ctct, tmp_path):
    """The API guide's next-link shape: the cursor is taken, the known path asked. 502 live
    tags make two pages; the two declared ones are on different pages."""
    sb.settings.next_link_style = "contacts-service"
    sb.settings.max_tags = 1000  # past the documented 500, so that there are two pages
    names = [f"Tag {i:03}" for i in range(502)]
    sb.seed({"tags": [{"name": n} for n in names]})
    path = tmp_path / "ctctform.yaml"
    path.write_text("version: 1\ntags:\n  - name: Tag 000\n  - name: Tag 501\n")
    with bounded():
        res = ctct(["plan", path, "--detailed-exitcode"])
    assert res.code == 0, res
    assert "No changes." in res.stdout
    pages = [r for r in v3(sb) if r.path == TAGS]
    assert len(pages) == 2 and "cursor=" in pages[1].query, pages
    assert all(r.status == 200 for r in v3(sb))
    assert not [r for r in sb.requests if "contacts-service" in r.path]


# -- creates answered without a usable id: the write happened, nothing may build on it ----------

CREATED = {
    "tag-id-null": {"respond": _with("tag_id", None)},
    "tag-id-zero": {"respond": _with("tag_id", 0)},
    "tag-id-empty": {"respond": _with("tag_id", "")},
    "tag-id-an-object": {"respond": _with("tag_id", {"id": "x"})},
    "tag-id-missing": {
        "respond": lambda req, real: {k: v for k, v in real.body.items() if k != "tag_id"}
    },
    "empty-body": {"raw": b""},
    "body-a-list": {"body": ["tag_id", "x"]},
    "html-body": {"raw": HTML, "content_type": "text/html"},
}
GOLD = """\
version: 1
tags:
  - name: Gold
segments:
  - name: Gold members
    criteria:
      version: "1.0.0"
      criteria:
        type: and
        group:
          - type: or
            group:
              - {source: tags, field: tag_id, op: contains-any, const_value: "${tag:Gold}"}
"""


@pytest.mark.parametrize("case", list(CREATED))
def test_create_answered_without_a_usable_id(sb, ctct, tmp_path, case):
    path = tmp_path / "gold.yaml"
    path.write_text(GOLD)
    rule = sb.faults.replace("POST", TAGS, commit=True, status=201, **CREATED[case])
    with bounded():
        res = apply(ctct, path)
    assert rule.hits == 1
    assert res.code == 1, res
    assert "POST /contact_tags" in res.output, res
    assert count(sb, "POST", TAGS) == 1  # the create happened once
    assert count(sb, "POST", SEGMENTS) == 0, "a segment was built on an id nobody knows"
    assert writes_after(sb, first_faulted(sb)) == []
    assert _names(sb, "tags") == Counter(["Gold"])


def test_create_without_an_id_then_a_clean_rerun_converges(sb, ctct, tmp_path):
    path = tmp_path / "gold.yaml"
    path.write_text(GOLD)
    sb.faults.replace("POST", TAGS, commit=True, times=1, respond=_with("tag_id", None))
    assert apply(ctct, path).code == 1
    res = apply(ctct, path)
    assert res.code == 0, res
    assert _names(sb, "tags") == Counter(["Gold"])
    (segment,) = sb.store().live_segments()
    tag_id = next(iter(sb.store().tags.values())).tag_id
    assert (
        json.loads(segment.segment_criteria)["criteria"]["group"][0]["group"][0]["const_value"]
        == tag_id
    )
    assert ctct(["plan", path, "--detailed-exitcode"]).code == 0


def test_create_answered_409_for_a_name_that_does_not_exist(sb, ctct, tmp_path):
    """A lying 409: the read-back finds nothing, so the create fails; nothing builds on it."""
    path = tmp_path / "gold.yaml"
    path.write_text(GOLD)
    sb.faults.replace(
        "POST", TAGS, status=409, body=[{"error_key": "conflict", "error_message": "exists"}]
    )
    with bounded():
        res = apply(ctct, path)
    assert res.code == 1, res
    assert "Traceback" not in res.output
    assert count(sb, "POST", SEGMENTS) == 0
    assert count(sb, "POST", TAGS) <= 2


# -- activities ----------------------------------------------------------------------------

PRUNE_ONLY = "version: 1\ntags:\n  - name: VIP\nprune:\n  tags: true\n"
TAGS_DELETE = "/v3/activities/contacts_tags_delete"


@pytest.fixture
def prune_world(sb, tmp_path: Path) -> Path:
    sb.seed({"tags": [{"name": "VIP"}, {"name": "Stale tag"}]})
    path = tmp_path / "prune.yaml"
    path.write_text(PRUNE_ONLY)
    return path


def test_stuck_activity_is_a_clear_still_processing_error(sb, ctct, prune_world):
    rule = sb.faults.replace("POST", TAGS_DELETE, action="stuck_activity")
    with bounded(12):
        res = apply(ctct, prune_world, "--activity-timeout", "2")
    assert rule.hits == 1
    assert res.code == 1, res
    assert "still processing" in res.output, res
    assert count(sb, "POST", TAGS_DELETE) == 1  # not sent again
    assert _names(sb, "tags") == Counter(["VIP", "Stale tag"])


def test_activity_create_answered_an_empty_object(sb, ctct, prune_world):
    sb.faults.replace("POST", TAGS_DELETE, status=201, body={})
    with bounded():
        res = apply(ctct, prune_world)
    assert res.code == 1, res
    assert "POST /activities/contacts_tags_delete" in res.output, res
    assert count(sb, "POST", TAGS_DELETE) == 1
    assert _names(sb, "tags") == Counter(["VIP", "Stale tag"])


def test_activity_status_answered_an_empty_object(sb, ctct, prune_world):
    sb.faults.replace("GET", "/v3/activities/*", body={})
    with bounded():
        res = apply(ctct, prune_world)
    assert res.code == 1, res
    assert "GET /activities/" in res.output, res
    assert count(sb, "POST", TAGS_DELETE) == 1


def test_activity_that_failed_is_reported(sb, ctct, prune_world):
    sb.faults.replace(
        "GET",
        "/v3/activities/*",
        body={"activity_id": "a1", "state": "failed", "activity_errors": ["internal error"]},
    )
    res = apply(ctct, prune_world)
    assert res.code == 1, res
    assert "failed" in res.output and "internal error" in res.output, res
    assert count(sb, "POST", TAGS_DELETE) == 1


def test_bulk_delete_reporting_ids_already_gone_converges(sb, ctct, prune_world):
    """The activity completes but reports ids it could not delete: another apply deleted
    them first. Gone is the goal: the apply succeeds and the next plan is clean."""

    def gone_first(req, real):
        if real.body.get("state") != "completed":
            return real.body
        return real.body | {"activity_errors": [{"message": "tag_id not found"}]}

    sb.faults.replace("GET", "/v3/activities/*", commit=True, respond=gone_first)
    res = apply(ctct, prune_world)
    assert res.code == 0, res
    assert _names(sb, "tags") == Counter(["VIP"])
    assert ctct(["plan", prune_world, "--detailed-exitcode"]).code == 0


def test_bulk_delete_reporting_errors_for_ids_still_there_fails(sb, ctct, prune_world):
    sb.faults.replace(
        "POST",
        TAGS_DELETE,
        status=201,
        body={"activity_id": "a1", "state": "completed", "activity_errors": ["could not delete"]},
    )
    res = apply(ctct, prune_world)
    assert res.code == 1, res
    assert "could not delete" in res.output, res
    assert _names(sb, "tags") == Counter(["VIP", "Stale tag"])


# -- credentials and quota: stop at once ------------------------------------------------------


def test_401_after_a_refresh_stops_the_run(sb, ctct, world):
    env = {
        "CTCT_ACCESS_TOKEN": None,
        "CTCT_CLIENT_ID": "sandbox",
        "CTCT_CLIENT_SECRET": "sandbox",
        "CTCT_REFRESH_TOKEN": "sandbox",
        "CTCT_TOKEN_URL": sb.token_url,
    }
    sb.faults.replace(
        "*",
        "/v3/**",
        status=401,
        body={"error_key": "unauthorized", "error_message": "Unauthorized"},
    )
    with bounded():
        res = apply(ctct, world, env=env)
    assert res.code == 1, res
    assert "401" in res.stderr, res
    tokens = [r for r in sb.requests if r.path == "/oauth2/default/v1/token"]
    assert 1 <= len(tokens) <= 2, tokens
    assert len(v3(sb)) <= 3, v3(sb)
    assert writes(sb) == []


def test_401_on_a_write_after_refresh_starts_nothing_else(sb, ctct, world):
    env = {
        "CTCT_ACCESS_TOKEN": None,
        "CTCT_CLIENT_ID": "sandbox",
        "CTCT_CLIENT_SECRET": "sandbox",
        "CTCT_REFRESH_TOKEN": "sandbox",
        "CTCT_TOKEN_URL": sb.token_url,
    }
    sb.faults.replace("POST", LISTS, status=401, body={"error_key": "unauthorized"})
    res = apply(ctct, world, "--parallelism", "1", env=env)
    assert res.code == 1, res
    assert "401" in res.output
    first = first_faulted(sb)
    later = [r for r in writes_after(sb, first) if not (r.method == "POST" and r.path == LISTS)]
    assert later == [], later
    assert count(sb, "POST", LISTS) <= 2  # the first try and the one after the refresh


QUOTA = {"error_key": "quota_exceeded", "error_message": "Limit Exceeded"}


def test_daily_quota_429_ends_the_run_in_seconds(sb, ctct, world):
    sb.faults.replace("*", "/v3/**", status=429, body=QUOTA)
    with bounded(5):
        res = apply(ctct, world)
    assert res.code == 1, res
    assert "00:00 UTC" in res.stderr and "quota" in res.stderr, res
    assert len(v3(sb)) <= 3, v3(sb)
    assert writes(sb) == []


def test_daily_quota_in_the_middle_of_an_apply_starts_nothing_more(sb, ctct, world):
    rule = sb.faults.replace("POST", LISTS, status=429, body=QUOTA)
    with bounded(10):
        res = apply(ctct, world, "--parallelism", "1")
    assert rule.hits == 1  # not retried
    assert res.code == 1, res
    assert "00:00 UTC" in res.output, res
    assert writes_after(sb, first_faulted(sb)) == []
    assert "not started" in res.output, res


# -- transport failures --------------------------------------------------------------------


def test_reset_on_a_get_is_retried_and_the_plan_works(sb, ctct, world):
    rule = sb.faults.replace("GET", LISTS, action="reset", times=1)
    with bounded():
        res = ctct(["plan", world, "--detailed-exitcode", "--allow-delete"])
    assert rule.hits == 1
    assert res.code == 2, res
    assert "Plan: 2 to add, 2 to change, 2 to destroy." in res.stdout, res
    assert count(sb, "GET", LISTS) == 2


def test_truncated_transfer_on_a_get_is_retried(sb, ctct, world):
    """Content-Length promises more than comes: the answer is incomplete, not a page."""
    rule = sb.faults.replace(
        "GET", TAGS, raw=b'{"tags": []}', headers={"Content-Length": "4000"}, times=1
    )
    with bounded():
        res = ctct(["plan", world, "--detailed-exitcode", "--allow-delete"])
    assert rule.hits == 1
    assert res.code == 2, res
    assert "Plan: 2 to add, 2 to change, 2 to destroy." in res.stdout, res


def test_reset_after_a_committed_create_reads_back_never_twice(sb, ctct, tmp_path):
    path = tmp_path / "gold.yaml"
    path.write_text(GOLD)
    rule = sb.faults.replace("POST", TAGS, action="reset", commit=True, times=1)
    with bounded():
        res = apply(ctct, path)
    assert rule.hits == 1
    assert res.code == 0, res
    assert count(sb, "POST", TAGS) == 1  # found by name, not sent again
    assert _names(sb, "tags") == Counter(["Gold"])
    assert _names(sb, "segments") == Counter(["Gold members"])
    assert ctct(["plan", path, "--detailed-exitcode"]).code == 0


def test_reset_before_a_create_is_committed_sends_it_once_more(sb, ctct, tmp_path):
    path = tmp_path / "gold.yaml"
    path.write_text(GOLD)
    sb.faults.replace("POST", TAGS, action="reset", times=1)
    res = apply(ctct, path)
    assert res.code == 0, res
    assert count(sb, "POST", TAGS) == 2
    assert _names(sb, "tags") == Counter(["Gold"])


def test_hung_get_ends_and_names_the_request(sb, ctct, world):
    """A GET is safe to repeat, but a server that takes requests and never answers is not a
    passing blip: three attempts of CTCT_TIMEOUT=1 (not six, each a full timeout), then the
    run ends naming the request."""
    sb.faults.replace("GET", TAGS, action="hang", hang_seconds=60)
    with bounded(15):
        res = apply(ctct, world, env={"CTCT_TIMEOUT": "1"})
    assert_names_request(res, "GET /contact_tags")
    assert "gave up after 3 attempts" in res.stderr, res
    assert count(sb, "GET", TAGS) == 3
    assert writes(sb) == []


def test_hung_create_ends_and_nothing_builds_on_it(sb, ctct, tmp_path):
    path = tmp_path / "gold.yaml"
    path.write_text(GOLD)
    sb.faults.replace("POST", TAGS, action="hang", hang_seconds=60)
    with bounded():
        res = apply(ctct, path, env={"CTCT_TIMEOUT": "1"})
    assert res.code == 1, res
    assert "POST /contact_tags" in res.output, res
    assert count(sb, "POST", SEGMENTS) == 0
    assert count(sb, "POST", TAGS) <= 4


def test_5xx_storm_starts_no_new_work_and_reports_every_change(sb, ctct, world):
    """Every list create is answered 503: after the storm nothing new starts; the report
    says what was done, what failed, what was skipped and what never started."""
    rule = sb.faults.replace("POST", LISTS, status=503, body={"error_key": "unavailable"})
    with bounded():
        res = apply(ctct, world, "--parallelism", "1")
    assert rule.hits >= 1
    assert res.code == 1, res
    assert "failed:" in res.stdout and "lists 'Customers'" in res.stdout, res
    assert "not started" in res.stdout, res
    assert "Done:" in res.stdout, res
    # Nothing but the create's own retries (and read-backs) after the first 503.
    later = [r for r in writes_after(sb, first_faulted(sb)) if r.path != LISTS]
    assert later == [], later
    assert count(sb, "POST", TAGS) == 0 and count(sb, "PUT", "/v3/segments/1") == 0


def test_400_on_one_create_skips_only_what_depends_on_it(sb, ctct, tmp_path):
    path = tmp_path / "abc.yaml"
    path.write_text(
        "version: 1\ntags:\n  - name: A\n  - name: B\n  - name: C\nsegments:\n"
        + "".join(
            f"  - name: S{t}\n    criteria: {{version: '1.0.0', criteria: {{type: and, group: "
            f"[{{type: or, group: [{{source: tags, field: tag_id, op: contains-any, "
            f'const_value: "${{tag:{t}}}"}}]}}]}}}}\n'
            for t in "AB"
        )
    )
    sb.faults.replace(
        "POST",
        TAGS,
        after=1,
        times=1,
        status=400,
        body=[{"error_key": "contacts.api.validation.error", "error_message": "refused"}],
    )
    res = apply(ctct, path, "--parallelism", "1")
    assert res.code == 1, res
    assert [(r.method, r.path, r.status) for r in writes(sb)] == [
        ("POST", TAGS, 201),
        ("POST", TAGS, 400),
        ("POST", TAGS, 201),
        ("POST", SEGMENTS, 201),
    ]
    assert _names(sb, "tags") == Counter(["A", "C"])
    assert _names(sb, "segments") == Counter(["SA"])
    assert "skipped:" in res.stdout and "segments 'SB'" in res.stdout, res


def test_put_answered_500_after_commit_is_retried_and_converges(sb, ctct, world):
    rule = sb.faults.replace("PUT", "/v3/contact_lists/*", commit=True, status=500, times=1)
    res = apply(ctct, world)
    assert rule.hits == 1
    assert res.code == 0, res
    assert sb.store().find("lists", "Newsletter").description == "Monthly news"
    assert ctct(["plan", world, "--detailed-exitcode"]).code == 0


def test_delete_of_a_segment_already_gone_converges(sb, ctct, tmp_path):
    sb.seed({"segments": [{"name": "Gone", "criteria": OLD_CRITERIA}]})
    path = tmp_path / "none.yaml"
    path.write_text("version: 1\nprune:\n  segments: true\n")
    rule = sb.faults.replace(
        "DELETE", "/v3/segments/*", commit=True, status=404, body={"error_key": "not_found"}
    )
    res = apply(ctct, path)
    assert rule.hits == 1
    assert res.code == 0, res
    assert sb.store().live_segments() == []
    assert ctct(["plan", path, "--detailed-exitcode"]).code == 0


# -- partner listings ------------------------------------------------------------------------

ACCOUNTS = "/v3/partner/accounts"


def _fleet(sb, tmp_path: Path) -> Path:
    sb.add_client_account("a001fleet01", organization_name="Client 1")
    sb.add_client_account("a002fleet02", organization_name="Client 2")
    (tmp_path / "baseline").mkdir()
    (tmp_path / "baseline" / "ctctform.yaml").write_text("version: 1\ntags:\n  - name: VIP\n")
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text("version: 1\nmanifests: [baseline/]\nselect: {account_type: all}\n")
    return fleet


PARTNER = {
    "empty-object": {"body": {}},
    "items-a-string": {"body": {"site_owner_list": "a001fleet01"}},
    "item-without-encoded-id": {"body": {"site_owner_list": [{"organization_name": "Client 1"}]}},
    "item-encoded-id-an-int": {"body": {"site_owner_list": [{"encoded_account_id": 5}]}},
    "invalid-json": {"raw": b"{"},
    "next-link-repeats": {
        "body": {
            "site_owner_list": [{"encoded_account_id": "a001fleet01", "organization_name": "C"}],
            "_links": {"next": {"href": "/v3/partner/accounts?offset=MTA*&limit=50"}},
        }
    },
}


@pytest.mark.parametrize("case", list(PARTNER))
def test_malformed_partner_accounts_listing(sb, ctct, tmp_path, case):
    fleet = _fleet(sb, tmp_path)
    sb.faults.replace("GET", ACCOUNTS, **PARTNER[case])
    with bounded():
        res = ctct(["apply", "--fleet", fleet, "--auto-approve"])
    assert res.code == 1, res
    assert "Traceback" not in res.output
    assert "GET /partner/accounts" in res.output, res
    synced = [r for r in v3(sb) if r.path.endswith("/account_operations/sync")]
    assert synced == [], synced
    assert not writes(sb, "a001fleet01") and not writes(sb, "a002fleet02")


def test_numbers_as_text_and_an_upper_case_type_are_no_replace(sb, ctct, tmp_path):
    """A server that writes `version` or `decimal_places` as text, or the type in capitals,
    describes the same field: no change (a type change would be a replace that drops the
    field's contact data)."""
    path = tmp_path / "m.yaml"
    path.write_text(
        "version: 1\ncustom_fields:\n"
        "  - {label: Signup, type: date, version: 2, metadata: {display_format: MM/DD/YYYY}}\n"
        "  - {label: Price, type: currency, metadata: {decimal_places: 2}}\n"
    )
    assert ctct(["apply", path, "--auto-approve"]).code == 0

    def as_text(request, real):
        for field in real.body["custom_fields"]:
            field["type"] = field["type"].upper()
            if "version" in field:
                field["version"] = str(field["version"])
            for key, value in (field.get("metadata") or {}).items():
                if isinstance(value, int):
                    field["metadata"][key] = str(value)
        return real.body

    sb.faults.replace("GET", "/v3/contact_custom_fields", commit=True, respond=as_text)
    res = ctct(["plan", path, "--detailed-exitcode"])
    assert res.code == 0, res
    assert "No changes." in res.stdout
