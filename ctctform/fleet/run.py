"""Running a fleet: every account through the one plan/apply flow, accounts overlapping.

All accounts share the root client, so they share one rate limiter: the partner key is never
exceeded however many accounts are in flight. Partner-level webhook subscriptions are planned
once, not per account. One account's failure never stops the others; a systemic one (the
key's quota, rejected credentials) or an interruption stops new accounts from starting.
Results are reported as each account finishes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from ctctform.api import Client, Halted
from ctctform.api.partner import partner_account_pages
from ctctform.errors import CtctformError
from ctctform.fleet.account import AccountRun, Buffered, Shared, classify
from ctctform.fleet.members import Member, Membership, in_shard
from ctctform.fleet.model import Fleet
from ctctform.fleet.report import AccountResult, Report
from ctctform.kinds import PARTNER_LEVEL, REGISTRY
from ctctform.plan import Selection
from ctctform.visible import visible
from ctctform.workflow import Options, load_manifest, run

Echo = Callable[[str], Any]
PARTNER_KEY = "partner"


@dataclass
class FleetOptions:
    apply: bool = False
    shard: tuple[int, int] | None = None
    earlier: dict[str, AccountResult] = field(default_factory=dict)  # --resume: finished rows
    accounts_in_flight: int = 8
    variables: dict[str, str] = field(default_factory=dict)  # --var


def partner_selection(selection: Selection) -> Selection | None:
    """The user's --target/--exclude as they bear on webhooks, or None when they leave the
    partner level out (`--target lists`, `--exclude webhooks`)."""
    others = frozenset(REGISTRY) - PARTNER_LEVEL
    narrowed = replace(selection, elsewhere=selection.elsewhere | others)
    return narrowed if narrowed.kinds(sorted(PARTNER_LEVEL)) else None


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
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.root = root
        self.fleet = fleet
        self.fopts = fopts
        self.report = report
        self.echo = echo
        self.shared = Shared(
            root, fleet, opts, fopts.apply, fopts.variables, dict(env or {}), color
        )
        self.print_lock = threading.Lock()
        self.done = 0
        self.total = 0  # accounts chosen so far (the listing may still be arriving)
        self.chosen_so_far: list[Member] = []
        self.warnings: list[str] = []  # printed under the closing table
        self.submitted: dict[str, Future[None]] = {}

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
        """Every chosen account; on Ctrl-C or SIGTERM, in-flight accounts stop at their next
        request, the rest are reported as not started, and the report stays incomplete."""
        for row in self.fopts.earlier.values():
            self.report.add(row)  # a resumed run's report tells the whole story
        pool = ThreadPoolExecutor(max_workers=max(1, self.fopts.accounts_in_flight))
        try:
            # The partner level overlaps the accounts like one more account; accounts start
            # as their page of the listing arrives, not once the whole listing is read.
            partner = pool.submit(self.partner_level)
            for member in self.stream():
                self.submitted[member.key] = pool.submit(self.one, member)
            partner.result()
            for future in self.submitted.values():
                future.result()
        except KeyboardInterrupt:
            self.report.interrupted = True
            pool.shutdown(wait=True, cancel_futures=True)  # in-flight ones stop at once
            self.unstarted("the run was interrupted")
            self.report.flush()
            return self.report
        except CtctformError as exc:
            # The listing broke off: nothing more starts; accounts under way finish, and
            # the ones listed but not begun are in the report, saying why.
            pool.shutdown(wait=True, cancel_futures=True)
            self.unstarted(f"not started: the account listing broke off ({exc})")
            self.report.flush()
            raise
        finally:
            pool.shutdown(wait=True)
        self.report.finish()
        return self.report

    def stream(self) -> Iterator[Member]:
        """The chosen accounts, page by page of `GET /partner/accounts`: managed ones first,
        then (when the fleet needs them) the others, then the entries to provision."""
        if not self.accounts_have_work():
            return
        listing = self.root.scoped()
        try:
            pages = self.listing_pages(listing)
            if self.fopts.apply:
                # An apply writes: a listing that breaks off (a malformed page) must stop the
                # run before any account is changed, so it is read whole first.
                pages = iter(list(pages))
            membership = Membership(self.fleet)
            for page in pages:
                yield from self.chosen(membership.of(page))
            yield from self.chosen(membership.rest())
        finally:
            self.report.listing_requests = listing.stats.total

    def listing_pages(self, listing: Any) -> Iterator[list[dict[str, Any]]]:
        known: set[str] = set()
        for page in partner_account_pages(listing, "managed"):
            known |= {a["encoded_account_id"] for a in page}
            yield page
        if self.needs_everyone(known):
            for page in partner_account_pages(listing, None):
                others = [a for a in page if a["encoded_account_id"] not in known]
                yield [{**a, "_unmanaged": True} for a in others]

    def accounts_have_work(self) -> bool:
        """False when --target/--exclude leave client accounts nothing (`--target webhooks`):
        then not even the account listing is read."""
        selection = self.shared.opts.selection
        narrowed = replace(selection, elsewhere=selection.elsewhere | PARTNER_LEVEL)
        return bool(narrowed.kinds(REGISTRY))

    def needs_everyone(self, managed: set[str]) -> bool:
        """Whether the unmanaged accounts must be listed too: to report a named one as
        skipped, to find a login before creating it, or because the selection wants all."""
        select = self.fleet.select
        named = {e.encoded_account_id for e in self.fleet.entries if e.encoded_account_id}
        return (
            (select is not None and select.account_type == "all")
            or bool(named - managed)
            or any(e.login_name for e in self.fleet.entries)
        )

    def chosen(self, found: list[Member]) -> list[Member]:
        shard = self.fopts.shard
        out = [m for m in found if not shard or in_shard(m.key, *shard)]
        self.chosen_so_far += out
        self.total += len(out)
        return out

    # -- partner level -------------------------------------------------------------------------

    def partner_level(self) -> None:
        """Webhook subscriptions belong to the partner: planned once, from the baseline."""
        if self.fopts.shard and self.fopts.shard[0] != 1:
            return  # one shard (the first) owns the partner level
        selection = partner_selection(self.shared.opts.selection)
        if PARTNER_KEY in self.fopts.earlier or selection is None:
            return
        # The built-ins name a client account; at the partner level there is none.
        stand_ins = {"account_id": "", "organization_name": ""}
        variables = {**self.fleet.vars, **stand_ins, **self.fopts.variables}
        result = AccountResult(PARTNER_KEY, None, "(partner level: webhooks)")
        scope = self.root.scoped()
        started = time.monotonic()
        lines: list[str] = []
        try:
            manifest = load_manifest(self.fleet.manifests, variables)
            if not any(manifest.resources.get(k) or manifest.prune.get(k) for k in PARTNER_LEVEL):
                if not self.accounts_have_work():
                    given = " ".join(self.shared.opts.selection.partial)
                    self.warnings.append(
                        f"{given} leaves only the partner level, and the fleet's baseline "
                        f"declares no {' or '.join(sorted(PARTNER_LEVEL))}: nothing to plan"
                    )
                return
            buffer = Buffered(self.shared.color)
            opts = replace(self.shared.opts, selection=selection)
            summary = {"encoded_account_id": PARTNER_KEY, "organization_name": "partner level"}
            outcome = run(scope, buffer, opts, manifest=manifest, apply=self.fopts.apply,
                          summary=summary)  # fmt: skip
            classify(result, outcome, buffer, apply=self.fopts.apply, provisioned=False)
            lines = buffer.lines
        except CtctformError as exc:
            self.failed(result, exc, lines)
        result.requests, result.seconds = scope.stats.total, time.monotonic() - started
        self.finish(result, lines)

    # -- one account -----------------------------------------------------------------------

    def one(self, member: Member) -> None:
        if member.key in self.fopts.earlier:
            return  # its row is the earlier report's
        result = AccountResult(
            member.key,
            member.encoded_id,
            member.organization,
            member.entry.login_name if member.entry else None,
        )
        if member.skip:
            result.result, result.summary = "skipped", member.skip
            return self.finish(result, [])
        if reason := self.root.gate.reason:  # quota spent, credentials refused, interrupted
            return self.finish(self.not_started(member, reason), [])
        account = AccountRun(self.shared, member, result)
        started = time.monotonic()
        try:
            lines = account.run()
        except CtctformError as exc:
            lines = account.lines
            self.failed(result, exc, lines)
        result.requests = account.scope.stats.total
        result.seconds = time.monotonic() - started
        if result.result == "failed" and self.root.gate.interrupted:
            result.result = "interrupted"  # stopped part-way, not an account's failure
        self.finish(result, lines)

    def unstarted(self, reason: str) -> None:
        for member in self.chosen_so_far:
            if member.key in self.fopts.earlier:
                continue  # finished in the run this one resumes: its row is already there
            begun = self.submitted.get(member.key)
            if begun is None or begun.cancelled():
                self.report.add(self.not_started(member, reason))

    def not_started(self, member: Member, reason: str) -> AccountResult:
        result = AccountResult(member.key, member.encoded_id, member.organization)
        result.result, result.summary = "not started", reason
        return result

    def failed(self, result: AccountResult, exc: CtctformError, lines: list[str]) -> None:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        stopped = isinstance(exc, Halted) and self.root.gate.interrupted
        result.result = "interrupted" if stopped else "failed"
        result.errors.append(first)
        result.summary = first
        lines.append(f"Error: {exc}")

    def finish(self, result: AccountResult, lines: list[str]) -> None:
        self.report.add(result)
        with self.print_lock:
            self.done += 1
            name = result.organization_name or "no name"
            who = visible(result.encoded_account_id or result.key)
            head = f"=== {who} ({visible(name)}): {result.result}"
            self.echo("\n".join([head, *lines]).rstrip() + "\n")
