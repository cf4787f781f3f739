"""Partners: one baseline manifest applied to every client account, with a report per account.

Each account gets the manifest loaded with its own variables: the built-ins `account_id` and
`organization_name`, then the account's entry in the `--account-vars` file, then `--var`.
A failure in one account is reported and the run goes on with the next.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ctctform.errors import CtctformError
from ctctform.manifest import load_manifest
from ctctform.render import render_plan
from ctctform.render.progress import render_result, reporter
from ctctform.workflow import Options, make_plan, run_apply


@dataclass
class AccountRun:
    account_id: str
    name: str
    outcome: str = ""
    changed: bool = False
    failed: bool = False
    requests: str = ""


def load_account_vars(path: str | None) -> dict[str, dict[str, str]]:
    """`{encoded_account_id: {var: value}}` from a YAML file."""
    if not path:
        return {}
    try:
        doc = yaml.safe_load(Path(path).read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CtctformError(
            f"--account-vars {path}: cannot read it ({exc.__class__.__name__})"
        ) from None
    if not isinstance(doc, dict) or not all(isinstance(v, dict) for v in doc.values()):
        raise CtctformError(f"--account-vars {path}: expected a mapping of account id to variables")
    return {str(k): {str(n): str(v) for n, v in vs.items()} for k, vs in doc.items()}


def variables_for(
    account: Mapping[str, Any],
    per_account: Mapping[str, Mapping[str, str]],
    overrides: Mapping[str, str],
) -> dict[str, str]:
    ident = str(account.get("encoded_account_id"))
    builtins = {
        "account_id": ident,
        "organization_name": str(account.get("organization_name") or ""),
    }
    return {**builtins, **per_account.get(ident, {}), **overrides}


def run_accounts(
    root: Any,
    path: Path,
    accounts: list[dict[str, Any]],
    options_for: Callable[[str], Options],
    variables: Callable[[Mapping[str, Any]], dict[str, str]],
    *,
    apply: bool,
    echo: Callable[[str], Any],
    color: bool,
) -> list[AccountRun]:
    runs = []
    for account in accounts:
        ident = str(account.get("encoded_account_id"))
        run = AccountRun(ident, str(account.get("organization_name") or ""))
        echo(f"\n=== account {ident} ({run.name or 'no name'}) ===")
        client = root.for_account(ident)
        try:
            _one(run, client, path, options_for(ident), variables(account), apply, echo, color)
        except CtctformError as exc:
            run.failed, run.outcome = True, f"error: {str(exc).splitlines()[0]}"
            echo(f"Error: {exc}")
        run.requests = client.stats.summary()
        runs.append(run)
    return runs


def _one(
    run: AccountRun,
    client: Any,
    path: Path,
    opts: Options,
    variables: dict[str, str],
    apply: bool,
    echo: Callable[[str], Any],
    color: bool,
) -> None:
    manifest = load_manifest(path, variables)
    plan, live = make_plan(client, manifest, opts)
    echo(render_plan(plan, color))
    if plan.errors:
        for e in plan.errors:
            echo(f"Error: {e}")
        run.failed, run.outcome = True, f"plan error: {plan.errors[0]}"
        return
    run.changed = plan.has_changes
    run.outcome = plan.summary()
    if apply and plan.has_changes:
        result = run_apply(client, plan, live, opts, reporter(plan, echo, color))
        echo(render_result(result))
        run.failed = not result.ok
        n = result.counts()
        verb = "applied" if result.ok else "FAILED after"
        run.outcome = (
            f"{verb}: {n['added']} added, {n['changed']} changed, {n['destroyed']} destroyed"
        )


def render_report(runs: list[AccountRun]) -> str:
    width = max([len(r.account_id) for r in runs] + [7])
    lines = ["", f"{'account':<{width}}  {'organization':<24}  result (API requests)"]
    for r in runs:
        lines.append(f"{r.account_id:<{width}}  {r.name[:24]:<24}  {r.outcome} ({r.requests})")
    failed = sum(r.failed for r in runs)
    changed = sum(r.changed for r in runs)
    lines.append(f"\n{len(runs)} account(s): {changed} with changes, {failed} failed.")
    return "\n".join(lines)
