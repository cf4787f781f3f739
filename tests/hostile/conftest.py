"""Hostile-input fixtures: the e2e fixtures (`sb`, `ctct`, `ctct_proc`, `manifest`), plus
bounded runs (wall time, and address space for the pathological inputs) and the assertions
every hostile case shares."""

from __future__ import annotations

import os
import re
import resource
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from e2e.conftest import api, ctct, ctct_proc, env, manifest, sb  # noqa: F401 - fixtures
from e2e.helpers import CTCT_VARS, CTCTFORM_BIN, Result

# Every case ends in bounded time; a case that needs longer is a hang.
CASE_SECONDS = 20.0
# The pathological inputs run in a subprocess that may not map more than this.
MEMORY_CAP = 2 * 2**30

# `FILE:LINE: ...`: the shape of every manifest error line (after `Error: `).
LOCATED = re.compile(r"^Error: (?P<file>[^\n:]+):(?P<line>\d+): \S")


@contextmanager
def bounded(seconds: float = CASE_SECONDS) -> Iterator[None]:
    """The block must finish within `seconds` of wall time."""
    started = time.monotonic()
    yield
    took = time.monotonic() - started
    assert took < seconds, f"took {took:.1f}s (bound {seconds}s)"


def error_lines(res: Result) -> list[str]:
    return [line for line in res.stderr.splitlines() if line.strip()]


def assert_located(res: Result, where: str, *words: str) -> None:
    """Exit 1, no traceback, every stderr line a one-line `Error: FILE:LINE: reason`, one of
    them starting with `where` (`bad.yaml:4:`), and that line holding each of `words`
    (case-insensitive)."""
    assert res.code == 1, res
    assert "Traceback" not in res.output, res
    lines = error_lines(res)
    assert lines, res
    for line in lines:
        assert LOCATED.match(line), f"not a located error line: {line!r}\n{res!r}"
    hits = [line for line in lines if line.removeprefix("Error: ").startswith(where)]
    assert hits, f"no error at {where!r}\n{res!r}"
    if words:
        text = " ".join(hits).lower()
        for word in words:
            assert word.lower() in text, f"{word!r} not in the error at {where}\n{res!r}"


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


@pytest.fixture
def bounded_proc(env: dict[str, str], tmp_path: Path) -> Callable[..., Result]:  # noqa: F811
    """`bounded_proc(args, timeout=20)`: the installed entry point in a subprocess whose
    address space is capped at 2 GiB, killed after `timeout` seconds (a TimeoutExpired is
    a failed case: a hang)."""

    def run(
        args: list[Any], timeout: float = CASE_SECONDS, env_extra: Mapping[str, str] | None = None
    ) -> Result:
        full = {k: v for k, v in os.environ.items() if k not in CTCT_VARS}
        full.update(env)
        full.update(env_extra or {})
        try:
            proc = subprocess.run(
                [str(CTCTFORM_BIN), *map(str, args)],
                env=full,
                cwd=tmp_path,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=timeout,
                preexec_fn=_cap_memory,
            )
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"ctctform {' '.join(map(str, args))} did not end within {timeout}s"
            ) from None
        assert proc.returncode >= 0, f"killed by signal {-proc.returncode}: {proc.stderr[-2000:]}"
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run
