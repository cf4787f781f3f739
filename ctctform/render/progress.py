"""Apply output: one line per finished change while it runs, then the outcome."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import click

from ctctform.apply import ApplyResult
from ctctform.plan import Change, Plan


def reporter(
    plan: Plan, echo: Callable[[str], Any], color: bool
) -> Callable[[Change, str, bool, bool], None]:
    """One line per finished change, numbered; safe to call from the applier's threads."""
    total = len(plan.actionable)
    lock = threading.Lock()
    done = 0

    def report(change: Change, text: str, ok: bool, partial: bool) -> None:
        nonlocal done
        if color:
            mark = click.style("✓", fg="green") if ok else click.style("✗", fg="red")
        else:
            mark = "ok" if ok else "FAILED"
        with lock:
            done += 1 if ok and not partial else 0
            echo(f"[{done}/{total}] {mark} {change.kind} {change.key!r}: {text}")

    return report


def render_result(result: ApplyResult) -> str:
    n = result.counts()
    counts = f"{n['added']} added, {n['changed']} changed, {n['destroyed']} destroyed."
    if result.ok:
        return f"\nApply complete! Resources: {counts}"
    lines = [f"\nApply failed. Done: {counts}"]
    lines += [f"  failed:      {c.kind} {c.key!r}: {msg}" for c, msg in result.failed]
    lines += [f"  not started: {c.kind} {c.key!r} ({c.action})" for c in result.not_started]
    lines.append(
        "Nothing else was changed. Fix the cause and run apply again; it picks up where this stopped."
    )
    return "\n".join(lines)
