"""`--html FILE`: the fleet report as one self-contained page (no external assets).

A table of the accounts (result, changes, requests, time), buttons that filter the rows by
result, and each account's plan folded under its row. Everything shown is escaped and passed
through the redactor.
"""

from __future__ import annotations

import html
from collections import Counter

from ctctform.api.redact import redact
from ctctform.fleet.report import AccountResult, Report

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #1d2330; }
h1 { font-size: 1.4rem; margin-bottom: .2rem; }
.meta { color: #5b6270; margin-bottom: 1rem; }
.filters button { margin: 0 .4rem .8rem 0; padding: .3rem .7rem; border: 1px solid #b7bdc8;
  border-radius: 1rem; background: #fff; cursor: pointer; }
.filters button.on { background: #1d2330; color: #fff; border-color: #1d2330; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #e3e6eb;
  vertical-align: top; }
th { background: #f4f5f7; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.result { font-weight: 600; border-radius: .3rem; padding: .05rem .4rem; white-space: nowrap; }
.r-failed, .r-interrupted { background: #fde2e1; color: #a1160a; }
.r-changes { background: #fff1d6; color: #7a4b00; }
.r-applied, .r-provisioned { background: #dde9fb; color: #1b4a8c; }
.r-no-changes { background: #dff3e4; color: #1f6b34; }
.r-skipped, .r-not-started { background: #eceef1; color: #4a5160; }
details pre { background: #f7f8fa; padding: .6rem; overflow-x: auto; font-size: 12px; }
tr.hidden { display: none; }
"""
SCRIPT = """
document.querySelectorAll('.filters button').forEach(function (b) {
  b.addEventListener('click', function () {
    document.querySelectorAll('.filters button').forEach(function (o) { o.classList.remove('on'); });
    b.classList.add('on');
    var want = b.dataset.result;
    document.querySelectorAll('tbody tr').forEach(function (row) {
      row.classList.toggle('hidden', want !== 'all' && row.dataset.result !== want);
    });
  });
});
"""


def _e(text: object) -> str:
    return html.escape(redact(str(text)))


def _row(r: AccountResult) -> str:
    css = "r-" + r.result.replace(" ", "-")
    n = r.changes
    changes = f"+{n.get('add', 0)} ~{n.get('change', 0)} -{n.get('destroy', 0)}" if n else ""
    detail = r.plan or "\n".join(r.errors) or r.summary
    folded = (
        f"<details><summary>{_e(r.summary or 'details')}</summary><pre>{_e(detail)}</pre></details>"
        if detail
        else ""
    )
    return (
        f'<tr data-result="{_e(r.result)}"><td>{_e(r.encoded_account_id or r.key)}</td>'
        f"<td>{_e(r.organization_name)}</td>"
        f'<td><span class="result {css}">{_e(r.result)}</span>'
        + (
            ' <small title="from the report given to --resume">(earlier)</small>'
            if r.resumed
            else ""
        )
        + "</td>"
        f'<td class="num">{_e(changes)}</td><td class="num">{r.requests}</td>'
        f'<td class="num">{r.seconds:.1f}s</td><td>{folded}</td></tr>'
    )


def render_html(report: Report) -> str:
    counts = Counter(r.result for r in report.results)
    buttons = [f'<button class="on" data-result="all">all ({len(report.results)})</button>']
    buttons += [
        f'<button data-result="{_e(k)}">{_e(k)} ({n})</button>' for k, n in sorted(counts.items())
    ]
    totals = report.totals()
    meta = (
        f"{_e(report.mode)} of {_e(report.fleet)}"
        + (f", shard {_e(report.shard)}" if report.shard else "")
        + f", started {_e(report.started)}; {totals['accounts']} accounts, "
        f"{totals['requests']} API requests"
        + ("" if report.complete else " (incomplete: the run was interrupted)")
    )
    rows = "\n".join(_row(r) for r in report.results)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ctctform fleet {_e(report.mode)}</title><style>{STYLE}</style></head>
<body><h1>ctctform fleet {_e(report.mode)}</h1><div class="meta">{meta}</div>
<div class="filters">{"".join(buttons)}</div>
<table><thead><tr><th>account</th><th>organization</th><th>result</th><th>changes</th>
<th>requests</th><th>time</th><th>plan</th></tr></thead>
<tbody>
{rows}
</tbody></table>
<script>{SCRIPT}</script>
</body></html>
"""
