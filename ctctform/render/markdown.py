"""The plan as Markdown, for a pull-request comment and the job summary.

Written for CommonMark (GitHub's renderer): every HTML block (`<details>`) stands between
blank lines, so the Markdown after it is Markdown again; names are escaped, so a resource
called `<b>*x*</b>` shows as written. A comment holds at most 65,536 characters, so the text
is cut to LIMIT in order of importance: the summary and the errors first, then every delete
(the one change a reviewer must not miss), then warnings, then the other changes; and it says
what it left out.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from ctctform.plan import Action, Change, Plan
from ctctform.render.text import render_change, title
from ctctform.visible import visible

LIMIT = 65_000
RESERVE = 800  # kept for the notes on what was cut, and the last lines
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def escape(text: str) -> str:
    """Inline text that renders as written: no emphasis, links, HTML or table cells."""
    text = html.escape(visible(text), quote=False)
    return _SPECIAL.sub(r"\\\1", text)


def fence(body: list[str], info: str = "") -> list[str]:
    """A fenced code block whose fence no line of the body can close."""
    longest = max((len(run) for line in body for run in re.findall(r"`+", line)), default=0)
    mark = "`" * max(3, longest + 1)
    return [mark + info, *body, mark]


def details(summary: str, body: list[str]) -> list[str]:
    """A folded section; the blank lines keep the HTML block from swallowing Markdown."""
    return [
        "<details><summary>" + html.escape(summary) + "</summary>",
        "",
        *body,
        "",
        "</details>",
        "",
    ]


class Budget:
    """Lines added while they fit in `limit` characters (newlines included)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def take(self, lines: Iterable[str]) -> bool:
        lines = list(lines)
        size = sum(len(line) + 1 for line in lines)
        if self.used + size > self.limit:
            return False
        self.used += size
        return True

    def fill(self, groups: Iterable[list[str]]) -> tuple[list[str], int]:
        """As many whole groups as fit; the lines, and how many groups were left out."""
        out: list[str] = []
        groups = list(groups)
        for index, group in enumerate(groups):
            if not self.take(group):
                return out, len(groups) - index
            out += group
        return out, 0


def change_lines(change: Change, names: dict[str, str]) -> list[str]:
    return [
        line[2:] if line.startswith("  ") else line for line in render_change(change, False, names)
    ]


def head(plan: Plan, heading: str) -> list[str]:
    n = plan.counts()
    where = ""
    if plan.account:
        org = f"{escape(plan.organization)} " if plan.organization else ""
        where = f": {org}(`{plan.account}`)"
    out = [f"### {heading}{where}", "", f"**{escape(plan.summary())}**", ""]
    if plan.has_changes:
        out += [
            "| add | change | destroy | replace |",
            "| ---: | ---: | ---: | ---: |",
            f"| {n['add']} | {n['change']} | {n['destroy']} | {n['replace']} |",
            "",
        ]
    if plan.partial:
        out += [
            f"**Partial plan** ({escape(' '.join(plan.partial))}): changes to other resources "
            "are not shown and may be pending.",
            "",
        ]
    return out


def render_markdown(
    plan: Plan, requests: str | None = None, heading: str = "ctctform plan", limit: int = LIMIT
) -> str:
    if plan.refresh_only:
        heading = "ctctform drift report (refresh-only: nothing would be written)"
    budget = Budget(limit - RESERVE)
    out = head(plan, heading)
    budget.take(out)
    cut: list[str] = []

    def section(name: str, items: list[list[str]], what: str) -> None:
        if not items:
            return
        nonlocal out
        if not budget.take([f"#### {name}", ""]):
            cut.append(f"all {len(items)} {what}")
            return
        shown, left = budget.fill(items)
        out += [f"#### {name}", "", *shown, ""]
        budget.take([""])
        if left:
            cut.append(f"{left} of {len(items)} {what}")

    section("Errors", [[f"- :x: **{escape(e)}**"] for e in plan.errors], "errors")
    acks = [[f"- {escape(a)}"] for a in plan.acknowledgements]
    section("Acknowledged in the manifest", acks, "acknowledgements")
    out += _deletes(plan, budget, cut)
    section("Warnings", [[f"- :warning: {escape(w)}"] for w in plan.warnings], "warnings")
    notes = [[f"- {escape(title(c))}: {escape(c.note or '')}"] for c in plan.notes]
    section("Notes", notes, "notes")
    if plan.has_changes:
        out += _changes(plan, budget, cut)
    if cut:
        out += [
            f"_Cut to fit one comment: {', '.join(cut)} are not shown. "
            "`ctctform plan` prints the whole plan._",
            "",
        ]
    if requests:
        out.append(f"API requests: {escape(requests)}")
    text = "\n".join(out).rstrip("\n") + "\n"
    return text if len(text) <= limit else text[: limit - 2] + "\n"


def code(text: str) -> str:
    """An inline code span that holds any text (CommonMark: a longer backtick run)."""
    run = max((len(r) for r in re.findall(r"`+", text)), default=0)
    ticks = "`" * (run + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{ticks}{pad}{visible(text)}{pad}{ticks}"


def _deletes(plan: Plan, budget: Budget, cut: list[str]) -> list[str]:
    """Every resource the apply deletes, by kind, names only: compact, so that thousands fit
    (a replace deletes too: its contact data goes with the old one)."""
    doomed = [c for c in plan.actionable if c.action in (Action.DELETE, Action.REPLACE)]
    if not doomed:
        return []
    by_kind: dict[str, list[str]] = {}
    for c in doomed:
        by_kind.setdefault(c.kind, []).append(
            code(c.key) + (" (replaced)" if c.action is Action.REPLACE else "")
        )
    out = [f"#### Deletes ({len(doomed)})", ""]
    budget.take(out)
    for kind, names in by_kind.items():
        head = f"- **{escape(kind)}** ({len(names)}): "
        shown: list[str] = []
        room = budget.limit - budget.used - len(head) - 80
        for name in names:
            if room - len(name) - 2 < 0:
                break
            shown.append(name)
            room -= len(name) + 2
        line = head + ", ".join(shown)
        if len(shown) < len(names):
            line += f" and {len(names) - len(shown)} more"
            cut.append(f"{len(names) - len(shown)} of {len(names)} {kind} deletes")
        budget.take([line])
        out.append(line)
    budget.take([""])
    return out + [""]


def _changes(plan: Plan, budget: Budget, cut: list[str]) -> list[str]:
    changes = plan.actionable
    wrapper = details(f"Changes ({len(changes)})", fence([], "diff"))
    if not budget.take(wrapper):
        cut.append(f"all {len(changes)} changes in detail")
        return []
    body, left = budget.fill(change_lines(c, plan.names) + [""] for c in changes)
    if left:
        cut.append(f"{left} of {len(changes)} changes in detail")
    return details(f"Changes ({len(changes)})", fence(body[:-1] if body else body, "diff"))
