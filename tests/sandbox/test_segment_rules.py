"""Segment criteria rules from POST /segments: length, top-level and, or groups, limits.

All of them hold by default; `strict_segment_criteria=False` (for old seeds) lets
list_membership/tags conditions outside or groups, a missing `criteria` and a missing or odd
group type through, and nothing else.
"""

from __future__ import annotations

import json

import pytest

from ctctform.sandbox import Sandbox, SeedError

from .helpers import PARTNER_AUTH, assert_api_error, client_for


def criteria(*group, type="and"):
    return {"version": "1.0.0", "criteria": {"type": type, "group": list(group)}}


def tracking(const_value, param):
    return {
        "source": "tracking",
        "field": "opened",
        "op": "contains-any",
        "const_value": const_value,
        "param": str(param),
    }


TAG = {"source": "tags", "field": "tag_id", "op": "contains-any", "const_value": "t"}
LIST = {"source": "list_membership", "field": "list_id", "op": "contains-any", "const_value": "l"}
CONTACT = {"source": "contact", "field": "city", "op": "eq", "const_value": "Boston"}


def post(api, body, name="Segment"):
    return api.post("/segments", json={"name": name, "segment_criteria": json.dumps(body)})


def test_criteria_of_20000_characters_pass_and_longer_do_not(api, sandbox):
    base = json.dumps(dict(criteria(), pad=""), separators=(",", ":"))
    exact = base.replace('"pad":""', '"pad":"' + "x" * (20000 - len(base)) + '"')
    assert len(exact) == 20000
    ok = api.post("/segments", json={"name": "Exact", "segment_criteria": exact})
    assert ok.status_code == 201, ok.text
    longer = exact.replace('"pad":"', '"pad":"x')
    bad = api.post("/segments", json={"name": "Longer", "segment_criteria": longer})
    assert_api_error(bad, 400, "at most 20000")
    assert [s.name for s in sandbox.store().live_segments()] == ["Exact"]


def test_the_top_level_group_is_and(api, sandbox):
    assert_api_error(
        post(api, criteria(CONTACT, type="or")), 400, "top-level group type must be and"
    )
    assert_api_error(post(api, {"criteria": ["not", "a", "group"]}), 400, "must be an object")
    assert post(api, criteria(CONTACT)).status_code == 201
    segment_id = sandbox.store().find("segments", "Segment").segment_id
    body = {"name": "Segment", "segment_criteria": json.dumps(criteria(type="or"))}
    assert_api_error(api.put(f"/segments/{segment_id}", json=body), 400, "must be and")


@pytest.mark.parametrize(
    ("const_value", "good", "bad", "message"),
    [
        ("last-n-campaigns", 500, 501, "1 to 500 campaigns"),
        ("last-n-days", 1825, 1826, "1 to 1,825 days"),
    ],
)
def test_tracking_limits(api, const_value, good, bad, message):
    assert post(api, criteria(tracking(const_value, good)), "Good").status_code == 201
    assert_api_error(post(api, criteria(tracking(const_value, bad))), 400, message)
    nested = criteria({"type": "or", "group": [CONTACT, tracking(const_value, bad)]})
    assert_api_error(post(api, nested), 400, message)  # found in nested groups too
    assert_api_error(post(api, criteria(tracking(const_value, 0))), 400, message)
    assert_api_error(post(api, criteria(tracking(const_value, "lots"))), 400, "whole number")


@pytest.fixture
def lenient(make_sandbox):
    return make_sandbox(strict_segment_criteria=False)


def test_strict_by_default(sandbox):
    assert sandbox.settings.strict_segment_criteria is True
    assert Sandbox().settings.strict_segment_criteria is True


@pytest.mark.parametrize("condition", [TAG, LIST])
def test_list_membership_and_tags_only_in_or_groups(api, sandbox, condition):
    source = condition["source"]
    assert_api_error(post(api, criteria(condition)), 400, f"a {source} condition must sit")
    in_and = criteria({"type": "and", "group": [condition]})
    assert_api_error(post(api, in_and), 400, "or group")
    in_or = criteria({"type": "or", "group": [condition, dict(condition, const_value="x")]})
    assert post(api, in_or, "In or").status_code == 201
    assert [s.name for s in sandbox.store().live_segments()] == ["In or"]


