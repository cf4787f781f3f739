"""Ctrl-C and SIGTERM (a cancelled CI job): nothing new starts, what was on the wire ends, and
the run says where it stopped. The real entry point in a subprocess, the real signal."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from pathlib import Path

import pytest

from .helpers import CTCT_VARS, CTCTFORM_BIN
from .test_fleet import SYNC, _fleet, _seed_accounts


def _start(args: list, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    full = {k: v for k, v in os.environ.items() if k not in CTCT_VARS} | env
    return subprocess.Popen(
        [str(CTCTFORM_BIN), *map(str, args)],
        env=full,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_line(proc: subprocess.Popen[str], needle: str, timeout: float = 60) -> list[str]:
    """stdout lines up to (and with) the first holding `needle`; the rest is left to read."""
    seen: list[str] = []
    found = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            seen.append(line)
            if needle in line:
                found.set()
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert found.wait(timeout), f"never printed {needle!r}: {''.join(seen)}"
    return seen


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_fleet_starts_no_new_account_and_leaves_a_resumable_report(
    sb, env, tmp_path, sig
):
    ids = _seed_accounts(sb, 12)
    sb.latency_ms = 40
    report = tmp_path / "report.json"
    page = tmp_path / "report.html"
    args = ["apply", "--fleet", _fleet(tmp_path), "--auto-approve", "--parallelism", "1"]
    proc = _start([*args, "--report", report, "--html", page], env, tmp_path)
    _wait_for_line(proc, "): applied")  # one account finished, the next is in flight
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1, err
    assert "interrupted" in err and f"--resume {report}" in err, err
    assert "account(s):" in out  # the table is printed all the same
    doc = json.loads(report.read_text())
    assert doc["complete"] is False and doc["interrupted"] is True
    results = {a["key"]: a["result"] for a in doc["accounts"]}
    assert set(results) == set(ids)  # every account has a row
    not_started = [k for k, r in results.items() if r == "not started"]
    assert len(not_started) >= 8, results  # one account at a time: most never began
    synced = {r.path.split("/")[4] for r in sb.requests if r.path.endswith(SYNC)}
    assert not synced & set(not_started)  # not a single request for them
    assert "not started" in page.read_text()

    sb.latency_ms = 0
    again = _start([*args, "--resume", report, "--report", tmp_path / "second.json"], env, tmp_path)
    out, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    for ident in ids:
        assert sb.store(ident).find("segments", "VIP customers") is not None


def test_an_interrupted_apply_sends_nothing_after_the_signal_but_what_was_on_the_wire(
    sb, env, tmp_path
):
    tags = "".join(f"  - name: Tag {i:03d}\n" for i in range(120))
    (tmp_path / "m.yaml").write_text("version: 1\ntags:\n" + tags)
    sb.latency_ms = 40
    proc = _start(["apply", "m.yaml", "--auto-approve", "--parallelism", "2"], env, tmp_path)
    _wait_for_line(proc, "ok tags")
    proc.send_signal(signal.SIGINT)
    sent_at_signal = sum(1 for r in sb.requests if r.method == "POST")
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1, err
    assert "interrupted; nothing more was started" in err, err
    posts = sum(1 for r in sb.requests if r.method == "POST")
    # At most the two in flight (and any the log had not yet recorded) came after.
    assert posts - sent_at_signal <= 4, (sent_at_signal, posts)
    assert posts < 120
    assert "Traceback" not in err


def test_a_create_on_the_wire_at_the_signal_is_reported_as_maybe_made(sb, env, tmp_path):
    """Its answer is lost after the signal, and the read-back that would settle it is not
    sent (the run stopped): the create is reported as possibly made, never as not started."""
    (tmp_path / "m.yaml").write_text("version: 1\ntags:\n  - name: VIP\n")
    rule = sb.faults.replace("POST", "/v3/contact_tags", action="hang", commit=True, hang_seconds=3)
    proc = _start(["apply", "m.yaml", "--auto-approve"], env, tmp_path)
    rule.wait(1)  # the create is on the wire, and committed
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert "not started: tags 'VIP'" not in out + err
    assert "may have been applied" in out + err, out + err
    assert [t.name for t in sb.store().tags.values()] == ["VIP"]
    assert "Traceback" not in err
