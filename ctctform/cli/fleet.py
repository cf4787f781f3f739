"""`plan --fleet FILE` / `apply --fleet FILE` and `validate --fleet FILE` (DESIGN §8)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ctctform.cli.app import (
    EXIT_CHANGES,
    EXIT_ERROR,
    EXIT_OK,
    color,
    fail,
    out,
    writable,
    write_file,
)
from ctctform.cli.options import Session, client_config, parse_vars
from ctctform.errors import CtctformError
from ctctform.fleet.account import overlay_webhook
from ctctform.fleet.html import render_html
from ctctform.fleet.load import load_fleet
from ctctform.fleet.markdown import render_fleet_markdown
from ctctform.fleet.members import parse_shard
from ctctform.fleet.report import Report, earlier_results, render_table
from ctctform.fleet.run import FleetOptions, FleetRun
from ctctform.render.live import LiveLine
from ctctform.workflow import load_manifest

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def fleet_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    options: list[Decorator] = [
        click.option(
            "--fleet",
            type=click.Path(dir_okay=False, exists=True),
            help="Partner: every account of this fleet file (instead of PATH).",
        ),
        click.option("--shard", metavar="I/N", help="Fleet: this deterministic 1/N of it."),
        click.option(
            "--resume",
            type=click.Path(dir_okay=False, exists=True),
            help="Fleet: skip the accounts this earlier report records as finished.",
        ),
        click.option(
            "--report", type=click.Path(dir_okay=False), help="Fleet: write the report (JSON)."
        ),
        click.option(
            "--html", type=click.Path(dir_okay=False), help="Fleet: write the report as a page."
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


FLEET_ONLY = ("shard", "resume", "report", "html")
NOT_WITH_FLEET = {"account": "--account", "out": "--out", "json_out": "--json"}


def refuse_mixing(path: str | None, kw: dict[str, Any]) -> None:
    if not kw.get("fleet"):
        given = [f"--{k}" for k in FLEET_ONLY if kw.get(k)]
        if given:
            fail(f"{', '.join(given)} only go{'es' if len(given) == 1 else ''} with --fleet")
        return
    if path:
        fail("give a manifest PATH or --fleet FILE, not both")
    given = [flag for key, flag in NOT_WITH_FLEET.items() if kw.get(key)]
    if given:
        fail(f"{', '.join(given)} cannot be combined with --fleet")


def run_fleet(kw: dict[str, Any], apply: bool, auto_approve: bool) -> None:
    fleet = load_fleet(kw["fleet"])
    if apply and not auto_approve:
        fail("apply --fleet changes many accounts without asking each: add --auto-approve")
    writable(kw.get("report"), "--report", replaced=True)
    for option in ("html", "markdown"):
        writable(kw.get(option), f"--{option}")
    shard = _shard(kw.get("shard"))
    mode = "apply" if apply else "plan"
    resume = kw.get("resume")
    earlier = earlier_results(Path(resume), kw["fleet"], mode, kw.get("shard")) if resume else {}
    config = client_config(kw)
    if shard and kw.get("rate_limit") is None:
        # Shards running at once share one partner key: each takes its share of the rate.
        config = config.replace(rate_limit=config.rate_limit / shard[1])
    session = Session(kw, config)
    report = Report(mode, kw["fleet"], kw.get("shard"), _path(kw.get("report")))
    fopts = FleetOptions(
        apply=apply,
        shard=shard,
        earlier=earlier,
        accounts_in_flight=kw.get("parallelism") or 8,
        variables=parse_vars(kw.get("vars_") or ()),
    )
    runner = FleetRun(
        session.root, fleet, session.options(), fopts, report, out, color(), os.environ
    )
    broke: CtctformError | None = None
    try:
        with LiveLine(None, sys.stderr, text=runner.progress):
            runner.run()
    except CtctformError as exc:
        broke = exc  # the listing broke off: what was done is still reported, then the error
    except KeyboardInterrupt:
        # A second Ctrl-C while the first was being handled: the report is kept as it is.
        report.interrupted = True
        report.flush()
        fail(f"interrupted; no account was started after it. Run again{_resume_hint(kw)} to go on.")
    finally:
        session.close()
    if kw.get("html"):
        write_file(kw["html"], render_html(report))
    if kw.get("markdown"):
        write_file(kw["markdown"], render_fleet_markdown(report))
    out(render_table(report))
    for warning in runner.warnings:
        out(f"Warning: {warning}")
    if broke is not None:
        fail(str(broke))
    if report.interrupted:
        fail(f"interrupted; no account was started after it. Run again{_resume_hint(kw)} to go on.")
    sys.exit(_exit_code(report, apply, bool(kw.get("detailed_exitcode"))))


def _resume_hint(kw: dict[str, Any]) -> str:
    return f" --resume {kw['report']}" if kw.get("report") else " (with --report FILE)"


def _path(text: str | None) -> Path | None:
    return Path(text) if text else None


def _exit_code(report: Report, apply: bool, detailed: bool) -> int:
    if any(r.failed or r.result in ("not started", "interrupted") for r in report.results):
        return EXIT_ERROR
    if not apply and detailed and any(r.changed for r in report.results):
        return EXIT_CHANGES
    return EXIT_OK


def _shard(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        return parse_shard(text)
    except ValueError as exc:
        fail(str(exc))


def validate_fleet(path: str, vars_: tuple[str, ...]) -> None:
    """The fleet file and every manifest it names, each account's set loaded with stand-ins
    for the variables only the account listing can give."""
    fleet = load_fleet(path)
    overrides = parse_vars(vars_)
    stand_ins = {"account_id": "a0000000000", "organization_name": "Organization"}
    for entry in [None, *fleet.entries]:
        paths = fleet.manifests + (entry.manifests if entry else [])
        extra = entry.vars if entry else {}
        manifest = load_manifest(paths, {**fleet.vars, **stand_ins, **extra, **overrides})
        if where := overlay_webhook(manifest, entry):
            fail(f"{where}: webhooks are partner-level: declare them in the baseline only")
    out(
        f"The fleet is valid: {len(fleet.entries)} account entr{'y' if len(fleet.entries) == 1 else 'ies'}, "
        f"{len(fleet.manifests)} baseline manifest path(s)."
    )
