"""Property: a second plan after apply always shows no changes (DESIGN §6), for random
manifests against random, drifted live accounts; apply is idempotent; and a no-op plan costs
exactly the minimum the API allows.

Profiles (env CTCTFORM_PROPERTY_PROFILE): `property` (default: 30 derandomized examples per
test, so a CI failure reproduces on any machine, shrunk to a minimal example), `property-quick`
(the same examples, not shrunk: a failure shows in seconds rather than minutes), and
`property-explore` (random, 300 examples, with the example database: for hunting). A failing
example also prints its reproduction blob (@reproduce_failure). See README.md here.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, event, given, note, settings

from ctctform.cli import main
from ctctform.sandbox import Sandbox

from .harness import (
    LEGIT_PLAN_ERRORS,
    Run,
    account,
    api_requests,
    check_account,
    check_plan_errors,
    describe,
    load,
    manifest_dir,
    minimum_plan_requests,
    plan_and_apply,
    start_sandbox,
)
from .strategies import Scenario, scenarios

_COMMON = {
    "deadline": None,
    "print_blob": True,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
}
settings.register_profile("property", max_examples=30, derandomize=True, **_COMMON)
# The same examples without shrinking: a failure is reported as found, in seconds.
settings.register_profile(
    "property-quick",
    max_examples=30,
    derandomize=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    **_COMMON,
)
settings.register_profile("property-explore", max_examples=300, derandomize=False, **_COMMON)
PROFILE = settings.get_profile(os.environ.get("CTCTFORM_PROPERTY_PROFILE", "property"))
CLI_EXAMPLES = max(4, PROFILE.max_examples // 4)


def _writes(records: list) -> list:
    return [r for r in records if r.method != "GET"]


def _refused(first: Run, before: dict, sb: Sandbox) -> None:
    """A plan with errors: only the legitimate kinds, and nothing written."""
    event("plan refused (legitimate plan error)")
    check_plan_errors(first.plan)
    assert first.writes == 0 and not _writes(first.requests), describe(first)
    assert account(sb) == before


@settings(PROFILE)
@given(scenarios())
def test_second_plan_after_apply_has_no_changes(scenario: Scenario) -> None:
    with start_sandbox(scenario.seed) as sb, manifest_dir(scenario) as root:
        manifest = load(root)
        before = account(sb)
        first = plan_and_apply(sb, manifest)
        note(describe(first))
        if first.plan.errors:
            _refused(first, before, sb)
            return
        n = len(first.plan.actionable)
        event(f"changes: {n}" if n < 10 else "changes: 10+")
        assert first.result is None or first.result.ok, describe(first)
        second = plan_and_apply(sb, manifest, apply=False)
        assert not second.plan.errors, describe(second)
        assert not second.plan.actionable, "second plan is not clean:\n" + describe(second)
        check_account(scenario, before, account(sb))


@settings(PROFILE)
@given(scenarios())
def test_apply_twice_is_idempotent(scenario: Scenario) -> None:
    """The second apply (planned with the detail cache the first one left) writes nothing."""
    with (
        start_sandbox(scenario.seed) as sb,
        manifest_dir(scenario) as root,
        tempfile.TemporaryDirectory() as tmp,
    ):
        cache = Path(tmp) / "details.json"
        manifest = load(root)
        before = account(sb)
        first = plan_and_apply(sb, manifest, cache_path=cache)
        note(describe(first))
        if first.plan.errors:
            _refused(first, before, sb)
            return
        assert first.result is None or first.result.ok, describe(first)
        converged = account(sb)
        again = plan_and_apply(sb, manifest, cache_path=cache)
        note(describe(again))
        assert again.writes == 0 and not _writes(again.requests), describe(again)
        assert again.result is None and not again.plan.actionable, describe(again)
        assert account(sb) == converged


@settings(PROFILE)
@given(scenarios())
def test_noop_plan_makes_the_minimum_requests(scenario: Scenario) -> None:
    """Collection pages plus one detail per managed segment; with a warm cache, only pages."""
    with (
        start_sandbox(scenario.seed) as sb,
        manifest_dir(scenario) as root,
        tempfile.TemporaryDirectory() as tmp,
    ):
        manifest = load(root)
        before = account(sb)
        first = plan_and_apply(sb, manifest)
        if first.plan.errors:
            _refused(first, before, sb)
            return
        assert first.result is None or first.result.ok, describe(first)
        after = account(sb)
        cache = Path(tmp) / "details.json"
        for cached in (0, len(scenario.declared("segments"))):  # cold cache, then warm
            noop = plan_and_apply(sb, manifest, cache_path=cache, apply=False)
            assert not noop.plan.actionable, describe(noop)
            want = minimum_plan_requests(scenario, after, cached_segments=cached)
            sent = [(r.method, r.path) for r in noop.requests]
            assert not _writes(noop.requests), sent
            assert len(noop.requests) == want, f"{len(sent)} requests, minimum {want}: {sent}"
            assert noop.reads == want and noop.writes == 0  # the client's own count agrees


@settings(PROFILE, max_examples=CLI_EXAMPLES)
@given(scenarios())
def test_cli_apply_then_plan_is_clean(scenario: Scenario) -> None:
    """The same property through the command line (`apply --auto-approve`, then `plan
    --detailed-exitcode`), with the detail cache on disk."""
    with (
        start_sandbox(scenario.seed, activity_polls=0) as sb,
        manifest_dir(scenario) as root,
        tempfile.TemporaryDirectory() as tmp,
    ):
        env = {**sb.env(), "CTCT_RATE_LIMIT": "2000", "XDG_CACHE_HOME": tmp, "CI": "1"}
        runner = CliRunner()
        before = account(sb)
        applied = runner.invoke(
            main,
            ["apply", str(root), "--auto-approve", "--allow-delete", "--allow-replace"],
            env=env,
        )
        note(applied.output)
        if applied.exit_code == 1 and not _writes(api_requests(sb)):
            assert any(p.search(applied.output) for p in LEGIT_PLAN_ERRORS), applied.output
            assert account(sb) == before
            return
        assert applied.exit_code == 0, applied.output
        planned = runner.invoke(main, ["plan", str(root), "--detailed-exitcode"], env=env)
        assert planned.exit_code == 0, planned.output
        assert "No changes." in planned.output, planned.output
        check_account(scenario, before, account(sb))