def test_tracking_and_contact_take_both_groups(api):
    flat = criteria(CONTACT, tracking("last-n-days", 30))
    assert post(api, flat, "Flat").status_code == 201
    grouped = criteria({"type": "or", "group": [CONTACT]}, {"type": "and", "group": [CONTACT]})
    assert post(api, grouped, "Grouped").status_code == 201


def test_criteria_and_group_types_are_required(api, sandbox):
    assert_api_error(post(api, {"version": "1.0.0", "criteria": {}}), 400, "must be and")
    assert_api_error(post(api, {"version": "1.0.0"}), 400, "must be an object")
    odd = criteria({"type": "xor", "group": [CONTACT]})
    assert_api_error(post(api, odd), 400, "and or or")
    assert sandbox.store().live_segments() == []


def test_lenient_mode_only_when_asked(lenient):
    # Old seeds put tags straight into the top-level and group, or had no criteria group.
    with client_for(lenient) as api:
        assert post(api, criteria(TAG, LIST), "Flat").status_code == 201
        assert post(api, {"version": "1.0.0", "criteria": {}}, "No type").status_code == 201
        assert post(api, {"version": "1.0.0"}, "No criteria").status_code == 201
        odd = criteria({"type": "xor", "group": [CONTACT]})
        assert post(api, odd, "Odd group").status_code == 201
        # The other rules still hold.
        assert_api_error(post(api, criteria(TAG, type="or")), 400, "must be and")
        assert_api_error(post(api, {"criteria": ["not", "a", "group"]}), 400, "must be an object")
        too_many = criteria(tracking("last-n-campaigns", 501))
        assert_api_error(post(api, too_many), 400, "1 to 500 campaigns")
        too_long = dict(criteria(), pad="x" * 20000)
        assert_api_error(post(api, too_long), 400, "at most 20000")
    names = [s.name for s in lenient.store().live_segments()]
    assert names == ["Flat", "No type", "No criteria", "Odd group"]


def test_strictness_switches_on_a_running_sandbox(sandbox, api):
    assert_api_error(post(api, criteria(TAG), "Before"), 400, "or group")
    sandbox.settings.strict_segment_criteria = False
    assert post(api, criteria(TAG), "Lenient").status_code == 201
    sandbox.settings.strict_segment_criteria = True
    assert_api_error(post(api, criteria(TAG), "After"), 400, "or group")
    assert [s.name for s in sandbox.store().live_segments()] == ["Lenient"]


def test_seeds_follow_the_rules():
    with pytest.raises(SeedError, match=r"seed.segments\[0\].*1 to 500 campaigns"):
        Sandbox(
            seed={
                "segments": [{"name": "S", "criteria": criteria(tracking("last-n-campaigns", 501))}]
            }
        )
    with pytest.raises(SeedError, match="must be and"):
        Sandbox(seed={"segments": [{"name": "S", "criteria": criteria(type="or")}]})
    flat = {"segments": [{"name": "Old", "criteria": criteria(TAG)}]}
    with pytest.raises(SeedError, match=r"seed.segments\[0\].*or group"):
        Sandbox(seed=flat)
    old = Sandbox(seed=flat, strict_segment_criteria=False)
    assert [s.name for s in old.store().live_segments()] == ["Old"]


def test_rules_through_account_operations(make_sandbox):
    sb = make_sandbox(seed={"accounts": [{"encoded_account_id": "a08e1izvh8t9"}]})
    body = {
        "account_operation_url": "/segments",
        "account_operation_method": "POST",
        "account_operation_payload": json.dumps(
            {"name": "S", "segment_criteria": json.dumps(criteria(tracking("last-n-days", 1826)))}
        ),
    }
    with client_for(sb, PARTNER_AUTH) as api:
        response = api.post("/partner/accounts/a08e1izvh8t9/account_operations/sync", json=body)
    assert_api_error(response, 400, "1,825 days")
    assert sb.store("a08e1izvh8t9").segments == {}
