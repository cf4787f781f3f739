"""Fleet benchmark: the bar of docs/performance.md for planning a partner fleet.

Starts a sandbox holding 100 managed client accounts with varied drift (empty, a stray tag,
a list under an old description, converged, a segment whose criteria drifted), answering
every request after 600 ms and allowing the partner key 10 requests per second (a key that
Constant Contact has raised). The fleet file applies one baseline (a list named after the
account, a tag, a segment on that tag, one partner-level webhook) to every managed account.
Everything runs through the real CLI (`.venv/bin/ctctform` in a subprocess) told that the key
is raised (`CTCT_RATE_LIMIT=10`), each run with an empty cache (cold):

  single        `plan BASELINE --account ID` of one account of each kind of drift (the same
                manifest, its built-in variables given with --var): its requests
  fleet         `plan --fleet FLEET` with the default parallelism
  sequential    `plan --fleet FLEET --parallelism 1`: one account after another (and one
                request at a time), the baseline the fleet must beat

Requests are counted from the sandbox's request log: the inner requests of each account (the
ones wrapped in account_operations/sync), and every outer request the partner key sees (the
sync wrappers, the account listing, the partner's webhooks). The floor is `outer requests /
rate`. The bar: every account's requests in the fleet equal its single-account plan's, and
the fleet's wall time is within 15% of the floor (wall/floor <= 1.15). Wall time is the whole
CLI process, start-up included.

    .venv/bin/python benchmarks/bench_fleet.py                     # full size: ~6 minutes
    .venv/bin/python benchmarks/bench_fleet.py --accounts 20 --latency-ms 100   # seconds
    .venv/bin/python benchmarks/bench_fleet.py --no-sequential     # skip the slow baseline
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ctctform.api import ClientConfig
from ctctform.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[1]
CTCTFORM_BIN = ROOT / ".venv" / "bin" / "ctctform"
if not CTCTFORM_BIN.exists():  # a venv elsewhere: the entry point next to this interpreter
    CTCTFORM_BIN = Path(sys.executable).with_name("ctctform")
BAR = 1.15
SYNC = "/account_operations/sync"
# Every variable ctctform reads (tests/e2e/helpers.py), so the outer environment never leaks in.
CTCT_VARS = (
    "CTCT_API_URL",
    "CTCT_ACCESS_TOKEN",
    "CTCT_CLIENT_ID",
    "CTCT_CLIENT_SECRET",
    "CTCT_REFRESH_TOKEN",
    "CTCT_TOKEN_URL",
    "CTCT_PARTNER_API_KEY",
    "CTCT_PARTNER_CLIENT_ID",
    "CTCT_PARTNER_CLIENT_SECRET",
    "CTCT_PARTNER_TOKEN_URL",
    "CTCT_RATE_LIMIT",
    "CTCT_REFRESH_TOKEN_FILE",
    "CTCT_CREDENTIALS_FILE",
    "CI",
    "NO_COLOR",
)
HOOK = "https://hooks.example.com/ctctform-bench"
BASELINE = f"""\
version: 1
lists:
  - name: ${{var:organization_name}} news
    description: News for ${{var:region}}
tags:
  - name: VIP
segments:
  - name: VIP customers
    criteria:
      version: "1.0.0"
      criteria:
        type: and
        group:
          - type: or
            group:
              - {{source: tags, field: tag_id, op: contains-any, const_value: "${{tag:VIP}}"}}
webhooks:
  - topic_id: 1
    hook_uri: {HOOK}
vars:
  region: New England
prune:
  tags: true
settings:
  allow_delete: [tags]
