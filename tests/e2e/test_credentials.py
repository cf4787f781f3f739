"""Credentials that survive rotation, the device-flow login, and the real API's limits, through
the CLI against the sandbox (DESIGN §4, §7)."""

from __future__ import annotations

import json
import stat
import time

from .helpers import invoke, sandbox_env, writes

MANIFEST = "version: 1\ntags:\n  - name: VIP\n"


def _refresh_env(sb, tmp_path, store, **extra):
    """Only the refresh-token grant: no access token in the environment."""
    cache = tmp_path / "cache"
    cache.mkdir(exist_ok=True)
    return {
        **sandbox_env(sb, cache),
        "CTCT_ACCESS_TOKEN": None,
        "CTCT_CLIENT_ID": "sandbox",
        "CTCT_CLIENT_SECRET": "sandbox",
        "CTCT_REFRESH_TOKEN": "sandbox",
        "CTCT_TOKEN_URL": sb.token_url,
        "CTCT_CREDENTIALS_FILE": str(store),
        **extra,
    }


def test_three_runs_with_rotating_tokens_and_a_kept_store_all_succeed(make_sandbox, tmp_path):
    sb = make_sandbox(rotate_refresh_tokens=True, activity_polls=0, access_token_ttl=1)
    store = tmp_path / "ctctform" / "credentials.json"
    path = tmp_path / "m.yaml"
    path.write_text(MANIFEST)
    env = _refresh_env(sb, tmp_path, store)
    tokens = []
    for run in range(3):
        sb.advance_clock(3600)  # the stored access token has expired: each run refreshes
        res = invoke(["plan", path], env)
        assert res.code == 0, (run, res)
        tokens.append(json.loads(store.read_text())["clients"]["sandbox"]["refresh_token"])
    assert len(set(tokens)) == 3 and "sandbox" not in tokens  # rotated every time, kept
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    # The environment's refresh token was spent by the first run: only the store saved us.
    token_posts = [r for r in sb.requests if r.path.endswith("/v1/token")]
    assert [r.status for r in token_posts] == [200, 200, 200]


def test_a_rotated_token_goes_to_the_hook_too(make_sandbox, tmp_path):
    sb = make_sandbox(rotate_refresh_tokens=True, activity_polls=0)
    received = tmp_path / "new-token"
    env = _refresh_env(sb, tmp_path, tmp_path / "s.json", CTCT_ON_TOKEN_ROTATED=f"cat > {received}")
    path = tmp_path / "m.yaml"
    path.write_text(MANIFEST)
    res = invoke(["plan", path], env)
    assert res.code == 0, res
    new = received.read_text().strip()
    assert (
        new and new in json.loads((tmp_path / "s.json").read_text())["clients"]["sandbox"].values()
    )
    assert new not in res.output and "CTCT_ON_TOKEN_ROTATED" in res.stderr


def test_device_flow_login_then_a_plan_with_no_token_in_the_environment(make_sandbox, tmp_path):
    sb = make_sandbox(activity_polls=0, device={"interval": 0, "approve_after_polls": 2})
    store = tmp_path / "store.json"
    login_env = {
        **sandbox_env(sb, tmp_path),
        "CTCT_ACCESS_TOKEN": None,
        "CTCT_CLIENT_ID": "sandbox-public",  # a device-flow app: no client secret
        "CTCT_TOKEN_URL": sb.token_url,
        "CTCT_DEVICE_AUTH_URL": sb.device_auth_url,
        "CTCT_CREDENTIALS_FILE": str(store),
    }
    res = invoke(["login", "--no-browser"], login_env)
    assert res.code == 0, res
    assert "and confirm the code" in res.stderr
    assert "Logged in to Sandbox Organization (a07e1l8cdif9)" in res.stdout
    saved = json.loads(store.read_text())["clients"]["sandbox-public"]
    assert saved["refresh_token"] and saved["access_token"]
    assert saved["refresh_token"] not in res.output and saved["access_token"] not in res.output

    # No token, no client id: the store's one login is used.
    plan_env = {**login_env, "CTCT_CLIENT_ID": None, "CTCT_TOKEN_URL": None}
    path = tmp_path / "m.yaml"
    path.write_text(MANIFEST)
    plan = invoke(["plan", path], plan_env)
    assert plan.code == 0, plan
    assert plan.stdout.startswith("Account: Sandbox Organization (a07e1l8cdif9)")
    who = invoke(["whoami"], plan_env)
    assert who.code == 0 and who.stdout.strip() == "Sandbox Organization (a07e1l8cdif9)"
    out = invoke(["logout"], {**plan_env, "CTCT_CLIENT_ID": "sandbox-public"})
    assert out.code == 0 and "Removed" in out.stdout
    assert json.loads(store.read_text())["clients"] == {}
    again = invoke(["logout"], plan_env)  # no client id, and none stored: nothing to do
    assert again.code == 0 and again.stdout.strip() == f"No credentials are stored in {store}."


