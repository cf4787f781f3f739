"""The plan and apply flow, written once for the command line, fleets and the demo:

    account named -> account checks -> read -> plan -> show -> errors stop
                  -> (apply) confirm -> apply -> result

Where each step's output goes is the caller's `View`: text on a terminal, JSON, a fleet's
per-account report, the demo's narration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ctctform.api.errors import ApiError
from ctctform.apply import Applier, ApplyResult, Reporter
from ctctform.kinds import REGISTRY, Live
from ctctform.kinds.base import ApiLike
from ctctform.live import DetailCache, LiveReader, LiveState
from ctctform.manifest import Manifest
from ctctform.plan import Plan, Planner
from ctctform.plan.checks import WHOLE_KIND
from ctctform.planfile import load_for_apply
from ctctform.workflow.options import Options

SUMMARY_PATH = "/account/summary"
MAX_REPLANS = 3


class View(Protocol):
    """Where a run's steps are shown; `confirm` answers the apply question."""

    def account(self, summary: Mapping[str, Any], note: str | None) -> None: ...

    def plan(self, plan: Plan) -> None: ...

    def errors(self, errors: list[str]) -> None: ...

    def reporter(self, plan: Plan) -> Reporter: ...

    def result(self, result: ApplyResult) -> None: ...

    def confirm(self, plan: Plan) -> bool: ...


@dataclass
class Outcome:
    plan: Plan | None = None
    result: ApplyResult | None = None
    failed: bool = False  # plan errors, a refused confirmation, or a failed apply

    @property
    def changed(self) -> bool:
        return self.plan is not None and self.plan.has_changes


def read_account(client: ApiLike) -> tuple[dict[str, Any], str | None]:
    """The account the credentials open (`GET /account/summary`): named before anything
    happens. A token without the account_read scope cannot read it: say so, go on."""
    try:
        summary = client.account_summary()  # type: ignore[attr-defined]
    except ApiError as exc:
        if exc.status == 403:
            return {}, "the account could not be named: the token lacks the account_read scope"
        if exc.status == 404:
            return {}, "the account could not be named: the API has no account summary"
        raise
    return summary, None


def account_errors(manifest: Manifest, summary: Mapping[str, Any]) -> list[str]:
    """What the kinds check against the account before anything else is read (a pin)."""
    return [
        error
        for name, resources in manifest.resources.items()
        if resources
        for error in REGISTRY[name].check_account(resources, summary)
    ]


def make_plan(
    client: ApiLike, manifest: Manifest, opts: Options, summary: Mapping[str, Any]
) -> tuple[Plan, LiveState]:
    planner = Planner(manifest, opts.selection, opts.policy_for(manifest))
    # The summary was read to name the account: a kind that reads it gets it from memory.
    prefetched = {SUMMARY_PATH: dict(summary)} if summary else None
    reader = LiveReader(client, opts.parallelism, DetailCache(opts.cache_path), prefetched)
    live = reader.read(planner.kinds_to_read(), LiveState(account=dict(summary)))
    reader.details(live, planner.details_wanted(live))
    plan = planner.plan(live)
    for _ in range(MAX_REPLANS):
        if not plan.unread:
            break
        # A check needed what the manifest alone did not ask for (the segments a delete
        # could leave dangling, and their criteria): read it, plan again.
        reader.read({k for k, i in plan.unread if i == WHOLE_KIND}, live)
        wanted: dict[str, list[Live]] = {}
        for kind, ident in plan.unread:
            item = live.get(kind).by_id().get(ident)
            if item is not None:
                wanted.setdefault(kind, []).append(item)
        reader.details(live, wanted)
        plan = planner.plan(live)
    reader.save_cache(live)
    plan.refresh_only = opts.refresh_only
    plan.partner_account = hasattr(client, "account_id")
    return plan, live


def run(
    client: ApiLike,
    view: View,
    opts: Options,
    *,
    manifest: Manifest | None = None,
    saved_plan: Path | None = None,
    apply: bool = False,
    summary: Mapping[str, Any] | None = None,
) -> Outcome:
    """One account, from naming it to the apply's result."""
    outcome = Outcome()
    if summary is None:
        summary, note = read_account(client)
    else:
        note = None
    view.account(summary, note)
    if manifest is not None:
        errors = account_errors(manifest, summary)
        if errors:
            view.errors(errors)
            outcome.failed = True
            return outcome
        plan, live = make_plan(client, manifest, opts, summary)
    else:
        assert saved_plan is not None
        prefetched = {SUMMARY_PATH: dict(summary)} if summary else None
        reader = LiveReader(client, opts.parallelism, DetailCache(None), prefetched)
        plan, live = load_for_apply(reader, saved_plan, dict(summary))
    outcome.plan = plan
    view.plan(plan)
    if plan.errors:
        view.errors(plan.errors)
        outcome.failed = True
        return outcome
    if not apply or not plan.has_changes:
        return outcome
    if not view.confirm(plan):
        outcome.failed = True
        return outcome
    applier = Applier(client, plan, live, parallelism=opts.parallelism, report=view.reporter(plan))
    outcome.result = applier.run()
    outcome.failed = not outcome.result.ok
    view.result(outcome.result)
    return outcome
