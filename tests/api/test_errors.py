"""Error bodies -> one-line messages; the error classes' wording."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from ctctform.api.errors import (
    ActivityError,
    AmbiguousWriteError,
    ApiError,
    AuthError,
    message_from_body,
)
from ctctform.api.redact import Redactor
from ctctform.errors import CtctformError


def test_api_error_schema_list() -> None:
    body = json.dumps([{"error_key": "tags.conflict", "error_message": "name already exists"}])
    assert message_from_body(body) == "name already exists"
    two = json.dumps([{"error_message": "a"}, {"error_key": "only.key"}])
    assert message_from_body(two) == "a; only.key"


def test_authorization_error_schema_and_oauth_and_text() -> None:
    assert message_from_body('{"error_key":"unauthorized","error_message":"Unauthorized"}') == (
        "Unauthorized"
    )
    assert message_from_body('{"error":"invalid_grant","error_description":"expired"}') == (
        "expired"
    )
    assert message_from_body("upstream\nbroke   badly") == "upstream broke badly"
    assert message_from_body(b"") == ""
    assert message_from_body("<html><body>Bad gateway</body></html>", "text/html") == ""


def test_long_messages_are_cut_to_one_short_line() -> None:
    words = message_from_body("x" * 5000)
    assert len(words) <= 300
    assert "\n" not in words


def test_api_error_format() -> None:
    err = ApiError(409, "POST", "/contact_tags", "name already exists")
    assert str(err) == "409 Conflict on POST /contact_tags: name already exists"
    assert (err.status, err.method, err.path) == (409, "POST", "/contact_tags")
    assert str(ApiError(404, "GET", "/segments/9")) == "404 Not Found on GET /segments/9"
    assert str(ApiError(None, "GET", "/x", "ReadTimeout")) == "GET /x: ReadTimeout"
    proxied = ApiError(409, "POST", "/contact_tags", "dup", account="a08e1izvh8t9")
    assert str(proxied) == "409 Conflict on POST /contact_tags (account a08e1izvh8t9): dup"


def test_error_hierarchy() -> None:
    ambiguous = AmbiguousWriteError(None, "POST", "/contact_lists", "no answer")
    assert isinstance(ambiguous, ApiError)
    assert "may have been applied" in str(ambiguous)
    assert str(ambiguous).startswith("POST /contact_lists: no answer")
    for cls in (ApiError, AmbiguousWriteError, AuthError, ActivityError):
        assert issubclass(cls, CtctformError)


def test_redact_masks_secret_values_in_every_form() -> None:
    import base64
    from urllib.parse import quote

    r = Redactor()
    r.add("abcd/1234+x")
    r.add_pair("client", "s3cret!")
    assert r.redact("token abcd/1234+x is bad") == "token *** is bad"
    assert r.redact(f"q={quote('abcd/1234+x', safe='')}") == "q=***"
    basic = base64.b64encode(b"client:s3cret!").decode()
    assert r.redact(f"Authorization: Basic {basic}") == "Authorization: Basic ***"
    assert r.redact("https://user:pa/ss@host/v3") == "https://***@host/v3"
    assert r.redact("nothing secret here") == "nothing secret here"


@given(st.one_of(st.binary(), st.text()), st.sampled_from(["", "application/json", "text/html"]))
def test_any_error_body_becomes_one_short_line(body: bytes | str, content_type: str) -> None:
    words = message_from_body(body, content_type)
    assert "\n" not in words and "\r" not in words
    assert len(words) <= 300


@settings(max_examples=50)
@given(
    st.recursive(
        st.none() | st.text() | st.integers(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
        max_leaves=8,
    )
)
def test_any_json_error_body_is_handled(value: object) -> None:
    words = message_from_body(json.dumps(value))
    assert "\n" not in words