def test_a_declined_login_stores_nothing(make_sandbox, tmp_path):
    sb = make_sandbox(device={"interval": 0, "deny": True, "approve_after_polls": 1})
    store = tmp_path / "store.json"
    env = {
        **sandbox_env(sb, tmp_path),
        "CTCT_ACCESS_TOKEN": None,
        "CTCT_CLIENT_ID": "sandbox-public",
        "CTCT_TOKEN_URL": sb.token_url,
        "CTCT_DEVICE_AUTH_URL": sb.device_auth_url,
        "CTCT_CREDENTIALS_FILE": str(store),
    }
    res = invoke(["login", "--no-browser"], env)
    assert res.code == 1 and "declined" in res.stderr
    assert not store.exists() or json.loads(store.read_text())["clients"] == {}


def test_a_daily_quota_429_ends_the_run_at_once_saying_when_it_resets(make_sandbox, tmp_path):
    sb = make_sandbox(activity_polls=0, daily_quota=1)
    path = tmp_path / "m.yaml"
    path.write_text(MANIFEST)
    started = time.monotonic()
    res = invoke(["apply", path, "--auto-approve"], sandbox_env(sb, tmp_path))
    elapsed = time.monotonic() - started
    assert res.code == 1, res
    assert "daily request quota" in res.stderr and "00:00 UTC" in res.stderr
    assert elapsed < 5
    api = [r for r in sb.requests if r.path.startswith("/v3/")]
    assert len(api) <= 3 and writes(sb) == []


def test_deleted_lists_and_soft_deleted_choices_give_clean_plans(make_sandbox, tmp_path):
    sb = make_sandbox(activity_polls=0, next_link_style="contacts-service")
    sb.seed(
        {
            "tags": [{"name": f"T{i:03d}"} for i in range(120)],
            "lists": [{"name": "Gone", "deleted": True}, {"name": "Kept"}],
            "custom_fields": [
                {
                    "label": "Color",
                    "type": "single_select",
                    "choices": ["Red", {"choice_label": "Teal", "deleted": True}],
                }
            ],
        }
    )
    path = tmp_path / "m.yaml"
    path.write_text(
        "version: 1\nlists: [{name: Kept}]\nprune: {lists: true}\n"
        "custom_fields: [{label: Color, type: single_select, choices: [Red]}]\n"
        "tags:\n" + "".join(f"  - name: T{i:03d}\n" for i in range(120))
    )
    env = sandbox_env(sb, tmp_path)
    res = invoke(["plan", path, "--detailed-exitcode"], env)
    assert res.code == 0, res
    assert "No changes." in res.stdout
    lists = [r for r in sb.requests if r.path == "/v3/contact_lists"]
    assert all("status=active" in r.query for r in lists)


def _stored(store, refresh: str) -> None:
    store.write_text(
        json.dumps(
            {
                "clients": {
                    "sandbox": {"refresh_token": refresh, "access_token": "x" * 20, "expires_at": 0}
                }
            }
        )
    )


def test_a_refused_stored_token_echoed_by_the_token_endpoint_is_masked(make_sandbox, tmp_path):
    sb = make_sandbox()
    store = tmp_path / "s.json"
    secret = "stored-refresh-Zx9/+=abc"
    _stored(store, secret)
    path = "/oauth2/default/v1/token"
    body = {"error": "invalid_request", "error_description": f"bad token {secret}"}
    sb.faults.replace("POST", path, status=400, body=body)
    res = invoke(["whoami"], _refresh_env(sb, tmp_path, store, CTCT_REFRESH_TOKEN=None))
    assert res.code == 1, res
    assert secret not in res.output and "bad token ***" in res.stderr, res


def test_an_unchanged_fallback_token_is_not_reported_as_rotated(make_sandbox, tmp_path):
    """The stored token is refused, CTCT_REFRESH_TOKEN works and comes back unchanged
    (long-lived tokens): nothing rotated, so no notice and no hook."""
    sb = make_sandbox()
    store = tmp_path / "s.json"
    _stored(store, "an-old-refresh-token-now-refused")
    hook = tmp_path / "hook-ran"
    env = _refresh_env(sb, tmp_path, store, CTCT_ON_TOKEN_ROTATED=f"cat > {hook}")
    res = invoke(["whoami"], env)
    assert res.code == 0, res
    assert "new refresh token" not in res.output and not hook.exists(), res
    assert json.loads(store.read_text())["clients"]["sandbox"]["refresh_token"] == "sandbox"


def test_login_refuses_a_client_secret(make_sandbox, tmp_path):
    sb = make_sandbox()
    store = tmp_path / "store.json"
    env = {
        **sandbox_env(sb, tmp_path),
        "CTCT_ACCESS_TOKEN": None,
        "CTCT_CLIENT_ID": "sandbox-public",
        "CTCT_CLIENT_SECRET": "a-secret-a-public-app-lacks",
        "CTCT_DEVICE_AUTH_URL": sb.device_auth_url,
        "CTCT_CREDENTIALS_FILE": str(store),
    }
    res = invoke(["login", "--no-browser"], env)
    assert res.code == 1 and "unset CTCT_CLIENT_SECRET" in res.stderr, res
    assert not store.exists() and sb.requests == []
