"""Rate limits as the API guide documents them: per key, per second and per UTC day.

The sandbox clock is frozen in these tests (time moves only by advance_clock), so a slow
machine cannot push requests into the next second.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from ctctform.sandbox import Clock

from .helpers import AUTH, PARTNER_AUTH, QUOTA_EXCEEDED, THROTTLED, client_for, plain

SYNC = "/partner/accounts/abc/account_operations/sync"
INNER_READ = {"account_operation_url": "/contact_lists", "account_operation_method": "GET"}


def frozen(at: str = "2024-05-01T12:00:00+00:00") -> Clock:
    return Clock(start=datetime.fromisoformat(at).astimezone(UTC), frozen=True)


def statuses(client, path: str, n: int) -> list[int]:
    return [client.get(path).status_code for _ in range(n)]


def test_account_and_partner_keys_have_their_own_windows(make_sandbox):
    sb = make_sandbox(rate_limit=2, partner_rate_limit=3, clock=frozen())
    with client_for(sb) as api, client_for(sb, PARTNER_AUTH) as partner:
        assert statuses(api, "/contact_tags", 3) == [200, 200, 429]
        assert statuses(partner, "/partner/accounts", 4) == [200, 200, 200, 429]
        sb.advance_clock(1)
        assert statuses(api, "/contact_tags", 3) == [200, 200, 429]
        assert partner.get("/partner/accounts").status_code == 200


def test_unraised_partner_key_has_the_account_keys_limit(make_sandbox):
    sb = make_sandbox(rate_limit=4, clock=frozen())
    assert sb.partner_rate_limit is None  # follows rate_limit
    with client_for(sb, PARTNER_AUTH) as partner:
        responses = [partner.get("/partner/webhooks/subscriptions") for _ in range(5)]
    assert [r.status_code for r in responses] == [200] * 4 + [429]
    assert responses[-1].json() == THROTTLED
    sb.partner_rate_limit = 10  # raised on request
    sb.advance_clock(1)
    with client_for(sb, PARTNER_AUTH) as partner:
        assert statuses(partner, "/partner/accounts", 11) == [200] * 10 + [429]


def test_daily_quota_answers_quota_exceeded_until_midnight_utc(make_sandbox):
    sb = make_sandbox(daily_quota=3, clock=frozen("2024-05-01T23:59:50+00:00"))
    with client_for(sb) as api:
        assert statuses(api, "/contact_lists", 3) == [200] * 3
        spent = api.get("/contact_lists")
        assert spent.status_code == 429 and spent.json() == QUOTA_EXCEEDED
        assert "Retry-After" not in spent.headers
        assert api.post("/contact_tags", json={"name": "Late"}).status_code == 429
        assert sb.store().tags == {}  # refused requests write nothing
        sb.advance_clock(9)  # 23:59:59: still the same UTC day
        assert api.get("/contact_lists").json() == QUOTA_EXCEEDED
        sb.advance_clock(1)  # 00:00:00 UTC
        assert statuses(api, "/contact_lists", 3) == [200] * 3
        assert api.get("/contact_lists").json() == QUOTA_EXCEEDED
    assert sb.quota_used() == 3


def test_quota_counts_per_key_and_token_endpoints_not_at_all(make_sandbox):
    sb = make_sandbox(daily_quota=2, clock=frozen())
    with client_for(sb) as api, client_for(sb, PARTNER_AUTH) as partner:
        assert statuses(api, "/contact_lists", 3) == [200, 200, 429]
        token = plain.post(
            sb.token_url,
            data={"grant_type": "refresh_token", "refresh_token": "sandbox"},
            auth=("sandbox", "sandbox"),
        )
        assert token.status_code == 200  # not an API request, not refused, not counted
        assert statuses(partner, "/partner/accounts", 3) == [200, 200, 429]
        assert plain.get(f"{sb.base_url}/contact_lists").status_code == 401
    assert (sb.quota_used(), sb.quota_used(partner=True)) == (2, 2)


def test_proxied_requests_count_against_the_partner_key(make_sandbox):
    sb = make_sandbox(
        daily_quota=100,
        partner_daily_quota=2,
        clock=frozen(),
        seed={"accounts": [{"encoded_account_id": "abc"}]},
    )
    with client_for(sb, PARTNER_AUTH) as partner, client_for(sb) as api:
        answers = [partner.post(SYNC, json=INNER_READ) for _ in range(3)]
        assert [r.status_code for r in answers] == [200, 200, 429]
        assert answers[-1].json() == QUOTA_EXCEEDED
        assert api.get("/contact_lists").status_code == 200
    assert (sb.quota_used(), sb.quota_used(partner=True)) == (1, 2)
    inner = [r for r in sb.requests if r.account == "abc"]
    assert len(inner) == 2  # the refused sync never reached the client account


def test_throttled_requests_do_not_use_up_the_day(make_sandbox):
    sb = make_sandbox(rate_limit=1, daily_quota=5, clock=frozen())
    with client_for(sb) as api:
        assert statuses(api, "/contact_tags", 4) == [200, 429, 429, 429]
    assert sb.quota_used() == 1


def test_quota_switched_on_at_runtime_knows_the_days_traffic(make_sandbox):
    sb = make_sandbox(clock=frozen())
    with client_for(sb) as api:
        assert statuses(api, "/segments", 3) == [200] * 3
        sb.daily_quota = 3
        assert api.get("/segments").json() == QUOTA_EXCEEDED
        sb.daily_quota = None
        assert api.get("/segments").status_code == 200


def test_quota_body_is_the_documented_object(make_sandbox):
    sb = make_sandbox(daily_quota=1, clock=frozen())
    plain.get(f"{sb.base_url}/contact_lists", headers=AUTH)
    response = plain.get(f"{sb.base_url}/contact_lists", headers=AUTH)
    assert response.status_code == 429
    assert json.loads(response.content) == {
        "error_key": "quota_exceeded",
        "error_message": "Limit Exceeded",
    }
    assert response.headers["Content-Type"] == "application/json"
