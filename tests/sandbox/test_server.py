"""Lifecycle of the server: fast start, clean stop, quiet, several at once, the CLI."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from ctctform.sandbox import Sandbox

from .helpers import AUTH, plain

REPO = Path(__file__).resolve().parents[2]


def test_starts_fast_and_stops_cleanly():
    started = time.monotonic()
    sb = Sandbox(port=0).start()
    assert time.monotonic() - started < 0.5
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v3", sb.base_url)
    assert sb.token_url == sb.base_url.removesuffix("/v3") + "/oauth2/default/v1/token"
    assert sb.partner_token_url == sb.base_url.removesuffix("/v3") + "/oauth2/token"
    assert plain.get(f"{sb.base_url}/contact_lists", headers=AUTH).status_code == 200
    thread = sb._thread
    sb.stop()
    assert thread is not None and not thread.is_alive()
    with pytest.raises(httpx.ConnectError):
        plain.get(f"http://127.0.0.1:{thread.name.rsplit('-', 1)[1]}/v3/contact_lists")
    sb.stop()  # idempotent


def test_two_sandboxes_at_once_are_independent():
    with Sandbox(port=0) as one, Sandbox(port=0) as two:
        assert one.port != two.port
        plain.post(f"{one.base_url}/contact_tags", headers=AUTH, json={"name": "Only in one"})
        assert plain.get(f"{two.base_url}/contact_tags", headers=AUTH).json() == {"tags": []}
        assert [r.method for r in one.requests] == ["POST"]
        assert [r.method for r in two.requests] == ["GET"]


def test_port_in_use_raises_oserror():
    with Sandbox(port=0) as sb, pytest.raises(OSError):
        Sandbox(port=sb.port).start()


def test_server_prints_nothing(sandbox, capfd):
    plain.get(f"{sandbox.base_url}/contact_lists", headers=AUTH)
    plain.get(f"{sandbox.base_url}/nowhere", headers=AUTH)
    plain.get(f"{sandbox.base_url}/contact_lists")
    with socket.create_connection(("127.0.0.1", sandbox.port)) as raw:
        raw.sendall(b"NONSENSE\r\n\r\n")
        raw.recv(1024)
    assert capfd.readouterr() == ("", "")


def test_unknown_paths_and_methods(api, sandbox):
    assert api.get("/contacts").status_code == 404
    response = api.patch("/contact_lists")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert [(r.path, r.status) for r in sandbox.requests] == [
        ("/v3/contacts", 404),
        ("/v3/contact_lists", 405),
    ]


def test_log_records_rejections_and_resets(sandbox):
    plain.get(f"{sandbox.base_url}/contact_lists")
    plain.get(f"{sandbox.base_url}/contact_lists", headers=AUTH, params={"limit": 5})
    assert [(r.method, r.path, r.status, r.query) for r in sandbox.requests] == [
        ("GET", "/v3/contact_lists", 401, ""),
        ("GET", "/v3/contact_lists", 200, "limit=5"),
    ]
    sandbox.reset_log()
    assert sandbox.requests == []


def test_env_points_at_the_sandbox(sandbox):
    env = sandbox.env()
    assert env["CTCT_API_URL"] == sandbox.base_url
    assert env["CTCT_ACCESS_TOKEN"] == "sandbox"
    assert env["CTCT_TOKEN_URL"] == sandbox.token_url
    assert env["CTCT_PARTNER_TOKEN_URL"] == sandbox.partner_token_url


def test_cli_serves_until_interrupted(tmp_path):
    seed = tmp_path / "seed.yaml"
    seed.write_text("lists: [{name: From the CLI}, {name: Second}]\n")
    command = [
        sys.executable,
        "-c",
        "from ctctform.sandbox.cli import sandbox_command; sandbox_command()",
        "--port",
        "0",
        "--seed",
        str(seed),
        "--token",
        "cli-token",
        "--next-link-style",
        "contacts-service",
    ]
    process = subprocess.Popen(
        command,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )
    try:
        lines = []
        while not lines or not lines[-1].startswith("Press Ctrl-C"):
            line = process.stdout.readline()
            assert line, process.stderr.read()
            lines.append(line.strip())
        url = next(line.split("=", 1)[1] for line in lines if "CTCT_API_URL=" in line)
        assert "export CTCT_ACCESS_TOKEN=cli-token" in lines
        headers = {"Authorization": "Bearer cli-token"}
        page = plain.get(f"{url}/contact_lists", headers=headers, params={"limit": 1}).json()
        assert [item["name"] for item in page["lists"]] == ["From the CLI"]
        assert page["_links"]["next"]["href"].startswith("/contacts-service/v3/accounts/")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        process.kill()
    assert process.returncode == 0
    assert "Sandbox stopped." in out
    assert err == ""


def test_cli_rejects_bad_faults():
    from click.testing import CliRunner

    from ctctform.sandbox.cli import sandbox_command

    result = CliRunner().invoke(sandbox_command, ["--faults", "error_rate=5"])
    assert result.exit_code == 2
    assert "--faults" in result.output
    result = CliRunner().invoke(sandbox_command, ["--next-link-style", "v2"])
    assert result.exit_code == 2
    assert "--next-link-style" in result.output
