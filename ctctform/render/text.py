"""Terraform-like text plans: `+` create, `~` update/rename, `-` delete, `-/+` replace."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import click

from ctctform.kinds import REGISTRY
from ctctform.manifest import Shape
from ctctform.manifest.refs import Unresolved
from ctctform.plan import Action, Change, Plan
from ctctform.render.tree import STEP, scalar, tree_lines
from ctctform.visible import visible

SYMBOL = {
    Action.CREATE: ("+", "green"),
    Action.UPDATE: ("~", "yellow"),
    Action.RENAME: ("~", "yellow"),
    Action.REPLACE: ("-/+", "red"),
    Action.DELETE: ("-", "red"),
}
VERB = {
    Action.CREATE: "will be created",
    Action.UPDATE: "will be updated in place",
    Action.RENAME: "will be renamed",
    Action.REPLACE: "must be replaced (deleted, then created: its contact data is lost)",
    Action.DELETE: "will be deleted (pruned)",
}


def show(value: Any, names: Mapping[str, str] | None = None) -> str:
    if isinstance(value, Unresolved):
        return str(value)
    if names and isinstance(value, str) and value in names:
        return scalar(value, names)
    return visible(json.dumps(value, ensure_ascii=False, separators=(", ", ": ")))


def field_lines(change: Change, names: Mapping[str, str]) -> list[tuple[str, str]]:
    """(mark, text) per changed field. Nested values (segment criteria) are shown whole, as
    indented YAML-like lines with only the changed leaves marked."""
    out: list[tuple[str, str]] = []
    for name, fc in change.fields.items():
        nested = isinstance(fc.after, dict | list) and bool(fc.after)
        if change.action is Action.CREATE:
            if fc.after == change.key:
                continue  # the identity is already in the title
            if nested:
                out += [("+", f"{name}:")] + [
                    ("+", t) for _, t in tree_lines(fc.after, fc.after, names, STEP)
                ]
            else:
                out.append(("+", f"{name} = {show(fc.after, names)}"))
        elif nested and type(fc.before) is type(fc.after):
            out += [("~", f"{name}:")] + tree_lines(fc.before, fc.after, names, STEP)
        else:
            out.append(("~", f"{name} = {show(fc.before, names)} -> {show(fc.after, names)}"))
    return out


def title(change: Change) -> str:
    if REGISTRY[change.kind].shape is Shape.SINGLETON:
        return change.kind  # one per account: its name is all there is to say
    if change.action is Action.RENAME or (change.old_key and change.action is Action.UPDATE):
        return f'{change.kind} "{visible(change.old_key or "")}" -> "{visible(change.key)}"'
    return f'{change.kind} "{visible(change.key)}"'


def render_change(change: Change, color: bool, names: Mapping[str, str] | None = None) -> list[str]:
    sym, fg = SYMBOL[change.action]

    def paint(text: str, c: str | None = fg) -> str:
        return click.style(text, fg=c) if color else text

    lines = [paint(f"  # {title(change)} {VERB[change.action]}", None)]
    body = field_lines(change, names or {}) if change.action is not Action.DELETE else []
    if change.action is Action.RENAME:  # the title already shows old -> new
        key_field = REGISTRY[change.kind].key_field
        body = [(s, t) for s, t in body if not t.startswith(f"{key_field} =")]
    head = f"  {sym} {title(change)}"
    if not body:
        lines.append(paint(head))
        return lines
    lines.append(paint(head) + " {")
    colors = {"+": "green", "-": "red", "~": "yellow", " ": None}
    for s, text in body:
        lines.append("      " + paint(s, colors[s]) + " " + text)
    lines.append("    }")
    return lines


def render_plan(plan: Plan, color: bool = False) -> str:
    out: list[str] = []
    if plan.has_changes:
        if plan.refresh_only:
            out.append("Drift: the account differs from the manifest as follows.")
        else:
            out.append("ctctform will perform the following actions:")
        out.append("")
        for change in plan.actionable:
            out.extend(render_change(change, color, plan.names))
            out.append("")
    for change in plan.notes:
        out.append(f"  # {title(change)}: {change.note}")
    if plan.notes:
        out.append("")
    for ack in plan.acknowledgements:
        out.append(f"Acknowledged: {ack}")
    if plan.partial:
        out.append(
            f"Note: this plan is partial ({' '.join(plan.partial)}): changes to other "
            "resources are not shown and may be pending."
        )
    for w in plan.warnings:
        out.append(
            ("Warning: " if not color else click.style("Warning: ", fg="yellow")) + visible(w)
        )
    if plan.warnings or plan.acknowledgements or plan.partial:
        out.append("")
    out.append(click.style(plan.summary(), bold=True) if color else plan.summary())
    # plan.errors are not part of the plan: callers print them where errors go (stderr).
    return "\n".join(out)
