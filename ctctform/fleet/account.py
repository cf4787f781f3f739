"""One client account of a fleet run: created if it must be, its billing plan, its manifests
(the baseline plus its overlays, with its variables), then the one plan/apply flow through
the partner proxy.

Every request made for the account, provisioning and billing included, goes through one
`Scope`, so the report's request count is the account's own however many run at once.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ctctform.api import Client
from ctctform.api.scope import Scope
from ctctform.apply import ApplyResult, Reporter
from ctctform.errors import CtctformError
from ctctform.fleet import provision
from ctctform.fleet.members import Member
from ctctform.fleet.model import Entry, Fleet
from ctctform.fleet.report import AccountResult
from ctctform.kinds import PARTNER_LEVEL
from ctctform.live import DetailCache
from ctctform.manifest import Manifest
from ctctform.plan import Plan
from ctctform.render import render_plan
from ctctform.render.progress import render_result, reporter
from ctctform.workflow import Options, Outcome, load_manifest, run


class Buffered:
    """A View that keeps an account's output until the account is done (accounts finish in
    any order; each is printed whole)."""

    def __init__(self, color: bool) -> None:
        self.color = color
        self.lines: list[str] = []
        self.plan_text: str | None = None
        self.lock = threading.Lock()

    def account(self, summary: Mapping[str, Any], note: str | None) -> None:
        if note:
            self.lines.append(note)

    def plan(self, plan: Plan) -> None:
        self.plan_text = render_plan(plan, False)
        self.lines.append(render_plan(plan, self.color))

    def errors(self, errors: list[str]) -> None:
        self.lines += [f"Error: {e}" for e in errors]

    def reporter(self, plan: Plan) -> Reporter:
        def add(text: str) -> None:
            with self.lock:
                self.lines.append(text)

        return reporter(plan, add, self.color)

    def result(self, result: ApplyResult) -> None:
        self.lines.append(render_result(result))

    def confirm(self, plan: Plan) -> bool:
        return True  # `apply --fleet` needs --auto-approve


@dataclass(frozen=True)
class Shared:
    """What every account of the run uses."""

    root: Client
    fleet: Fleet
    opts: Options
    apply: bool
    overrides: Mapping[str, str]  # --var
    env: Mapping[str, str]
    color: bool = False


def variables_for(
    fleet: Fleet, entry: Entry | None, account: Mapping[str, Any], overrides: Mapping[str, str]
) -> dict[str, str]:
    """The fleet's `vars` (defaults for every account), then the built-ins the account
    listing gives, then the entry's `vars`, then `--var`."""
    return {
        **fleet.vars,
        "account_id": str(account["encoded_account_id"]),
        "organization_name": str(account.get("organization_name") or ""),
        **(entry.vars if entry else {}),
        **overrides,
    }


def overlay_webhook(manifest: Manifest, entry: Entry | None) -> str | None:
    """Where an account's own overlay declares a webhook (they belong to the partner)."""
    if entry is None or not entry.manifests:
        return None
    mine = [str(p) for p in entry.manifests]
    for res in (r for kind in PARTNER_LEVEL for r in manifest.resources.get(kind, [])):
        file = res.location.file
        if any(file == p or file.startswith(p.rstrip(os.sep) + os.sep) for p in mine):
            return str(res.location)
    return None


