"""A Markdown summary of a plan, for pull-request comments."""

from __future__ import annotations

from ctctform.plan import Plan
from ctctform.render.text import render_change


def render_markdown(plan: Plan, requests: str | None = None) -> str:
    n = plan.counts()
    out = ["### ctctform plan", ""]
    if not plan.has_changes:
        out.append("No changes. The account matches the manifest.")
    else:
        out += [
            "| add | change | destroy | replace |",
            "| ---: | ---: | ---: | ---: |",
            f"| {n['add']} | {n['change']} | {n['destroy']} | {n['replace']} |",
            "",
            "<details><summary>Changes</summary>",
            "",
            "```diff",
        ]
        for change in plan.actionable:
            out.extend(
                line[2:] if line.startswith("  ") else line for line in render_change(change, False)
            )
        out += ["```", "", "</details>"]
    for w in plan.warnings:
        out.append(f"- :warning: {w}")
    for e in plan.errors:
        out.append(f"- :x: **{e}**")
    if requests:
        out += ["", f"API requests: {requests}"]
    return "\n".join(out) + "\n"
