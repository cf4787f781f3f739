"""Response-replacing fault rules: matching, the `respond` action, counting, seeds."""

from __future__ import annotations

import json
import re

import pytest

from ctctform.sandbox import ApiResponse, SeedError

from .helpers import PARTNER_AUTH, client_for, plain
from .test_partner import sync_body

ACCOUNTS = {"accounts": [{"encoded_account_id": "abc"}, {"encoded_account_id": "def"}]}


def test_status_and_json_body_without_commit_writes_nothing(api, sandbox):
    rule = sandbox.faults.replace("POST", "/v3/contact_tags", status=201, body={"tag_id": None})
    response = api.post("/contact_tags", json={"name": "VIP"})
    assert (response.status_code, response.json()) == (201, {"tag_id": None})
    assert response.headers["Content-Type"] == "application/json"
    assert sandbox.store().tags == {}
    assert (rule.hits, rule.seen) == (1, 1)
    record = sandbox.requests[-1]
    assert (record.status, record.fault, record.faulted, record.dropped) == (
        201,
        "respond",
        True,
        False,
    )


def test_commit_runs_the_handler_then_replaces_the_answer(api, sandbox):
    sandbox.faults.replace(
        "POST",
        "/v3/contact_tags",
        commit=True,
        respond=lambda request, real: real.body | {"tag_id": None},
    )
    response = api.post("/contact_tags", json={"name": "VIP"})
    assert response.status_code == 201  # the real status, as none was given
    body = response.json()
    assert body["tag_id"] is None and body["name"] == "VIP"
    assert [t.name for t in sandbox.store().tags.values()] == ["VIP"]


def test_commit_with_only_a_status_is_a_5xx_after_commit(api, sandbox):
    sandbox.faults.replace("PUT", "/v3/contact_tags/*", commit=True, status=500)
    tag_id = api.post("/contact_tags", json={"name": "Old"}).json()["tag_id"]
    response = api.put(f"/contact_tags/{tag_id}", json={"name": "New"})
    assert response.status_code == 500
    assert response.json()["name"] == "New"  # the real body, another status
    assert sandbox.store().get_tag(tag_id).name == "New"


@pytest.mark.parametrize("body", [[1, 2], "just a string", 7, None, True, {"lists": "no"}])
def test_any_json_value_is_a_body(api, sandbox, body):
    sandbox.faults.replace("GET", "/v3/contact_lists", body=body)
    response = api.get("/contact_lists")
    assert response.status_code == 200
    assert response.content == json.dumps(body).encode()


