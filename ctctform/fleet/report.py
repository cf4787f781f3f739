"""A fleet run's results: one row per account, written as accounts finish.

`--report FILE` is rewritten atomically after every account (so an interrupted run leaves a
usable file, `complete: false`), and `--resume FILE` reads it back to skip the accounts it
records as finished. The format is documented in docs/partners.md and described by
ctctform/schemas/fleet-report.schema.json.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ctctform.api.redact import redact
from ctctform.errors import CtctformError

FORMAT_VERSION = 1
FINISHED = ("no changes", "applied", "provisioned", "finished earlier")


@dataclass
class AccountResult:
    key: str
    encoded_account_id: str | None
    organization_name: str = ""
    login_name: str | None = None
    result: str = "failed"  # no changes, changes, applied, provisioned, failed, skipped
    changes: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    seconds: float = 0.0
    summary: str = ""
    errors: list[str] = field(default_factory=list)
    plan: str | None = None  # the text plan, for the HTML page

    @property
    def failed(self) -> bool:
        return self.result == "failed"

    @property
    def changed(self) -> bool:
        return self.result in ("changes", "applied", "provisioned")

    @property
    def finished(self) -> bool:
        return self.result in FINISHED


class Report:
    """Collects results (from worker threads) and keeps the report file current."""

    def __init__(self, mode: str, fleet: str, shard: str | None, path: Path | None) -> None:
        self.mode = mode
        self.fleet = fleet
        self.shard = shard
        self.path = path
        self.started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self.results: list[AccountResult] = []
        self.complete = False
        self._lock = threading.Lock()

    def add(self, result: AccountResult) -> None:
        with self._lock:
            self.results.append(result)
            self._write()

    def finish(self) -> None:
        with self._lock:
            self.complete = True
            self._write()

    def totals(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for r in self.results:
            counts[r.result] = counts.get(r.result, 0) + 1
        return {
            "accounts": len(self.results),
            "by_result": dict(sorted(counts.items())),
            "requests": sum(r.requests for r in self.results),
            "failed": sum(r.failed for r in self.results),
            "changed": sum(r.changed for r in self.results),
        }

    def document(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "mode": self.mode,
            "fleet": self.fleet,
            "shard": self.shard,
            "started_at": self.started,
            "complete": self.complete,
            "accounts": [{**asdict(r), "finished": r.finished} for r in self.results],
            "totals": self.totals(),
        }

    def _write(self) -> None:
        if self.path is None:
            return
        text = redact(json.dumps(self.document(), indent=2, ensure_ascii=False)) + "\n"
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with contextlib.suppress(OSError):
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(self.path)


def finished_keys(path: Path) -> set[str]:
    """The accounts a previous report records as finished (for --resume)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CtctformError(f"--resume {path}: not a readable fleet report ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format_version") != FORMAT_VERSION:
        raise CtctformError(f"--resume {path}: not a ctctform fleet report")
    return {
        str(a["key"])
        for a in doc.get("accounts") or []
        if isinstance(a, dict) and a.get("finished") and a.get("result") != "changes"
    }


def render_table(report: Report) -> str:
    rows = [("account", "organization", "result", "changes", "requests", "time")]
    for r in report.results:
        n = r.changes
        changes = f"+{n.get('add', 0)} ~{n.get('change', 0)} -{n.get('destroy', 0)}" if n else ""
        account = r.encoded_account_id or r.key
        rows.append(
            (
                account,
                r.organization_name[:28],
                r.result,
                changes,
                str(r.requests),
                f"{r.seconds:.1f}s",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    t = report.totals()
    by = ", ".join(f"{n} {k}" for k, n in t["by_result"].items()) or "none"
    lines.append("")
    lines.append(f"{t['accounts']} account(s): {by}; {t['requests']} API requests.")
    return "\n".join(lines)
