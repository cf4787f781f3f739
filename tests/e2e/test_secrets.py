"""Secrets never appear in output, error messages, plan files, JSON or Markdown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .helpers import EXAMPLES, Result, invoke, run_cli, sandbox_env

SECRETS = {
    "CTCT_ACCESS_TOKEN": "tok-Zq8sEcReT-access-7731",
    "CTCT_CLIENT_SECRET": "cs-Zq8sEcReT-client-4410",
    "CTCT_REFRESH_TOKEN": "rt-Zq8sEcReT-refresh-9902",
    "CTCT_PARTNER_API_KEY": "key-Zq8sEcReT-partner-1187",
    "CTCT_PARTNER_CLIENT_SECRET": "pcs-Zq8sEcReT-pclient-5521",
}
WRONG = {k: v.replace("Zq8sEcReT", "WrOnGsEcReT") for k, v in SECRETS.items()}
MARKERS = ("Zq8sEcReT", "WrOnGsEcReT")


@pytest.fixture
def secret_sb(make_sandbox):
    sb = make_sandbox(
        activity_polls=0,
        token=SECRETS["CTCT_ACCESS_TOKEN"],
        client_secret=SECRETS["CTCT_CLIENT_SECRET"],
        refresh_token=SECRETS["CTCT_REFRESH_TOKEN"],
        api_key=SECRETS["CTCT_PARTNER_API_KEY"],
        partner_client_secret=SECRETS["CTCT_PARTNER_CLIENT_SECRET"],
    )
    sb.seed(EXAMPLES / "demo-seed.yaml")
    return sb


@pytest.fixture
def secret_env(secret_sb, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    return {
        **sandbox_env(secret_sb, cache),
        **SECRETS,
        "CTCT_CLIENT_ID": "sandbox",
        "CTCT_TOKEN_URL": secret_sb.token_url,
    }


def _clean(*texts: str) -> None:
    for text in texts:
        for marker in MARKERS:
            assert marker not in text, f"a secret leaked:\n{text}"


def _clean_result(res: Result) -> None:
    _clean(res.stdout, res.stderr)


def _clean_files(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            _clean(path.read_text(errors="replace"))


def test_secrets_absent_from_validate_plan_apply_and_files(secret_sb, secret_env, tmp_path):
    basic = EXAMPLES / "basic"
    out, md = tmp_path / "plan.json", tmp_path / "plan.md"

    res = invoke(["validate", basic], secret_env)
    assert res.code == 0, res
    _clean_result(res)

    res = invoke(["plan", basic, "--out", out, "--markdown", md], secret_env)
    assert res.code == 0, res
    _clean_result(res)

    res = invoke(["plan", basic, "--json"], secret_env)
    assert res.code == 0, res
    _clean_result(res)

    res = invoke(["apply", "--plan", out, "--auto-approve"], secret_env)
    assert res.code == 0, res
    _clean_result(res)
    assert secret_sb.partner.webhooks  # the partner credentials were used, and worked

    res = run_cli(["plan", basic, "--detailed-exitcode"], secret_env)
    assert res.code == 0, res
    _clean_result(res)

    _clean_files(tmp_path)  # plan.json, plan.md, the segment-detail cache


@pytest.mark.parametrize(
    "wrong",
    [
        pytest.param({"CTCT_ACCESS_TOKEN": WRONG["CTCT_ACCESS_TOKEN"]}, id="bad-token-refreshed"),
        pytest.param(
            {
                "CTCT_ACCESS_TOKEN": WRONG["CTCT_ACCESS_TOKEN"],
                "CTCT_REFRESH_TOKEN": WRONG["CTCT_REFRESH_TOKEN"],
            },
            id="bad-token-bad-refresh",
        ),
        pytest.param(
            {"CTCT_ACCESS_TOKEN": WRONG["CTCT_ACCESS_TOKEN"], "CTCT_CLIENT_SECRET": None},
            id="bad-token-no-grant",
        ),
        pytest.param({"CTCT_PARTNER_API_KEY": WRONG["CTCT_PARTNER_API_KEY"]}, id="bad-partner-key"),
        pytest.param(
            {"CTCT_PARTNER_CLIENT_SECRET": WRONG["CTCT_PARTNER_CLIENT_SECRET"]},
            id="bad-partner-secret",
        ),
    ],
)
@pytest.mark.parametrize("command", ["plan", "apply"])
def test_failing_auth_never_shows_a_secret(secret_sb, secret_env, tmp_path, wrong, command):
    basic = EXAMPLES / "basic"
    env = {**secret_env, **wrong}
    args = [command, basic] + (["--auto-approve"] if command == "apply" else ["--json"])
    res = invoke(args, env)
    _clean_result(res)
    if wrong.keys() == {"CTCT_ACCESS_TOKEN"}:
        assert res.code == 0, res  # refreshed with the refresh-token grant
    else:
        assert res.code == 1, res
        # The account may be named first (on stderr, stdout carries the JSON); then the error.
        lines = res.stderr.splitlines()
        assert lines[-1].startswith("Error: "), res
        assert all(line.startswith(("Error: ", "Account: ")) for line in lines), res
    _clean_files(tmp_path)


def test_failing_auth_in_a_subprocess_never_shows_a_secret(secret_sb, secret_env):
    """The installed command, where logging and tracebacks would reach the real stderr."""
    env = {**secret_env, **WRONG}
    res = run_cli(["plan", EXAMPLES / "basic"], env)
    assert res.code == 1, res
    assert res.stderr.startswith("Error: "), res
    assert "Traceback" not in res.stderr
    _clean_result(res)


def test_rotated_refresh_token_is_saved_not_shown(make_sandbox, tmp_path):
    sb = make_sandbox(
        activity_polls=0,
        client_secret=SECRETS["CTCT_CLIENT_SECRET"],
        refresh_token=SECRETS["CTCT_REFRESH_TOKEN"],
        rotate_refresh_tokens=True,
    )
    sb.seed({"tags": [{"name": "VIP"}]})
    cache = tmp_path / "cache"
    cache.mkdir()
    env = {
        **sandbox_env(sb, cache),
        "CTCT_ACCESS_TOKEN": None,  # only the refresh-token grant
        "CTCT_CLIENT_ID": "sandbox",
        "CTCT_CLIENT_SECRET": SECRETS["CTCT_CLIENT_SECRET"],
        "CTCT_REFRESH_TOKEN": SECRETS["CTCT_REFRESH_TOKEN"],
        "CTCT_TOKEN_URL": sb.token_url,
    }
    manifest = tmp_path / "m.yaml"
    manifest.write_text("version: 1\ntags:\n  - name: VIP\n")
    store = tmp_path / "store" / "credentials.json"
    env["CTCT_CREDENTIALS_FILE"] = str(store)
    res = invoke(["plan", manifest], env)
    assert res.code == 0, res
    assert "issued a new refresh token" in res.stderr
    new_token = json.loads(store.read_text())["clients"]["sandbox"]["refresh_token"]
    assert new_token and new_token != SECRETS["CTCT_REFRESH_TOKEN"]
    assert store.stat().st_mode & 0o777 == 0o600
    for text in (res.stdout, res.stderr):
        assert new_token not in text
    _clean_result(res)