class AccountRun:
    def __init__(self, shared: Shared, member: Member, result: AccountResult) -> None:
        self.shared = shared
        self.member = member
        self.result = result
        self.scope: Scope = shared.root.scoped()
        self.lines: list[str] = []

    @property
    def entry(self) -> Entry | None:
        return self.member.entry

    def run(self) -> list[str]:
        """The account's output lines; `result` is filled in as it goes."""
        account = self.member.account
        if account is None:
            if not self.shared.apply:
                self.will_provision()
                return self.lines
            account = self.provisioned()
        ident = str(account["encoded_account_id"])
        # The manifests first: an account whose manifests are wrong gets no write at all,
        # not even its billing plan.
        manifest = self.manifest(account)
        self.billing(ident)
        self.execute(self.scope.for_account(ident), self.account_options(ident), manifest)
        return self.lines

    def manifest(self, account: Mapping[str, Any]) -> Manifest:
        variables = variables_for(self.shared.fleet, self.entry, account, self.shared.overrides)
        paths = self.shared.fleet.manifests + (self.entry.manifests if self.entry else [])
        manifest = load_manifest(paths, variables)
        if where := overlay_webhook(manifest, self.entry):
            raise CtctformError(
                f"{where}: webhooks are partner-level: declare them in the fleet's baseline "
                "manifests, not in an account's overlay"
            )
        return manifest

    def account_options(self, ident: str) -> Options:
        opts = self.shared.opts
        selection = replace(opts.selection, elsewhere=opts.selection.elsewhere | PARTNER_LEVEL)
        # Each account keeps its own segment cache: one file for all would keep only the
        # last account's entries.
        cache = opts.cache_path and DetailCache.default_path(self.shared.root.config.api_url, ident)
        return replace(opts, selection=selection, cache_path=cache or None)

    def will_provision(self) -> None:
        assert self.entry is not None
        self.result.result = "changes"
        self.result.summary = f"will be provisioned (login {self.entry.login_name}), then set up"
        self.lines.append(self.result.summary)
        for problem in provision.missing_env(self.entry, self.shared.env):
            # A plan on a pull request gets no secrets: say what the apply will need.
            self.lines.append(f"Warning: {problem}; the apply needs it to create the account")
        if self.entry.plan:
            self.result.billing_plan = str(self.entry.plan.get("plan_type"))

    def provisioned(self) -> dict[str, Any]:
        assert self.entry is not None
        account = provision.provision(self.scope, self.entry, self.shared.env, self.scope.sleep)
        self.result.encoded_account_id = account["encoded_account_id"]
        self.lines.append(f"Provisioned client account {account['encoded_account_id']}.")
        return account

    def billing(self, ident: str) -> None:
        wanted = self.entry.plan if self.entry else None
        if not wanted:
            return
        if self.shared.opts.selection.partial:
            return  # --target/--exclude name resources; the billing plan is none of them
        plan_type = str(wanted.get("plan_type"))
        if self.shared.apply:
            if provision.set_plan(self.scope, ident, wanted):
                self.result.billing_plan = plan_type
                self.lines.append(f"Billing plan set to {plan_type}.")
        elif provision.plan_changes(self.scope, ident, wanted):
            self.result.billing_plan = plan_type
            self.lines.append(f"Billing plan would change to {plan_type}.")

    def execute(self, client: Any, opts: Options, manifest: Manifest) -> None:
        buffer = Buffered(self.shared.color)
        outcome = run(client, buffer, opts, manifest=manifest, apply=self.shared.apply)
        provisioned = self.member.account is None
        classify(self.result, outcome, buffer, apply=self.shared.apply, provisioned=provisioned)
        if self.lines and self.result.plan is not None:
            # The report's plan says what happened to the account before its manifests did.
            self.result.plan = "\n".join([*self.lines, self.result.plan])
        self.lines += buffer.lines


def classify(
    result: AccountResult, outcome: Outcome, buffer: Buffered, *, apply: bool, provisioned: bool
) -> None:
    """The account's row from the flow's outcome, and a billing plan set or to set."""
    plan = outcome.plan
    result.plan = buffer.plan_text
    if plan is not None:
        n = plan.counts()
        result.changes = {k: n[k] for k in ("add", "change", "destroy")}
        result.summary = plan.summary()
    if outcome.failed:
        result.result = "failed"
        result.errors = _errors(plan, buffer)
        result.summary = " ".join(result.errors[0].split())  # one line, as documented
        return
    if outcome.result is not None:
        n = outcome.result.counts()
        result.summary = f"{n['added']} added, {n['changed']} changed, {n['destroyed']} destroyed"
    manifest_changes = plan is not None and plan.has_changes
    if provisioned:
        result.result = "provisioned"
    elif manifest_changes or result.billing_plan:
        # A billing plan alone is a change too: to make (plan) or made (apply).
        result.result = "applied" if apply else "changes"
    else:
        result.result = "no changes"
    if result.billing_plan:
        billing = f"billing plan {result.billing_plan} {'set' if apply else 'to set'}"
        result.summary = f"{billing}; {result.summary}" if manifest_changes else billing


def _errors(plan: Plan | None, buffer: Buffered) -> list[str]:
    if plan is not None and plan.errors:
        return list(plan.errors)
    shown = [ln for ln in buffer.lines if ln.startswith(("Error", "\nApply failed"))]
    return shown[:3] or ["the apply did not finish"]
