"""Apply output: one line per finished change while it runs, then the outcome."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from ctctform.apply import ApplyResult
from ctctform.plan import Change, Plan


def reporter(
    plan: Plan, echo: Callable[[str], Any], color: bool
) -> Callable[[Change, str, bool], None]:
    total = len(plan.actionable)
    done = {"n": 0}

    def report(change: Change, text: str, ok: bool) -> None:
        partial = text == "old one deleted"
        done["n"] += 1 if ok and not partial else 0
        mark = (
            ("ok" if ok else "FAILED")
            if not color
            else (click.style("✓", fg="green") if ok else click.style("✗", fg="red"))
        )
        echo(f"[{done['n']}/{total}] {mark} {change.kind} {change.key!r}: {text}")

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
