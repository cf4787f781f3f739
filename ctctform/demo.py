"""`ctctform demo`: the whole story against an in-process sandbox, in one command."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from ctctform.api import Client, ClientConfig
from ctctform.apply import ApplyResult, Reporter
from ctctform.kinds import api_routes
from ctctform.plan import Plan
from ctctform.render import render_plan
from ctctform.render.progress import render_account, render_result, reporter
from ctctform.sandbox import Sandbox
from ctctform.workflow import Options, load_manifest, run

Echo = Callable[[str], Any]


def examples_dir() -> Path:
    """The examples shipped in the package (package data), wherever ctctform is installed."""
    from importlib.resources import files

    examples = files("ctctform") / "examples"
    if not isinstance(examples, Path) or not (examples / "basic").is_dir():
        raise FileNotFoundError(
            f"the packaged examples are missing ({examples}): reinstall ctctform"
        )
    return examples


class DemoView:
    """The workflow's steps, narrated like the commands a person would type."""

    def __init__(self, echo: Echo, color: bool) -> None:
        self.echo = echo
        self.color = color

    def account(self, summary: Mapping[str, Any], note: str | None) -> None:
        self.echo(render_account(summary, note))

    def plan(self, plan: Plan) -> None:
        self.echo(render_plan(plan, self.color))

    def errors(self, errors: list[str]) -> None:
        self.echo("\n".join(f"Error: {e}" for e in errors))

    def reporter(self, plan: Plan) -> Reporter:
        self.echo("")
        return reporter(plan, self.echo, self.color)

    def result(self, result: ApplyResult) -> None:
        self.echo(render_result(result))

    def confirm(self, plan: Plan) -> bool:
        return True  # the demo's apply is `apply --auto-approve`


def run_demo(echo: Echo, color: bool = False, fast: bool = False) -> int:
    examples = examples_dir()
    seed = yaml.safe_load((examples / "demo-seed.yaml").read_text())
    manifest = load_manifest(examples / "basic")
    manifest_label = "examples/basic"  # where `ctctform examples` copies it
    view = DemoView(echo, color)
    with Sandbox(port=0, seed=seed) as sb:
        config = ClientConfig.from_env(
            {},
            api_url=sb.base_url,
            access_token="sandbox",
            partner_api_key="sandbox",
            partner_client_id="sandbox",
            partner_client_secret="sandbox",
            partner_token_url=sb.partner_token_url,
            rate_limit=200.0 if fast else 10.0,
            credentials_file=Path("/nonexistent/ctctform-demo/credentials.json"),
        )
        echo(f"Started a sandbox Constant Contact account at {sb.base_url}")
        echo(f"(seeded from {examples.name}/demo-seed.yaml; it has drifted from the manifest)\n")
        outcome = None
        for command, apply in (("plan", False), ("apply --auto-approve", True), ("plan", False)):
            echo(f"$ ctctform {command} {manifest_label}")
            with Client(config, routes=api_routes()) as client:
                outcome = run(client, view, Options(), manifest=manifest, apply=apply)
                echo(f"API requests: {client.stats.summary()}\n")
            if outcome.failed:
                return 1
        clean = outcome is not None and outcome.plan is not None and not outcome.plan.has_changes
        echo(
            "The second plan is clean: the account now matches the manifest."
            if clean
            else "The second plan still shows changes: that is a bug, please report it."
        )
        return 0 if clean else 1
