"""Helpers for manifest tests: write YAML files with known line numbers, collect errors."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from ctctform.manifest import ManifestError
from ctctform.workflow import load_manifest

Write = Callable[[str, str], Path]


@pytest.fixture
def write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Write:
    """Write a dedented file under tmp_path (the working directory, so messages show relative
    paths). The first line of the text is line 1 of the file."""
    monkeypatch.chdir(tmp_path)

    def write(name: str, text: str) -> Path:
        path = Path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


def errors_of(path: str | Path, variables: dict[str, str] | None = None) -> list[str]:
    """The error lines load_manifest raises (fails the test if it does not raise)."""
    with pytest.raises(ManifestError) as info:
        load_manifest(path, variables)
    return info.value.errors
