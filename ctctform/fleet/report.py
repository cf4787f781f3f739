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
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import best_match

from ctctform.api.redact import redact
from ctctform.errors import CtctformError
from ctctform.fleet.schema import report_schema
from ctctform.safefile import read_regular
from ctctform.visible import visible

MAX_REPORT_BYTES = 256 * 1024 * 1024  # 10,000 accounts with their plans fit many times
WRITE_EVERY = 1.0  # seconds between rewrites of --report while the run goes on ...
WRITE_EACH_UP_TO = 200  # ... once it holds more rows than this

FORMAT_VERSION = 1
# What `--resume` does not run again. In an apply, "changes" is a plan that was not applied.
FINISHED = {
    "plan": frozenset({"no changes", "changes", "provisioned"}),
    "apply": frozenset({"no changes", "applied", "provisioned"}),
}


@dataclass
class AccountResult:
    key: str
    encoded_account_id: str | None
    organization_name: str = ""
    login_name: str | None = None
    result: str = "failed"  # one of RESULTS
    changes: dict[str, int] = field(default_factory=dict)
    requests: int = 0  # every request made for this account, provisioning included
    seconds: float = 0.0
    summary: str = ""
    errors: list[str] = field(default_factory=list)
    plan: str | None = None  # the text plan, for the HTML page
    billing_plan: str | None = None  # the plan_type this run sets, or would set
    resumed: bool = False  # carried over from the report given to --resume

    @property
    def failed(self) -> bool:
        return self.result == "failed"

    @property
    def changed(self) -> bool:
        return self.result in ("changes", "applied", "provisioned")

    def finished(self, mode: str) -> bool:
        return self.result in FINISHED[mode]

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> AccountResult:
        """A row of an earlier report (already checked against the report schema)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in doc.items() if k in names} | {"resumed": True})


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
        self.interrupted = False
        self.listing_requests = 0  # GET /partner/accounts: the run's own, no account's
        self._rows: list[str] = []
        self._written_at = float("-inf")
        self._lock = threading.Lock()

    def add(self, result: AccountResult) -> None:
        """Record a finished account and rewrite the file: after every row while the report
        is small, at most every WRITE_EVERY seconds once it is large (rewriting it whole for
        each of 10,000 accounts would cost minutes); a killed run loses at most that much."""
        with self._lock:
            self.results.append(result)
            self._rows.append(self._row_text(result))
            small = len(self._rows) <= WRITE_EACH_UP_TO
            if small or time.monotonic() - self._written_at >= WRITE_EVERY:
                self._write()

    def flush(self) -> None:
        """Write the file now (the run was interrupted, or ends)."""
        with self._lock:
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
            "requests": sum(r.requests for r in self.results if not r.resumed)
            + self.listing_requests,
            "listing_requests": self.listing_requests,
            "failed": sum(r.failed for r in self.results),
            "changed": sum(r.changed for r in self.results),
        }

    def document(self) -> dict[str, Any]:
        return json.loads(self.text())  # type: ignore[no-any-return]

    def text(self) -> str:
        """The report as JSON: one line per account (each redacted once, when it was added),
        so writing it again costs a join, not a new serialisation of every row."""
        head = {
            "format_version": FORMAT_VERSION,
            "mode": self.mode,
            "fleet": self.fleet,
            "shard": self.shard,
            "started_at": self.started,
            "complete": self.complete,
            "interrupted": self.interrupted,
        }
        lines = [
            f"  {json.dumps(k)}: {redact(json.dumps(v, ensure_ascii=False))},"
            for k, v in head.items()
        ]
        rows = ",\n".join(f"    {row}" for row in self._rows)
        lines.append(f'  "accounts": [\n{rows}\n  ],' if rows else '  "accounts": [],')
        lines.append(f'  "totals": {redact(json.dumps(self.totals(), ensure_ascii=False))}')
        return "{\n" + "\n".join(lines) + "\n}\n"

    def _row_text(self, result: AccountResult) -> str:
        row = {**asdict(result), "finished": result.finished(self.mode)}
        return redact(json.dumps(row, ensure_ascii=False))

    def _write(self) -> None:
        self._written_at = time.monotonic()
        if self.path is None or (self.path.exists() and not self.path.is_file()):
            return  # never rename a file over a device (the CLI refuses such a path)
        text = self.text()
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with contextlib.suppress(OSError):
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(self.path)


def earlier_results(
    path: Path, fleet: str, mode: str, shard: str | None = None
) -> dict[str, AccountResult]:
    """The rows of an earlier report that `--resume` keeps: accounts it finished, by key.

    The report must be of the same fleet and the same mode: an apply resumed from a plan's
    report would take "changes" planned for "changes" made.
    """
    try:
        data = read_regular(path, MAX_REPORT_BYTES)
        if len(data) > MAX_REPORT_BYTES:
            raise ValueError("too large")
        doc = json.loads(data.decode("utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        raise CtctformError(f"--resume {path}: not a readable fleet report ({exc})") from None
    error = best_match(Draft7Validator(report_schema()).iter_errors(doc))
    if error is not None:
        where = "/".join(map(str, error.absolute_path)) or "the top"
        raise CtctformError(f"--resume {path}: not a ctctform fleet report (at {where})")
    if doc["mode"] != mode:
        article = {"plan": "a plan", "apply": "an apply"}
        raise CtctformError(
            f"--resume {path}: the report of {article[doc['mode']]}, and this is "
            f"{article[mode]}; resume {article[mode]} from its own report"
        )
    if doc.get("fleet") and not _same_file(Path(doc["fleet"]), Path(fleet)):
        raise CtctformError(f"--resume {path}: the report of fleet {doc['fleet']}, not {fleet}")
    if (doc.get("shard") or None) != (shard or None):
        # Another shard's rows would be carried into this shard's report as its own.
        given = f"shard {doc['shard']}" if doc.get("shard") else "the whole fleet"
        wanted = f"shard {shard}" if shard else "the whole fleet"
        raise CtctformError(f"--resume {path}: the report of {given}, and this run is {wanted}")
    rows = [AccountResult.from_document(a) for a in doc["accounts"]]
    return {r.key: r for r in rows if r.finished(mode)}


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return str(a) == str(b)


def render_table(report: Report) -> str:
    rows = [("account", "organization", "result", "changes", "requests", "time")]
    for r in report.results:
        n = r.changes
        changes = f"+{n.get('add', 0)} ~{n.get('change', 0)} -{n.get('destroy', 0)}" if n else ""
        account = r.encoded_account_id or r.key
        rows.append(
            (
                visible(account),
                visible(r.organization_name)[:28],
                r.result + (" (earlier)" if r.resumed else ""),
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
    listing = (
        f", {t['listing_requests']} of them to list the accounts" if t["listing_requests"] else ""
    )
    lines.append(f"{t['accounts']} account(s): {by}; {t['requests']} API requests{listing}.")
    return "\n".join(lines)
