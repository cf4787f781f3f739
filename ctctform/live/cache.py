"""Details (segment criteria) kept on disk between runs, keyed by id and edit time."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

MAX_CACHE_BYTES = 32 * 1024 * 1024


class DetailCache:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.data: dict[str, dict[str, Any]] = {}
        self.dirty = False
        if path is not None:
            self.data = _read(path)

    @staticmethod
    def default_path(api_url: str, account: str | None) -> Path:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ctctform"
        digest = hashlib.sha256(f"{api_url}|{account or ''}".encode()).hexdigest()[:16]
        return base / f"details-{digest}.json"

    def get(self, key: str | None) -> dict[str, Any] | None:
        return self.data.get(key) if key else None

    def put(self, key: str | None, detail: dict[str, Any]) -> None:
        if key:
            self.data[key] = detail
            self.dirty = True

    def save(self, keep: Iterable[str]) -> None:
        if not (self.path and self.dirty):
            return
        wanted = set(keep)
        self.data = {k: v for k, v in self.data.items() if k in wanted}
        with contextlib.suppress(OSError):  # an optimisation: a read-only home must not fail
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(self.data))
            tmp.replace(self.path)


def _read(path: Path) -> dict[str, dict[str, Any]]:
    """The cache's entries; a damaged, oversized or odd cache is only a slower plan."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_CACHE_BYTES:
            return {}
        data = json.loads(path.read_text())
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, dict)}
