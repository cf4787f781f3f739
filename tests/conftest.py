"""Fixtures shared by every test package."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ctctform.sandbox import Sandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A fresh, empty sandbox on a free loopback port (bearer token `sandbox`)."""
    with Sandbox(port=0) as sb:
        yield sb


@pytest.fixture
def make_sandbox() -> Iterator[Callable[..., Sandbox]]:
    """Start sandboxes with options (`make_sandbox(seed=..., latency_ms=200)`); all stop after."""
    started: list[Sandbox] = []

    def make(**options: Any) -> Sandbox:
        sb = Sandbox(**{"port": 0, **options}).start()
        started.append(sb)
        return sb

    yield make
    for sb in started:
        sb.stop()