"""
FLEET = "version: 1\nmanifests: [baseline/]\nselect: {account_type: managed}\n"
DRIFTS = ("empty", "stray tag", "old description", "converged", "segment drifted")


def segment(op: str) -> dict[str, Any]:
    condition = {"source": "tags", "field": "tag_id", "op": op, "const_value": "${tag:VIP}"}
    criteria = {"type": "and", "group": [{"type": "or", "group": [condition]}]}
    return {"name": "VIP customers", "criteria": {"version": "1.0.0", "criteria": criteria}}


def account_seed(i: int) -> tuple[str, str, dict[str, Any]]:
    """The encoded id, the kind of drift and the seed entry of the i-th client account."""
    ident = f"a{i:03d}bench{i:03d}"
    name = f"Client {i:03d}"
    drift = DRIFTS[i % len(DRIFTS)]
    news = {"name": f"{name} news", "description": "News for New England"}
    entry: dict[str, Any] = {"organization_name": name, "billing_status": "Open"}
    if drift == "stray tag":
        entry["tags"] = [{"name": "VIP"}, {"name": f"Stray {i}"}]
    elif drift == "old description":
        entry["lists"] = [{**news, "description": "old"}]
        entry["tags"] = [{"name": "VIP"}]
    elif drift == "converged":
        entry.update(lists=[news], tags=[{"name": "VIP"}], segments=[segment("contains-any")])
    elif drift == "segment drifted":
        # The tag condition negated (edited by hand): the plan updates the criteria.
        segments = [segment("not-contains-any")]
        entry.update(lists=[news], tags=[{"name": "VIP"}], segments=segments)
    return ident, drift, entry


@dataclass
class Run:
    name: str
    wall: float
    code: int
    inner: Counter[str]  # account -> requests wrapped in account_operations/sync
    outer: int  # every request the partner key saw (wrappers included)
    partner: int  # outer requests that are not wrappers: listing, webhooks, ...
    throttled: int
    reported: int | None = None  # the requests the --report totals claim
    first_account: float = float("nan")  # seconds until an account's first answer came back
    rate: float = 10.0
    output: str = ""
    results: Counter[str] = field(default_factory=Counter)

    @property
    def floor(self) -> float:
        return self.outer / self.rate

    @property
    def ratio(self) -> float:
        return self.wall / self.floor if self.floor else float("nan")


def cli_env(sb: Sandbox, cache_home: Path, rate: float) -> dict[str, str]:
    """tests/e2e/helpers.py::sandbox_env, with the raised partner key's rate."""
    env = {k: v for k, v in os.environ.items() if k not in CTCT_VARS}
    env.update(
        {
            "CTCT_API_URL": sb.base_url,
            "CTCT_ACCESS_TOKEN": "sandbox",
            "CTCT_PARTNER_API_KEY": "sandbox",
            "CTCT_PARTNER_CLIENT_ID": "sandbox",
            "CTCT_PARTNER_CLIENT_SECRET": "sandbox",
            "CTCT_PARTNER_TOKEN_URL": sb.partner_token_url,
            "CTCT_RATE_LIMIT": f"{rate:g}",
            "XDG_CACHE_HOME": str(cache_home),
            "XDG_CONFIG_HOME": str(cache_home / "config"),
        }
    )
    return env


