"""End-to-end fixtures: the real CLI against the real sandbox HTTP server.

Every test gets a fresh in-process sandbox on a free loopback port and a `ctct(args)` runner
that invokes `ctctform.cli.main` in-process (click's CliRunner) with the environment pointed
at that sandbox. `run_cli` does the same through a real subprocess, for what depends on the
process (terminals, CI, exit codes of the installed entry point).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from ctctform.sandbox import Sandbox

from .helpers import CtctRunner, Result, invoke, run_cli, sandbox_env

# -- speed ----------------------------------------------------------------------------

# -- the sandbox --------------------------------------------------------------------------


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    """A fresh, empty sandbox. Activities complete on their first poll (tests that are about
    waiting set `sb.settings.activity_polls` higher). Seed it with `sb.seed({...})`."""
    with Sandbox(port=0, activity_polls=0) as sandbox:
        yield sandbox


@pytest.fixture
def env(sb: Sandbox, tmp_path: Path) -> dict[str, str]:
    cache = tmp_path / "xdg-cache"
    cache.mkdir()
    return sandbox_env(sb, cache)


@pytest.fixture
def ctct(env: dict[str, str], tmp_path: Path) -> CtctRunner:
    """`ctct(["plan", path], env_extra={...}, input=None)`: the CLI against the sandbox."""

    def run(
        args: list[str],
        env_extra: Mapping[str, str | None] | None = None,
        input: str | None = None,
    ) -> Result:
        return invoke(args, {**env, **(env_extra or {})}, input=input, cwd=tmp_path)

    return run


@pytest.fixture
def ctct_proc(env: dict[str, str]) -> Callable[..., Result]:
    """The same through a subprocess: `ctct_proc(args, env_extra=None, stdin=..., input=...)`."""

    def run(
        args: list[str], env_extra: Mapping[str, str | None] | None = None, **kw: Any
    ) -> Result:
        return run_cli(args, {**env, **(env_extra or {})}, **kw)

    return run


@pytest.fixture
def manifest(tmp_path: Path) -> Callable[..., Path]:
    """`manifest(yaml_text, name="ctctform.yaml")` writes a manifest under tmp_path."""

    def write(text: str, name: str = "ctctform.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


@pytest.fixture
def api(sb: Sandbox) -> Iterator[httpx.Client]:
    """Direct HTTP access to the sandbox's v3 API (what a person in the web UI would do)."""
    headers = {"Authorization": "Bearer sandbox", "x-api-key": "sandbox"}
    with httpx.Client(base_url=sb.base_url, headers=headers, timeout=10) as client:
        yield client
