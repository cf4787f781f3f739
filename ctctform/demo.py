"""`ctctform demo`: the whole story against an in-process sandbox, in one command."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from ctctform.api import Client, ClientConfig
from ctctform.manifest import load_manifest
from ctctform.plan import Policy
from ctctform.render import render_plan
from ctctform.render.progress import render_result, reporter
from ctctform.sandbox import Sandbox
from ctctform.selection import Selection
from ctctform.workflow import Options, make_plan, run_apply


def examples_dir() -> Path:
    """The examples shipped in the package (package data), wherever ctctform is installed."""
    from importlib.resources import files

    examples = files("ctctform") / "examples"
    if not isinstance(examples, Path) or not (examples / "basic").is_dir():
        raise FileNotFoundError(
            f"the packaged examples are missing ({examples}): reinstall ctctform"
        )
    return examples


def run_demo(echo: Callable[[str], Any], color: bool = False, fast: bool = False) -> int:
    examples = examples_dir()
    seed = yaml.safe_load((examples / "demo-seed.yaml").read_text())
    manifest_path = examples / "basic"
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
        )
        echo(f"Started a sandbox Constant Contact account at {sb.base_url}")
        echo(f"(seeded from {examples.name}/demo-seed.yaml; it has drifted from the manifest)\n")
        opts = Options(Selection(), Policy(), parallelism=8, cache_path=None)
        manifest = load_manifest(manifest_path)
        steps = [("plan", False), ("apply --auto-approve", True), ("plan", False)]
        plan = None
        for command, apply in steps:
            echo(f"$ ctctform {command} examples/basic")
            with Client(config) as client:
                plan, live = make_plan(client, manifest, opts)
                echo(render_plan(plan, color))
                if apply and plan.has_changes:
                    echo("")
                    result = run_apply(client, plan, live, opts, reporter(plan, echo, color))
                    echo(render_result(result))
                    if not result.ok:
                        return 1
                echo(f"API requests: {client.stats.summary()}\n")
            if plan.errors:
                echo("\n".join(f"Error: {e}" for e in plan.errors))
                return 1
        clean = plan is not None and not plan.has_changes
        echo(
            "The second plan is clean: the account now matches the manifest."
            if clean
            else "The second plan still shows changes: that is a bug, please report it."
        )
        return 0 if clean else 1