def run_cli(sb: Sandbox, root: Path, name: str, args: list[str], rate: float) -> Run:
    # Each run starts on an empty rate-limit window and an empty cache, as a run on its own.
    time.sleep(1.1)
    sb.reset_log()
    cache = Path(tempfile.mkdtemp(prefix="cache-", dir=root))
    report = root / f"report-{name.replace(' ', '-')}.json"
    extra = ["--report", str(report)] if "--fleet" in args else []
    started = time.monotonic()
    first = _watch_first_account(sb)
    proc = subprocess.run(
        [str(CTCTFORM_BIN), *args, *extra],
        env=cli_env(sb, cache, rate),
        cwd=root,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    wall = time.monotonic() - started
    first.set()
    log = [r for r in sb.requests if r.path.startswith("/v3/")]
    outer = [r for r in log if r.account is None]
    run = Run(
        name=name,
        wall=wall,
        code=proc.returncode,
        inner=Counter(r.account for r in log if r.account is not None),
        outer=sum(1 for r in outer if r.status != 429),
        partner=sum(1 for r in outer if not r.path.endswith(SYNC) and r.status != 429),
        throttled=sum(1 for r in outer if r.status == 429),
        rate=rate,
        output=proc.stdout + proc.stderr,
        first_account=getattr(first, "seen", float("nan")) - started,
    )
    if extra and report.exists():
        doc = json.loads(report.read_text(encoding="utf-8"))
        run.reported = doc["totals"]["requests"]
        run.results = Counter(a["result"] for a in doc["accounts"])
    return run


class _Watch(threading.Event):
    seen: float


def _watch_first_account(sb: Sandbox) -> _Watch:
    """When the first request of a client account is answered (the log has it then): the
    time the run spent before its accounts started (process start, token, listing, partner
    level), plus one latency."""
    done = _Watch()

    def watch() -> None:
        while not done.is_set():
            if any(r.account is not None for r in list(sb.requests)):
                done.seen = time.monotonic()
                return
            time.sleep(0.005)

    threading.Thread(target=watch, daemon=True).start()
    return done


def check(run: Run, codes: tuple[int, ...]) -> None:
    if run.code not in codes:
        sys.exit(f"{run.name}: ctctform exited {run.code}\n{run.output[-3000:]}")


def spread(values: list[int]) -> str:
    if not values:
        return "-"
    low, high = min(values), max(values)
    mean = statistics.fmean(values)
    return f"{low}-{high} (mean {mean:.2f})" if low != high else str(low)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100, help="client accounts (100)")
    parser.add_argument("--latency-ms", type=int, default=600, help="per request (600)")
    parser.add_argument("--rate", type=float, default=10.0, help="partner key, requests/s (10)")
    parser.add_argument(
        "--no-sequential", action="store_true", help="skip the --parallelism 1 baseline"
    )
    args = parser.parse_args()
    rate = args.rate
    seeds = [account_seed(i) for i in range(args.accounts)]
    drift_of = {ident: drift for ident, drift, _ in seeds}
    print(
        f"fleet: {args.accounts} managed client accounts ({', '.join(DRIFTS)} in turn); "
        f"sandbox latency {args.latency_ms} ms, partner key {rate:g}/s; "
        f"ctctform CTCT_RATE_LIMIT={rate:g}"
    )
    with tempfile.TemporaryDirectory(prefix="ctctform-bench-fleet-") as tmp:
        root = Path(tmp)
        (root / "baseline").mkdir()
        (root / "baseline" / "ctctform.yaml").write_text(BASELINE, encoding="utf-8")
        (root / "fleet.yaml").write_text(FLEET, encoding="utf-8")
        seed = {"webhooks": [{"topic_id": 1, "hook_uri": HOOK}]}
        with Sandbox(
            port=0,
            latency_ms=args.latency_ms,
            rate_limit=4,
            partner_rate_limit=int(rate),
            activity_polls=0,
            seed=seed,
        ) as sb:
            for ident, _, entry in seeds:
                sb.add_client_account(ident, **entry)
            singles: dict[str, Run] = {}
            for ident, drift, entry in seeds[: len(DRIFTS)]:
                variables = ["--var", f"account_id={ident}"]
                variables += ["--var", f"organization_name={entry['organization_name']}"]
                run = run_cli(
                    sb,
                    root,
                    f"single {drift}",
                    ["plan", "baseline", "--account", ident, *variables],
                    rate,
                )
                check(run, (0,))
                singles[ident] = run
            fleet = run_cli(sb, root, "fleet", ["plan", "--fleet", "fleet.yaml"], rate)
            check(fleet, (0,))
            runs = [fleet]
            if not args.no_sequential:
                sequential = run_cli(
                    sb,
                    root,
                    "sequential",
                    ["plan", "--fleet", "fleet.yaml", "--parallelism", "1"],
                    rate,
                )
                check(sequential, (0,))
                runs.append(sequential)

    print()
    head = (
        f"{'run':<12}{'accounts':>9}{'requests':>10}{'inner':>7}{'partner':>9}{'429s':>6}"
        f"{'report':>8}  {'per account':<20}{'1st acct s':>11}{'wall s':>9}{'floor s':>9}{'wall/floor':>12}"
    )
    lines = [head, "-" * len(head)]
    for r in runs:
        lines.append(
            f"{r.name:<12}{len(r.inner):>9}{r.outer:>10}{sum(r.inner.values()):>7}"
            f"{r.partner:>9}{r.throttled:>6}{r.reported if r.reported is not None else '-':>8}  "
            f"{spread(list(r.inner.values())):<20}{r.first_account:>11.2f}{r.wall:>9.2f}{r.floor:>9.2f}{r.ratio:>12.3f}"
        )
    print("\n".join(lines))

    print()
    head = f"{'account':<16}{'drift':<18}{'single plan':>12}{'in the fleet':>14}{'equal':>7}"
    lines = [head, "-" * len(head)]
    failures: list[str] = []
    for ident, single in singles.items():
        alone, together = single.inner[ident], fleet.inner[ident]
        lines.append(
            f"{ident:<16}{drift_of[ident]:<18}{alone:>12}{together:>14}"
            f"{'yes' if alone == together else 'NO':>7}"
        )
        if alone != together:
            failures.append(f"{ident}: {together} requests in the fleet, {alone} alone")
    print("\n".join(lines))
    # Every other account: the same as the single plan of its kind of drift.
    by_drift = {drift_of[i]: r.inner[i] for i, r in singles.items()}
    odd = [i for i in drift_of if fleet.inner[i] != by_drift.get(drift_of[i])]
    if odd:
        failures.append(f"{len(odd)} account(s) differ from their kind's single plan: {odd[:5]}")
    missing = set(drift_of) - set(fleet.inner)
    if missing:
        failures.append(f"{len(missing)} account(s) never read: {sorted(missing)[:5]}")
    if fleet.throttled:
        failures.append(f"fleet: {fleet.throttled} requests answered 429")
    if fleet.ratio > BAR:
        failures.append(f"fleet: wall/floor {fleet.ratio:.3f} > {BAR}")
    print()
    print(f"fleet results: {dict(sorted(fleet.results.items()))}")
    margin = ClientConfig.rate_margin
    paced = fleet.outer * (1 + margin) / rate
    print(
        f"ctctform paces the key at rate/{1 + margin:g} = {rate / (1 + margin):.2f}/s, so "
        f"{fleet.outer} requests take at least {paced:.2f}s ({1 + margin:.2f}x the floor) "
        f"once the accounts have started ({fleet.first_account:.2f}s in)"
    )
    if len(runs) > 1:
        print(
            f"sequential/fleet: {runs[1].wall / fleet.wall:.2f}x the fleet's wall time "
            f"({runs[1].ratio:.2f}x the floor)"
        )
    print(
        f"bar (docs/performance.md): requests per account = a single-account plan's, fleet wall/floor "
        f"<= {BAR}: " + ("met" if not failures else "MISSED: " + "; ".join(failures))
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
