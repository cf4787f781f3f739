"""`ctctform plan` and `ctctform apply`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ctctform.cli.app import (
    EXIT_CHANGES,
    EXIT_ERROR,
    color,
    fail,
    guarded,
    main,
    out,
    writable,
    write_file,
)
from ctctform.cli.fleet import fleet_options, refuse_mixing, run_fleet
from ctctform.cli.options import (
    PLAN_SHAPING,
    Session,
    connection_options,
    explicit,
    flag_of,
    load,
    selection_options,
)
from ctctform.cli.views import TextView
from ctctform.planfile import plan_json, read_document
from ctctform.render import render_markdown
from ctctform.workflow import run


@main.command()
@click.argument("path", required=False)
@selection_options
@connection_options
@click.option("--out", type=click.Path(dir_okay=False), help="Save the plan for apply --plan.")
@click.option("--json", "json_out", is_flag=True, help="Print the plan as JSON.")
@click.option("--markdown", type=click.Path(dir_okay=False), help="Write a Markdown summary here.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes.")
@click.option(
    "--refresh-only", is_flag=True, help="Read the account and report drift; never plan writes."
)
@fleet_options
@guarded
def plan(path: str | None, **kw: Any) -> None:
    """Show the changes that would make the account match the manifest."""
    refuse_mixing(path, kw)
    if kw["fleet"]:
        run_fleet(kw, apply=False, auto_approve=False)
    if kw["refresh_only"] and kw["out"]:
        fail("--refresh-only reports drift and makes no plan to save; drop --out")
    for option in ("out", "markdown"):
        writable(kw[option], f"--{option}")
    manifest = load(path, kw["vars_"])
    session = Session(kw)
    view = TextView(
        color(), quiet_plan=kw["json_out"], partner=bool(session.account), stats=session.root.stats
    )
    try:
        outcome = run(session.client, view, session.options(), manifest=manifest)
    finally:
        view.close()
        session.close()
    the_plan = outcome.plan
    if the_plan is None:
        sys.exit(EXIT_ERROR)
    requests = session.root.stats
    if kw["json_out"]:
        out(plan_json(the_plan, requests.as_dict()), nl=False)
    else:
        out(session.requests_line())
    if kw["markdown"]:
        write_file(kw["markdown"], render_markdown(the_plan, requests.summary()))
    if outcome.failed:
        sys.exit(EXIT_ERROR)
    if kw["out"]:
        write_file(kw["out"], plan_json(the_plan, requests.as_dict()))
        out(
            f"Saved the plan to {kw['out']}; apply it with: ctctform apply --plan {kw['out']}",
            err=kw["json_out"],
        )
    if kw["detailed_exitcode"] and the_plan.has_changes:
        sys.exit(EXIT_CHANGES)


@main.command()
@click.argument("path", required=False)
@selection_options
@connection_options
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(dir_okay=False, exists=True),
    help="Apply this saved plan exactly (it was reviewed: no question is asked).",
)
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@fleet_options
@guarded
def apply(path: str | None, plan_file: str | None, auto_approve: bool, **kw: Any) -> None:
    """Make the account match the manifest (or apply a saved plan)."""
    refuse_mixing(path, kw)
    if kw["fleet"]:
        if plan_file:
            fail("--plan cannot be combined with --fleet")
        run_fleet(kw, apply=True, auto_approve=auto_approve)
    if plan_file and path:
        fail("give a manifest PATH or --plan FILE, not both")
    if plan_file:
        given = [flag_of(n) for n in explicit(PLAN_SHAPING)]
        if given:
            fail(
                f"{', '.join(given)} cannot be combined with --plan: a saved plan is applied "
                "exactly as it was made; make a new plan with those options instead"
            )
    manifest = None if plan_file else load(path, kw["vars_"])
    if plan_file:
        read_document(Path(plan_file))  # a broken or edited file costs no request
    # A saved plan was reviewed when it was made (Terraform's behaviour): no question.
    approved = auto_approve or bool(plan_file)
    session = Session(kw)
    view = TextView(
        color(), auto_approve=approved, partner=bool(session.account), stats=session.root.stats
    )
    try:
        outcome = run(
            session.client,
            view,
            session.options(),
            manifest=manifest,
            saved_plan=Path(plan_file) if plan_file else None,
            apply=True,
        )
    finally:
        view.close()
        session.close()
    out(session.requests_line())
    if outcome.failed:
        sys.exit(EXIT_ERROR)
