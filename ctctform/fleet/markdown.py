"""`plan --fleet FILE --markdown OUT`: the fleet's plan as one pull-request comment.

The accounts that failed or would change are listed first, each with its plan folded under
it; accounts with nothing to do are counted, not listed. Cut to the comment limit like a
single plan (`render.markdown`), saying what was left out.
"""

from __future__ import annotations

from ctctform.fleet.report import AccountResult, Report
from ctctform.render.markdown import LIMIT, RESERVE, Budget, details, escape, fence

ORDER = ("failed", "interrupted", "not started", "changes", "applied", "provisioned")


def _cell(text: str) -> str:
    return escape(text) or " "


def _row(r: AccountResult) -> str:
    n = r.changes
    changes = f"+{n.get('add', 0)} ~{n.get('change', 0)} -{n.get('destroy', 0)}" if n else ""
    name = r.encoded_account_id or r.key
    return (
        f"| `{name}` | {_cell(r.organization_name)} | {_cell(r.result)} | {_cell(changes)} | "
        f"{_cell(r.summary)} |"
    )


def render_fleet_markdown(report: Report, limit: int = LIMIT) -> str:
    t = report.totals()
    by = ", ".join(f"{n} {escape(k)}" for k, n in t["by_result"].items()) or "none"
    out = [
        f"### ctctform fleet {report.mode}: {escape(report.fleet)}"
        + (f" (shard {escape(report.shard)})" if report.shard else ""),
        "",
        f"**{t['accounts']} account(s): {by}.**",
        "",
    ]
    if report.interrupted or not report.complete:
        out += ["**The run was interrupted: this report is incomplete.**", ""]
    budget = Budget(limit - RESERVE)
    budget.take(out)
    notable = sorted(
        (r for r in report.results if r.result in ORDER),
        key=lambda r: ORDER.index(r.result),
    )
    quiet = len(report.results) - len(notable)
    cut: list[str] = []
    table = [
        "| account | organization | result | changes | summary |",
        "| --- | --- | --- | ---: | --- |",
    ]
    if notable and budget.take(table + [""]):
        rows, left = budget.fill([_row(r)] for r in notable)
        out += [*table, *rows, ""]
        if left:
            cut.append(f"{left} of {len(notable)} accounts in the table")
    if quiet:
        out += [f"{quiet} more account(s) with nothing to do (no changes or skipped).", ""]
    for r in notable:
        body = (r.plan or "\n".join(r.errors) or r.summary).splitlines()
        block = details(
            f"{r.encoded_account_id or r.key} ({r.organization_name}): {r.result}", fence(body)
        )
        if not budget.take(block):
            cut.append("the plans of the accounts after " + escape(r.encoded_account_id or r.key))
            break
        out += block
    if cut:
        out += [
            f"_Cut to fit one comment: {'; '.join(cut)}. The fleet report (--report, --html) "
            "has every account._",
            "",
        ]
    return "\n".join(out).rstrip("\n") + "\n"
