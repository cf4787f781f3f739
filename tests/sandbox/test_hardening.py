"""Hardening: loopback unless told otherwise, the Host check, secrets out of the -v log."""

from __future__ import annotations

import os
import secrets as secrets_module
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from ctctform.sandbox import Sandbox

from .helpers import AUTH, assert_api_error, plain

REPO = Path(__file__).resolve().parents[2]
SECRETS = {
    "token": "AT-s3cret/static+Q7",
    "api_key": "AK-s3cret/key+Q7",
    "client_secret": "CS-s3cret/client+Q7",
    "refresh_token": "RT-s3cret/refresh+Q7",
    "partner_client_secret": "PS-s3cret/partner+Q7",
}


def get(sb: Sandbox, host: str, path: str = "/v3/contact_lists"):
    return plain.get(f"{sb.url}{path}", headers=AUTH | {"Host": host})


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1:{port}", "127.0.0.1", "localhost:{port}", "LOCALHOST", "[::1]:{port}", "[::1]"],
)
def test_loopback_host_headers_are_served(sandbox, host):
    assert get(sandbox, host.format(port=sandbox.port)).status_code == 200


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:{port}",
        "127.0.0.1:1",
        "localhost.evil.example:{port}",
        "[::2]:{port}",
        "127.0.0.1:{port}x",
        "[::1",
    ],
)
def test_other_host_headers_are_403_and_write_nothing(sandbox, host):
    host = host.format(port=sandbox.port)
    assert_api_error(get(sandbox, host), 403, "DNS rebinding")
    posted = plain.post(
        f"{sandbox.base_url}/contact_tags", json={"name": "X"}, headers=AUTH | {"Host": host}
    )
    assert_api_error(posted, 403)
    token = plain.post(
        sandbox.token_url,
        data={"grant_type": "refresh_token", "refresh_token": "sandbox"},
        auth=("sandbox", "sandbox"),
        headers={"Host": host},
    )
    assert token.status_code == 403
    assert sandbox.store().tags == {}
    assert [r.status for r in sandbox.requests] == [403, 403, 403]


def test_another_loopback_address_is_served_under_its_own_name(make_sandbox):
    sb = make_sandbox(host="127.0.0.2")
    assert get(sb, f"127.0.0.2:{sb.port}").status_code == 200
    assert get(sb, f"127.0.0.1:{sb.port}").status_code == 200
    assert get(sb, "evil.example").status_code == 403


def test_allow_remote_allows_any_host(make_sandbox):
    sb = make_sandbox(allow_remote=True)
    assert get(sb, "anything.example:1").status_code == 200


def test_non_loopback_needs_allow_remote():
    for host in ("0.0.0.0", "::", "192.0.2.10", "sandbox.example"):
        with pytest.raises(ValueError, match="allow_remote"):
            Sandbox(port=0, host=host)


def run_cli(*args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-c", "from ctctform.cli import main; main()", "sandbox", *args]
    return subprocess.Popen(
        command,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )


def banner(process: subprocess.Popen[str]) -> list[str]:
    lines: list[str] = []
    while not lines or not lines[-1].startswith("Press Ctrl-C"):
        line = process.stdout.readline()  # type: ignore[union-attr]
        assert line, process.stderr.read()  # type: ignore[union-attr]
        lines.append(line.strip())
    return lines


def interrupt(process: subprocess.Popen[str]) -> tuple[str, str]:
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    return out, err


def test_cli_refuses_a_non_loopback_host_without_allow_remote():
    process = run_cli("--host", "0.0.0.0", "--port", "0")
    out, err = process.communicate(timeout=30)
    assert process.returncode == 1
    assert "refusing to listen on 0.0.0.0" in err and "--allow-remote" in err
    assert "listening" not in out


def test_cli_allow_remote_warns_and_prints_the_bound_address():
    # Reachable from the network for a moment: no credential may be a default one.
    secrets = [secrets_module.token_urlsafe(16) for _ in range(5)]
    process = run_cli(
        "--host", "0.0.0.0", "--allow-remote", "--port", "0", "--token", "t-9Qx",
        "--api-key", secrets[0], "--client-secret", secrets[1], "--refresh-token", secrets[2],
        "--partner-client-secret", secrets[3], "--public-client-id", secrets[4],
    )  # fmt: skip
    try:
        lines = banner(process)
        listening = next(line for line in lines if "listening on" in line)
        assert listening.startswith("Constant Contact v3 sandbox listening on http://0.0.0.0:")
        port = listening.rsplit(":", 1)[1].removesuffix("/v3")
        assert f"export CTCT_API_URL=http://127.0.0.1:{port}/v3" in lines
        url = f"http://127.0.0.1:{port}/v3/contact_lists"
        headers = {"Authorization": "Bearer t-9Qx", "Host": f"192.0.2.10:{port}"}
        assert plain.get(url, headers=headers).status_code == 200
        out, err = interrupt(process)
    finally:
        process.kill()
    assert "WARNING" in err and "Anyone who can reach that address" in err


def forms(value: str) -> set[str]:
    return {value, quote(value, safe=""), quote_plus(value), quote(quote(value, safe=""))}


def test_verbose_log_never_prints_secrets(make_sandbox, capfd):
    sb = make_sandbox(verbose=True, **SECRETS)
    issued = plain.post(
        sb.token_url,
        data={"grant_type": "refresh_token", "refresh_token": SECRETS["refresh_token"]},
        auth=("sandbox", SECRETS["client_secret"]),
    ).json()
    query = {
        "access_token": "plain-access",
        "refresh_token": "plain-refresh",
        "client_secret": "plain-secret",
        "device_code": "plain-device",
        "code": "plain-code",
        "password": "plain-password",
        "token": "plain-token",
        "a": SECRETS["token"],
        "b": quote(SECRETS["client_secret"], safe=""),  # arrives encoded twice
        "c": issued["access_token"],
        "d": SECRETS["partner_client_secret"],
        "visible": "shown",
    }
    headers = {"Authorization": f"Bearer {SECRETS['token']}"}
    assert plain.get(f"{sb.base_url}/contact_lists", params=query, headers=headers).is_success
    err = capfd.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 2 and lines[1].startswith('"GET /v3/contact_lists?access_token=REDACTED')
    assert "visible=shown" in err
    for value in [*query.values(), *SECRETS.values(), issued["access_token"]]:
        if value == "shown":
            continue
        for form in forms(value):
            assert form not in err, f"{value!r} leaked as {form!r}"


def test_cli_verbose_log_redacts_query_secrets():
    process = run_cli("--port", "0", "-v", "--client-secret", "CS-cli/secret")
    try:
        lines = banner(process)
        url = next(line.split("=", 1)[1] for line in lines if "CTCT_API_URL=" in line)
        params = {"refresh_token": "rt-cli-123", "x": "CS-cli/secret", "page": "2"}
        plain.get(f"{url}/contact_lists", params=params, headers=AUTH)
        out, err = interrupt(process)
    finally:
        process.kill()
    assert '"GET /v3/contact_lists?refresh_token=REDACTED&x=REDACTED&page=2" 200' in err
    assert "rt-cli-123" not in err and "CS-cli" not in err
