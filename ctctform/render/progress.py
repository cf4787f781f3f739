"""Apply output: one line per finished change while it runs, then the outcome."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

import click

from ctctform.apply import ApplyResult
from ctctform.kinds import REGISTRY
from ctctform.manifest import Shape
from ctctform.plan import Change, Plan
from ctctform.visible import visible


def name(change: Change) -> str:
    """`lists 'Newsletter'`, or the kind alone for a singleton."""
    if REGISTRY[change.kind].shape is Shape.SINGLETON:
        return change.kind
    return f"{change.kind} {change.key!r}"


MARKS = {"ok": ("✓", "ok", "green"), "partial": ("✓", "ok", "green")}
MARKS |= {"failed": ("✗", "FAILED", "red"), "skipped": ("-", "SKIPPED", "yellow")}


def reporter(
    plan: Plan, echo: Callable[[str], Any], color: bool
) -> Callable[[Change, str, str], None]:
    """One line per finished change, numbered; safe to call from the applier's threads."""
    total = len(plan.actionable)
    lock = threading.Lock()
    done = 0

    def report(change: Change, text: str, status: str) -> None:
        nonlocal done
        symbol, word, fg = MARKS[status]
        mark = click.style(symbol, fg=fg) if color else word
        with lock:
            done += 1 if status == "ok" else 0
            echo(f"[{done}/{total}] {mark} {name(change)}: {text}")

    return report


def render_result(result: ApplyResult) -> str:
    n = result.counts()
    counts = f"{n['added']} added, {n['changed']} changed, {n['destroyed']} destroyed."
    if result.ok:
        return f"\nApply complete! Resources: {counts}"
    lines = [f"\nApply failed. Done: {counts}"]
    lines += [f"  failed:      {name(c)}: {msg}" for c, msg in result.failed]
    lines += [f"  skipped:     {name(c)}: {msg}" for c, msg in result.skipped]
    lines += [f"  not started: {name(c)} ({c.action})" for c in result.not_started]
    if result.stopped:
        lines.append(
            f"Stopped starting new work after a failure that affects everything: {result.stopped}"
        )
    lines.append(
        "Nothing else was changed. Fix the cause and run apply again; it picks up where this stopped."
    )
    return "\n".join(lines)


def render_account(summary: Mapping[str, Any], note: str | None, partner: bool = False) -> str:
    """`Account: Hanks Fresh Fruit (a07e1l8cdif9)`: named before anything happens."""
    if not summary:
        return f"Account: unknown ({note})" if note else "Account: unknown"
    name = summary.get("organization_name") or "no organization name"
    via = " through the partner API" if partner else ""
    return f"Account: {visible(str(name))} ({visible(str(summary.get('encoded_account_id')))}){via}"