def test_raw_bytes_with_a_content_type(api, sandbox):
    sandbox.faults.replace("GET", "/v3/contact_lists", raw=b'{"lists": [{"name": "Trunc')
    truncated = api.get("/contact_lists")
    assert truncated.content == b'{"lists": [{"name": "Trunc'
    assert truncated.headers["Content-Type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        truncated.json()
    sandbox.faults.clear()
    page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    sandbox.faults.replace(
        "GET", "/v3/contact_tags", status=502, raw=page, content_type="text/html"
    )
    html = api.get("/contact_tags")
    assert (html.status_code, html.content) == (502, page)
    assert html.headers["Content-Type"].startswith("text/html")


def test_a_100000_deep_array_is_served_as_is(api, sandbox):
    deep = b"[" * 100_000 + b"]" * 100_000
    sandbox.faults.replace("GET", "/v3/segments", raw=deep)
    response = api.get("/segments")
    assert response.status_code == 200 and response.content == deep


def test_headers_are_added_and_may_override(api, sandbox):
    sandbox.faults.replace(
        "GET",
        "/v3/contact_tags",
        status=429,
        body={"error_key": "throttled"},
        headers={"Retry-After": "soon", "Content-Type": "text/plain"},
    )
    response = api.get("/contact_tags")
    assert response.headers["Retry-After"] == "soon"
    assert response.headers["Content-Type"] == "text/plain"


def test_respond_may_return_an_api_response_or_bytes(api, sandbox):
    sandbox.faults.replace(
        "GET", "/v3/contact_lists", respond=lambda request, real: ApiResponse(418, {"tea": 1})
    )
    sandbox.faults.replace(
        "GET",
        "/v3/contact_tags",
        status=200,
        respond=lambda request, real: request.args.get("limit", "").encode(),
    )
    assert (api.get("/contact_lists").status_code, api.get("/contact_lists").json()) == (
        418,
        {"tea": 1},
    )
    assert api.get("/contact_tags", params={"limit": "7"}).content == b"7"


def test_respond_that_raises_is_a_500_and_a_traceback(api, sandbox, capfd):
    sandbox.faults.replace("GET", "/v3/contact_lists", respond=lambda request, real: 1 / 0)
    assert api.get("/contact_lists").status_code == 500
    assert "ZeroDivisionError" in capfd.readouterr().err


def test_times_and_after(api, sandbox):
    rule = sandbox.faults.replace("GET", "/v3/contact_tags", status=503, after=1, times=2)
    codes = [api.get("/contact_tags").status_code for _ in range(5)]
    assert codes == [200, 503, 503, 200, 200]
    assert (rule.seen, rule.hits, rule.exhausted) == (3, 2, True)
    assert [r.faulted for r in sandbox.requests] == [False, True, True, False, False]


def test_first_matching_rule_answers_and_clear_removes_all(api, sandbox):
    first = sandbox.faults.replace("GET", "/v3/contact_tags", status=500, times=1)
    sandbox.faults.replace("*", "/v3/contact_tags", status=502)
    assert [api.get("/contact_tags").status_code for _ in range(2)] == [500, 502]
    assert api.post("/contact_tags", json={"name": "X"}).status_code == 502
    assert first.exhausted and len(sandbox.faults.rules) == 2
    sandbox.faults.clear()
    assert sandbox.faults.rules == []
    assert api.get("/contact_tags").status_code == 200


def test_remove_one_rule(api, sandbox):
    rule = sandbox.faults.replace("GET", "/v3/contact_tags", status=500)
    sandbox.faults.remove(rule)
    assert api.get("/contact_tags").status_code == 200 and rule.hits == 0


@pytest.mark.parametrize(
    ("pattern", "hits"),
    [
        ("/v3/segments/*", {"/segments/1"}),
        ("/v3/segments/**", {"/segments/1", "/segments/1/name"}),
        ("/v3/segment?", {"/segments"}),
        (re.compile(r"/v3/segments/\d+(/name)?"), {"/segments/1", "/segments/1/name"}),
        (r"re:/v3/segments(/\d+)?", {"/segments", "/segments/1"}),
    ],
)
def test_globs_and_regexes_match_the_whole_path(api, sandbox, pattern, hits):
    sandbox.faults.replace("*", pattern, status=299)
    requests = [
        ("GET", "/segments"),
        ("GET", "/segments/1"),
        ("PATCH", "/segments/1/name"),
        ("GET", "/contact_lists"),
    ]
    answered = {p for m, p in requests if api.request(m, p, json={}).status_code == 299}
    assert answered == hits


def test_method_must_match(api, sandbox):
    sandbox.faults.replace("delete", "/v3/contact_tags/*", status=500)
    tag_id = api.post("/contact_tags", json={"name": "Keep"}).json()["tag_id"]
    assert api.get(f"/contact_tags/{tag_id}").status_code == 200
    assert api.delete(f"/contact_tags/{tag_id}").status_code == 500


def test_proxied_requests_match_the_inner_request_and_account(make_sandbox):
    sb = make_sandbox(seed=ACCOUNTS)
    sb.faults.replace("GET", "/v3/contact_lists", account="abc", status=500, body=["inner"])
    with client_for(sb, PARTNER_AUTH) as partner:
        hit = partner.post(
            "/partner/accounts/abc/account_operations/sync", json=sync_body("/contact_lists")
        )
        assert (hit.status_code, hit.json()) == (500, ["inner"])
        other = partner.post(
            "/partner/accounts/def/account_operations/sync", json=sync_body("/contact_lists")
        )
        assert other.status_code == 200
        assert partner.get("/contact_lists").status_code == 200  # not proxied, no account
    inner, outer = sb.requests[:2]
    assert (inner.account, inner.path, inner.status, inner.fault) == (
        "abc",
        "/v3/contact_lists",
        500,
        "respond",
    )
    assert (outer.account, outer.status, outer.fault) == (None, 500, "respond")
    assert not any(r.faulted for r in sb.requests[2:])


def test_a_rule_without_account_hits_direct_and_proxied_requests(make_sandbox):
    sb = make_sandbox(seed=ACCOUNTS)
    rule = sb.faults.replace("POST", "/v3/contact_tags", status=503)
    with client_for(sb, PARTNER_AUTH) as partner:
        assert partner.post("/contact_tags", json={"name": "A"}).status_code == 503
        proxied = partner.post(
            "/partner/accounts/abc/account_operations/sync",
            json=sync_body("/contact_tags", "POST", {"name": "A"}),
        )
        assert proxied.status_code == 503
    assert rule.hits == 2
    assert sb.store().tags == {} and sb.store("abc").tags == {}


def test_token_endpoints_can_be_replaced_too(sandbox):
    sandbox.faults.replace("POST", "/oauth2/default/v1/token", raw=b"<html>", status=200)
    response = plain.post(
        sandbox.token_url,
        data={"grant_type": "refresh_token", "refresh_token": "sandbox"},
        auth=("sandbox", "sandbox"),
    )
    assert response.content == b"<html>"


def test_rules_apply_after_auth(sandbox):
    sandbox.faults.replace("GET", "/v3/contact_lists", status=200, body=[])
    assert plain.get(f"{sandbox.base_url}/contact_lists").status_code == 401


def test_rules_from_a_seed(make_sandbox, tmp_path):
    seed = tmp_path / "hostile.yaml"
    seed.write_text(
        "faults:\n"
        "  - {method: GET, path: /v3/contact_tags, status: 500, raw: '<html>oops</html>',"
        " content_type: text/html, times: 1}\n"
        "  - {method: GET, path: 're:/v3/segments/\\d+', body: null}\n"
    )
    sb = make_sandbox(seed=seed)
    with client_for(sb) as api:
        assert api.get("/contact_tags").text == "<html>oops</html>"
        assert api.get("/contact_tags").status_code == 200
        assert api.get("/segments/9").content == b"null"
    for bad in ({"method": "GET"}, {"method": "GET", "path": "/x", "colour": 1}):
        with pytest.raises(SeedError, match=r"seed.faults\[0\]"):
            make_sandbox(seed={"faults": [bad]})


def test_bad_rules_are_refused(sandbox):
    faults = sandbox.faults
    with pytest.raises(ValueError):
        faults.replace("GET", "/v3/x", body={}, raw=b"")
    with pytest.raises(ValueError):
        faults.replace("GET", "/v3/x", action="explode")
    with pytest.raises(ValueError):
        faults.replace("GET", "/v3/x", action="reset", body={})
    with pytest.raises(ValueError):
        faults.replace("GET", "/v3/x", times=-1)
    assert faults.rules == []
