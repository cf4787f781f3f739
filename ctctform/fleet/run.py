"""Running a fleet: every account through the one plan/apply flow, accounts overlapping.

All accounts share the root client, so they share one rate limiter: the partner key is never
exceeded however many accounts are in flight. Partner-level webhook subscriptions are planned
once, not per account. One account's failure never stops the others; results are reported as
each account finishes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from ctctform.api import Client
from ctctform.api.partner import AccountProxy
from ctctform.apply import ApplyResult, Reporter
from ctctform.errors import CtctformError
from ctctform.fleet import provision
from ctctform.fleet.members import Member, in_shard, members
from ctctform.fleet.model import Fleet
from ctctform.fleet.report import AccountResult, Report
from ctctform.manifest import Selector
from ctctform.plan import Plan, Selection
from ctctform.render import render_plan
from ctctform.render.progress import render_result, reporter
from ctctform.workflow import Options, Outcome, load_manifest, run

Echo = Callable[[str], Any]
PARTNER_KEY = "partner"


@dataclass
class FleetOptions:
    apply: bool = False
    shard: tuple[int, int] | None = None
    resume: set[str] = field(default_factory=set)
    accounts_in_flight: int = 8
    variables: dict[str, str] = field(default_factory=dict)  # --var


class _Buffer:
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


class FleetRun:
    def __init__(
        self,
        root: Client,
        fleet: Fleet,
        opts: Options,
        fopts: FleetOptions,
        report: Report,
        echo: Echo,
        color: bool = False,
    ) -> None:
        self.root = root
        self.fleet = fleet
        self.opts = opts
        self.fopts = fopts
        self.report = report
        self.echo = echo
        self.color = color
        self.print_lock = threading.Lock()
        self.done = 0
        self.total = 0
        self.started = time.monotonic()

    def progress(self, elapsed: float) -> str:
        """`accounts 12/100, 480 requests, 62s elapsed, ~4m 10s left` (for a terminal)."""
        done, total = self.done, self.total
        line = f"accounts {done}/{total}, {self.root.stats.total} requests, {elapsed:.0f}s elapsed"
        if done and total > done:
            left = elapsed / done * (total - done)
            line += f", ~{int(left // 60)}m {int(left % 60)}s left"
        return line

    # -- the whole ---------------------------------------------------------------------------

    def run(self) -> Report:
        chosen = self.chosen(members(self.fleet, self.listing()))
        self.total = len(chosen)
        self.partner_level()
        with ThreadPoolExecutor(max_workers=max(1, self.fopts.accounts_in_flight)) as pool:
            for future in [pool.submit(self.one, m) for m in chosen]:
                future.result()
        self.report.finish()
        return self.report

    def listing(self) -> list[dict[str, Any]]:
        managed = self.root.partner_accounts("managed")
        select = self.fleet.select
        known = {a["encoded_account_id"] for a in managed}
        named = {e.encoded_account_id for e in self.fleet.entries if e.encoded_account_id}
        needs_all = (select is not None and select.account_type == "all") or bool(named - known)
        if not needs_all and not any(e.login_name for e in self.fleet.entries):
            return managed
        everyone = self.root.partner_accounts(None)
        return managed + [
            {**a, "_unmanaged": True} for a in everyone if a["encoded_account_id"] not in known
        ]

    def chosen(self, found: list[Member]) -> list[Member]:
        out = []
        for member in found:
            if self.fopts.shard and not in_shard(member.key, *self.fopts.shard):
                continue
            out.append(member)
        return out

    # -- partner level -------------------------------------------------------------------------

    def partner_level(self) -> None:
        """Webhook subscriptions belong to the partner: planned once, from the baseline."""
        if self.fopts.shard and self.fopts.shard[0] != 1:
            return  # one shard (the first) owns the partner level
        if PARTNER_KEY in self.fopts.resume:
            return
        # The built-ins name a client account; at the partner level there is none.
        stand_ins = {"account_id": "", "organization_name": ""}
        variables = {**stand_ins, **self.fleet.vars, **self.fopts.variables}
        result = AccountResult(PARTNER_KEY, None, "(partner level: webhooks)")
        try:
            manifest = load_manifest(self.fleet.manifests, variables)
            if not manifest.resources.get("webhooks") and not manifest.prune.get("webhooks"):
                return
            opts = replace(self.opts, selection=Selection([Selector("webhooks")], []))
            summary = {"encoded_account_id": PARTNER_KEY, "organization_name": "partner level"}
            self.execute(result, self.root, opts, manifest, summary)
        except CtctformError as exc:
            result.errors, result.summary = [str(exc).splitlines()[0]], str(exc).splitlines()[0]
            self.finish(result, [f"Error: {exc}"])

    # -- one account -----------------------------------------------------------------------

    def one(self, member: Member) -> None:
        entry = member.entry
        result = AccountResult(
            member.key,
            member.encoded_id,
            member.organization,
            entry.login_name if entry else None,
        )
        if member.skip:
            result.result, result.summary = "skipped", member.skip
            return self.finish(result, [])
        if member.key in self.fopts.resume:
            result.result, result.summary = "finished earlier", "finished in the resumed run"
            return self.finish(result, [])
        started = time.monotonic()
        try:
            self.account(member, result)
        except CtctformError as exc:
            result.result = "failed"
            result.errors.append(str(exc).splitlines()[0])
            result.summary = result.errors[0]
            result.seconds = time.monotonic() - started
            self.finish(result, [f"Error: {exc}"])

    def account(self, member: Member, result: AccountResult) -> None:
        entry = member.entry
        account = member.account
        lines: list[str] = []
        if account is None:
            assert entry is not None
            if not self.fopts.apply:
                result.result = "changes"
                result.summary = f"will be provisioned (login {entry.login_name}), then set up"
                return self.finish(result, [result.summary])
            account = provision.provision(self.root, entry, self.root.sleep)
            result.encoded_account_id = account["encoded_account_id"]
            lines.append(f"Provisioned client account {account['encoded_account_id']}.")
        ident = account["encoded_account_id"]
        if entry is not None and entry.plan:
            if self.fopts.apply and provision.set_plan(self.root, ident, entry.plan):
                lines.append(f"Billing plan set to {entry.plan.get('plan_type')}.")
            elif not self.fopts.apply and provision.plan_changes(self.root, ident, entry.plan):
                lines.append(f"Billing plan would change to {entry.plan.get('plan_type')}.")
        variables = {
            "account_id": ident,
            "organization_name": str(account.get("organization_name") or ""),
            **self.fleet.vars,
            **(entry.vars if entry else {}),
            **self.fopts.variables,
        }
        paths = self.fleet.manifests + (entry.manifests if entry else [])
        manifest = load_manifest(paths, variables)
        if manifest.resources.get("webhooks") and entry and entry.manifests:
            raise CtctformError("webhooks are partner-level: declare them in the baseline only")
        selection = replace(self.opts.selection, elsewhere=frozenset({"webhooks"}))
        opts = replace(self.opts, selection=selection)
        proxy = self.root.for_account(ident)
        provisioned = member.account is None
        self.execute(result, proxy, opts, manifest, None, lines, provisioned)

    def execute(
        self,
        result: AccountResult,
        client: Client | AccountProxy,
        opts: Options,
        manifest: Any,
        summary: dict[str, Any] | None,
        lines: list[str] | None = None,
        provisioned: bool = False,
    ) -> None:
        started = time.monotonic()
        buffer = _Buffer(self.color)
        outcome = run(
            client, buffer, opts, manifest=manifest, apply=self.fopts.apply, summary=summary
        )
        result.seconds = time.monotonic() - started
        result.requests = client.stats.total
        self.classify(result, outcome, buffer, provisioned)
        self.finish(result, (lines or []) + buffer.lines)

    def classify(
        self, result: AccountResult, outcome: Outcome, buffer: _Buffer, provisioned: bool
    ) -> None:
        plan = outcome.plan
        result.plan = buffer.plan_text
        if plan is not None:
            n = plan.counts()
            result.changes = {k: n[k] for k in ("add", "change", "destroy")}
            result.summary = plan.summary()
        if outcome.failed:
            result.result = "failed"
            result.errors = (
                (plan.errors if plan and plan.errors else [])
                or [line for line in buffer.lines if line.startswith(("Error", "\nApply failed"))][
                    :3
                ]
                or ["the apply did not finish"]
            )
            result.summary = result.errors[0].strip()
        elif outcome.result is not None:
            result.result = "provisioned" if provisioned else "applied"
            n = outcome.result.counts()
            result.summary = (
                f"{n['added']} added, {n['changed']} changed, {n['destroyed']} destroyed"
            )
        elif provisioned:
            result.result = "provisioned"
        else:
            result.result = "changes" if plan is not None and plan.has_changes else "no changes"

    def finish(self, result: AccountResult, lines: list[str]) -> None:
        self.report.add(result)
        with self.print_lock:
            self.done += 1
            name = result.organization_name or "no name"
            head = f"=== {result.encoded_account_id or result.key} ({name}): {result.result}"
            self.echo("\n".join([head, *lines]).rstrip() + "\n")
