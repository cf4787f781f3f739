"""How `plan` and `apply` show a run on the command line (the workflow's `View`)."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

import click

from ctctform.api.stats import Stats
from ctctform.apply import ApplyResult, Reporter
from ctctform.cli.app import error, in_ci, out
from ctctform.plan import Plan
from ctctform.render import render_plan
from ctctform.render.live import LiveLine
from ctctform.render.progress import render_account, render_result, reporter


class TextView:
    """Text on stdout (or only the account line, on stderr, when stdout carries JSON)."""

    def __init__(
        self,
        color: bool,
        *,
        quiet_plan: bool = False,
        auto_approve: bool = False,
        partner: bool = False,
        stats: Stats | None = None,
    ) -> None:
        self.color = color
        self.quiet_plan = quiet_plan
        self.auto_approve = auto_approve
        self.partner = partner
        self.stats = stats
        self._live: LiveLine | None = None

    def account(self, summary: Mapping[str, Any], note: str | None) -> None:
        out(render_account(summary, note, self.partner), err=self.quiet_plan)
        if not self.quiet_plan:
            out()
        if self.stats is not None:  # reading may take a while: show that it goes on
            self._live = LiveLine(self.stats, sys.stderr).__enter__()

    def close(self) -> None:
        self._quiet()

    def _quiet(self) -> None:
        if self._live is not None:
            self._live.__exit__(None, None, None)
            self._live = None

    def plan(self, plan: Plan) -> None:
        self._quiet()
        if not self.quiet_plan:
            out(render_plan(plan, self.color))

    def errors(self, errors: list[str]) -> None:
        self._quiet()
        for line in errors:
            error(line)

    def reporter(self, plan: Plan) -> Reporter:
        out()
        return reporter(plan, lambda text: out(text), self.color)

    def result(self, result: ApplyResult) -> None:
        out(render_result(result))

    def confirm(self, plan: Plan) -> bool:
        """Asked only on a terminal. Without one (or in CI) the plan has been shown and the
        apply stops there, as Terraform does: nothing to apply is not asked at all."""
        if self.auto_approve:
            return True
        if in_ci() or not sys.stdin.isatty():
            error(
                "apply needs confirmation and there is no terminal to ask on (or CI is set); "
                "nothing was changed: review the plan above and re-run with --auto-approve, "
                "or save it with `plan --out` and apply that"
            )
            return False
        answer = click.prompt(
            "\nDo you want to perform these actions? Only 'yes' will be accepted",
            default="",
            show_default=False,
        )
        if answer.strip() != "yes":
            error("apply cancelled; nothing was changed")
            return False
        return True
