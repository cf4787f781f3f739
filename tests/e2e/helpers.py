"""Helpers for the end-to-end tests: running the CLI, reading the sandbox's request log."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from ctctform.cli import main
from ctctform.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
CTCTFORM_BIN = ROOT / ".venv" / "bin" / "ctctform"
if not CTCTFORM_BIN.exists():  # a venv elsewhere: the entry point next to this interpreter
    CTCTFORM_BIN = Path(sys.executable).with_name("ctctform")
EXAMPLES = ROOT / "ctctform" / "examples"

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Every variable ctctform reads, so the outer environment never leaks into a test.
CTCT_VARS = (
    "CTCT_API_URL",
    "CTCT_ACCESS_TOKEN",
    "CTCT_CLIENT_ID",
    "CTCT_CLIENT_SECRET",
    "CTCT_REFRESH_TOKEN",
    "CTCT_TOKEN_URL",
    "CTCT_PARTNER_API_KEY",
    "CTCT_PARTNER_CLIENT_ID",
    "CTCT_PARTNER_CLIENT_SECRET",
    "CTCT_PARTNER_TOKEN_URL",
    "CTCT_RATE_LIMIT",
    "CTCT_CREDENTIALS_FILE",
    "CTCT_ON_TOKEN_ROTATED",
    "CTCT_DEVICE_AUTH_URL",
    "CTCT_TIMEOUT",
    "CI",
    "NO_COLOR",
)


def outside_vars() -> list[str]:
    """Every variable of the developer's environment a run must not see: the ones above,
    and any other CTCT_* (a variable added later is kept out too)."""
    return sorted({*CTCT_VARS, *(k for k in os.environ if k.startswith("CTCT_"))})


@dataclass(frozen=True, repr=False)
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def __repr__(self) -> str:  # shown by pytest when `assert ..., result` fails
        return f"exit {self.code}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


def sandbox_env(sb: Sandbox, cache_home: Path) -> dict[str, str]:
    """The environment the CLI runs with against `sb` (credentials `sandbox`)."""
    return {
        "CTCT_API_URL": sb.base_url,
        "CTCT_ACCESS_TOKEN": "sandbox",
        "CTCT_PARTNER_API_KEY": "sandbox",
        "CTCT_PARTNER_CLIENT_ID": "sandbox",
        "CTCT_PARTNER_CLIENT_SECRET": "sandbox",
        "CTCT_PARTNER_TOKEN_URL": sb.partner_token_url,
        "CTCT_RATE_LIMIT": "200",
        "XDG_CACHE_HOME": str(cache_home),
    }


def invoke(
    args: list[str],
    env: Mapping[str, str | None],
    input: str | None = None,
    cwd: Path | None = None,
) -> Result:
    """Run the real CLI in-process; `env` entries that are None are unset."""
    full: dict[str, str | None] = dict.fromkeys(outside_vars())
    full.update(env)
    runner = CliRunner()
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        res = runner.invoke(main, [str(a) for a in args], env=full, input=input)
    finally:
        os.chdir(old)
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise AssertionError(
            f"ctctform {' '.join(map(str, args))} crashed: {res.exception!r}\n{res.output}"
        ) from res.exception
    return Result(res.exit_code, res.stdout, res.stderr)


def run_cli(
    args: list[str],
    env: Mapping[str, str | None],
    *,
    stdin: Any = subprocess.DEVNULL,
    input: str | None = None,
    timeout: float = 60,
) -> Result:
    """Run the installed `ctctform` entry point as a subprocess."""
    outside = set(outside_vars())
    full = {k: v for k, v in os.environ.items() if k not in outside}
    for key, value in env.items():
        if value is None:
            full.pop(key, None)
        else:
            full[key] = value
    proc = subprocess.run(
        [str(CTCTFORM_BIN), *map(str, args)],
        env=full,
        stdin=None if input is not None else stdin,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


CtctRunner = Callable[..., Result]


# -- request-log helpers ------------------------------------------------------------------


def v3(sb: Sandbox, account: str | None = None) -> list[Any]:
    """Requests to the v3 API for one account (default: the partner's own account)."""
    return [r for r in sb.requests if r.path.startswith("/v3/") and r.account == account]


def writes(sb: Sandbox, account: str | None = None) -> list[Any]:
    return [r for r in v3(sb, account) if r.method in WRITE_METHODS]


def reads(sb: Sandbox, account: str | None = None) -> list[Any]:
    return [r for r in v3(sb, account) if r.method not in WRITE_METHODS]


def calls(sb: Sandbox, account: str | None = None) -> Counter[tuple[str, str]]:
    """(method, path) -> count, for v3 requests of one account."""
    return Counter((r.method, r.path) for r in v3(sb, account))


def count(sb: Sandbox, method: str, path: str, account: str | None = None) -> int:
    return sum(1 for r in v3(sb, account) if r.method == method and r.path == path)


def write_summary(sb: Sandbox, account: str | None = None) -> list[tuple[str, str, int]]:
    return [(r.method, r.path, r.status) for r in writes(sb, account)]


# -- assertions ---------------------------------------------------------------------------


def plan_is_clean(ctct: CtctRunner, path: Path | str, *extra: str) -> Result:
    """A second plan right after an apply: exit 0 with --detailed-exitcode, "No changes"."""
    res = ctct(["plan", str(path), "--detailed-exitcode", *extra])
    assert res.code == 0, res
    assert "No changes. The account matches the manifest." in res.stdout, res
    return res


def apply_ok(ctct: CtctRunner, path: Path | str, *extra: str) -> Result:
    res = ctct(["apply", str(path), "--auto-approve", *extra])
    assert res.code == 0, res
    assert "Apply complete!" in res.stdout or "No changes." in res.stdout, res
    return res


def summary_line(text: str) -> str:
    """The `Plan: ...` or `No changes. ...` line of a text plan."""
    for line in text.splitlines():
        if line.startswith(("Plan: ", "No changes.")):
            return line
    raise AssertionError(f"no summary line in:\n{text}")
