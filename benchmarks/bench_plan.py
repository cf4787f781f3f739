"""Plan benchmark: the bar of docs/performance.md for reading a large account.

Starts a sandbox holding 1,000 lists, 500 tags, 100 custom fields and 200 segments (criteria
referencing lists and tags), answering every request after 600 ms and allowing 4 requests per
second (the real API's limit). Writes a manifest that declares exactly that account, so every
plan is a no-op, and plans it with a Client paced at 4 requests/second and the default
parallelism:

  cold          no detail cache: collection pages + one detail read per managed segment
  warm          with the cache file the cold plan left: collection pages only
  warm+edited   after ~10 segments were edited directly in the account (edited_at moves):
                collection pages + those segments' details; the plan shows them as updates
  sequential    (--sequential) the cold plan with parallelism 1, for contrast

For each it prints the requests made (the client's count, checked against the sandbox's log),
the minimum the API allows, wall time, the rate-limit floor (requests / rate) and wall/floor.
The bar: the request count is the minimum, and wall/floor <= 1.15 for the cold plan (the runs
of a few requests are dominated by one 600 ms latency, which no client can hide).

    .venv/bin/python benchmarks/bench_plan.py              # full size, about a minute
    .venv/bin/python benchmarks/bench_plan.py --quick      # small account, 100 ms: seconds
    .venv/bin/python benchmarks/bench_plan.py --sequential # add the parallelism=1 baseline
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ctctform.api import Client, ClientConfig
from ctctform.plan import Policy, Selection
from ctctform.sandbox import Sandbox
from ctctform.workflow import Options, load_manifest, make_plan
from ctctform.workflow.flow import read_account

RATE = 4.0
BAR = 1.15
# Page sizes the client asks for (kinds/*.py page_limit): lists, tags, custom fields, segments.
PAGES = {"lists": 1000, "tags": 500, "custom_fields": 100, "segments": 1000}
FULL = {"lists": 1000, "tags": 500, "custom_fields": 100, "segments": 200, "latency": 600}
QUICK = {"lists": 100, "tags": 50, "custom_fields": 20, "segments": 24, "latency": 100}
EDITED = 10


@dataclass
class Row:
    name: str
    requests: int
    logged: int
    throttled: int
    minimum: int
    changes: int
    wall: float
    parallelism: int
    bound: float = 0.0

    @property
    def floor(self) -> float:
        return self.requests / RATE

    @property
    def ratio(self) -> float:
        return self.wall / self.floor if self.floor else float("nan")


# -- the account and its manifest -------------------------------------------------------------


def list_name(i: int) -> str:
    return f"List {i:04d}"


def tag_name(i: int) -> str:
    return f"Tag {i:03d}"


def criteria(i: int, n_lists: int, n_tags: int) -> dict[str, Any]:
    """Segment criteria: every segment names a list and a tag, some a second list."""
    group: list[dict[str, Any]] = [
        {
            "source": "list_membership",
            "field": "list_id",
            "op": "contains-any",
            "const_value": f"${{list:{list_name((i * 7) % n_lists)}}}",
        },
        {
            "source": "tags",
            "field": "tag_id",
            "op": "contains-any",
            "const_value": f"${{tag:{tag_name((i * 3) % n_tags)}}}",
        },
    ]
    if i % 3 == 0:
        group.append(
            {
                "source": "list_membership",
                "field": "list_id",
                "op": "not-contains-any",
                "const_value": f"${{list:{list_name((i * 11 + 5) % n_lists)}}}",
            }
        )
    # Tags and list conditions sit in `or` groups under the top-level `and` (the API's rule).
    nested = [{"type": "or", "group": [condition]} for condition in group]
    return {"version": "1.0.0", "criteria": {"type": "and", "group": nested}}


def account(size: dict[str, int]) -> dict[str, list[dict[str, Any]]]:
    """The resources, in both seed and manifest shape (the two formats agree for these)."""
    n_lists, n_tags = size["lists"], size["tags"]
    lists = []
    for i in range(n_lists):
        item: dict[str, Any] = {"name": list_name(i), "favorite": i % 10 == 0}
        if i % 2:
            item["description"] = f"Description of list {i}"
        lists.append(item)
    tags = [{"name": tag_name(i)} for i in range(n_tags)]
    fields: list[dict[str, Any]] = []
    types = ["string", "number", "date", "boolean", "currency", "single_select", "multi_select"]
    for i in range(size["custom_fields"]):
        field_type = types[i % len(types)]
        item = {"label": f"Field {i:03d}", "type": field_type}
        if field_type in ("single_select", "multi_select"):
            item["metadata"] = {"display_type": "dropdown"}
            item["choices"] = [f"Choice {c}" for c in range(1 + i % 5)]
        fields.append(item)
    segments = [
        {"name": f"Segment {i:03d}", "criteria": criteria(i, n_lists, n_tags)}
        for i in range(size["segments"])
    ]
    return {"lists": lists, "tags": tags, "custom_fields": fields, "segments": segments}


def write_manifest(root: Path, resources: dict[str, list[dict[str, Any]]]) -> Path:
    """One file per kind, as a team would keep them."""
    path = root / "manifest"
    path.mkdir()
    (path / "00-version.yaml").write_text("version: 1\n")
    for kind, items in resources.items():
        text = yaml.safe_dump({kind: items}, sort_keys=False, allow_unicode=True)
        (path / f"{kind}.yaml").write_text(text)
    return path


def edit_segments(sb: Sandbox, count: int) -> int:
    """Edit `count` segments' criteria directly in the account, as someone would in the UI."""
    store = sb.store()
    edited = 0
    records = sorted(store.live_segments(), key=lambda r: r.segment_id)
    for record in records[:: max(1, len(records) // count)][:count]:
        crit = json.loads(record.segment_criteria)
        rule = crit["criteria"]["group"][0]["group"][0]
        rule["op"] = "not-contains-any" if rule["op"] == "contains-any" else "contains-any"
        store.update_segment(record.segment_id, record.name, json.dumps(crit))
        edited += 1
    return edited


# -- runs -------------------------------------------------------------------------------------


def bound(row: Row, size: dict[str, int]) -> float:
    """The least wall time a client pacing at RATE (with the client's 5% margin) can reach:
    collection pages go out one spacing apart and each takes the latency; details can only
    start once the segment collection has come back. Sequential: one request at a time."""
    spacing = (1 + ClientConfig.rate_margin) / RATE
    latency = size["latency"] / 1000
    if row.parallelism == 1:
        return row.requests * max(spacing, latency)
    pages = _pages(size)
    details = row.requests - pages
    collections_done = (pages - 1) * spacing + latency
    if not details:
        return collections_done
    first_detail = max(pages * spacing, collections_done)
    return first_detail + (details - 1) * spacing + latency


def _pages(size: dict[str, int]) -> int:
    """Collection pages, and GET /account/summary (every plan names its account first)."""
    return 1 + sum(max(1, math.ceil(size[kind] / limit)) for kind, limit in PAGES.items())


def minimum(size: dict[str, int], details: int) -> int:
    return _pages(size) + details


def plan_once(
    sb: Sandbox, manifest: Any, name: str, cache: Path | None, parallelism: int, min_req: int
) -> Row:
    config = ClientConfig.from_env({}, api_url=sb.base_url, access_token="sandbox", rate_limit=RATE)
    opts = Options(Selection(), Policy(), parallelism=parallelism, cache_path=cache)
    # Each run is a fresh process's client with its own pacer: start it on an empty
    # rate-limit window, as a plan run on its own would (back to back, the previous run's
    # last requests would still count against the first second of this one and draw 429s).
    time.sleep(1.1)
    sb.reset_log()
    with Client(config) as client:
        started = time.monotonic()
        summary, _ = read_account(client)  # as the CLI does: the account named first
        plan, _ = make_plan(client, manifest, opts, summary)
        wall = time.monotonic() - started
        made = client.stats.total
    logged = [r for r in sb.requests if r.path.startswith("/v3/")]
    if plan.errors:
        sys.exit("plan errors: " + "; ".join(plan.errors))
    return Row(
        name=name,
        requests=made,
        logged=len(logged),
        throttled=sum(1 for r in logged if r.status == 429),
        minimum=min_req,
        changes=len(plan.actionable),
        wall=wall,
        parallelism=parallelism,
    )


def run(size: dict[str, int], sequential: bool, parallelism: int) -> list[Row]:
    resources = account(size)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="ctctform-bench-") as tmp:
        root = Path(tmp)
        manifest = load_manifest(write_manifest(root, resources))
        cache = root / "details.json"
        n_seg = size["segments"]
        with Sandbox(
            port=0, latency_ms=size["latency"], rate_limit=int(RATE), seed=resources
        ) as sb:
            rows.append(plan_once(sb, manifest, "cold", cache, parallelism, minimum(size, n_seg)))
            rows.append(plan_once(sb, manifest, "warm", cache, parallelism, minimum(size, 0)))
            if sequential:
                rows.append(
                    plan_once(sb, manifest, "sequential cold", None, 1, minimum(size, n_seg))
                )
            edited = edit_segments(sb, EDITED)
            rows.append(
                plan_once(
                    sb, manifest, f"warm+{edited} edited", cache, parallelism, minimum(size, edited)
                )
            )
        for row in rows:
            row.bound = bound(row, size)
    return rows


def table(rows: list[Row]) -> str:
    head = (
        f"{'plan':<18}{'requests':>9}{'logged':>8}{'429s':>6}{'minimum':>9}{'changes':>9}"
        f"{'wall s':>9}{'floor s':>9}{'wall/floor':>12}{'bound s':>9}{'wall/bound':>12}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r.name:<18}{r.requests:>9}{r.logged:>8}{r.throttled:>6}{r.minimum:>9}{r.changes:>9}"
            f"{r.wall:>9.2f}{r.floor:>9.2f}{r.ratio:>12.3f}{r.bound:>9.2f}"
            f"{r.wall / r.bound:>12.3f}"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small account, 100 ms latency")
    parser.add_argument("--sequential", action="store_true", help="add a parallelism=1 run")
    parser.add_argument("--parallelism", type=int, default=Options.parallelism)
    args = parser.parse_args()
    size = QUICK if args.quick else FULL
    print(
        f"account: {size['lists']} lists, {size['tags']} tags, {size['custom_fields']} custom "
        f"fields, {size['segments']} segments; sandbox latency {size['latency']} ms, "
        f"rate limit {RATE:g}/s; client rate {RATE:g}/s, parallelism {args.parallelism}"
    )
    rows = run(size, args.sequential, args.parallelism)
    print(table(rows))
    cold = rows[0]
    failures = [
        f"{r.name}: {r.requests} requests, minimum {r.minimum}"
        for r in rows
        if r.requests != r.minimum or r.logged != r.requests
    ]
    if cold.ratio > BAR:
        failures.append(f"cold: wall/floor {cold.ratio:.3f} > {BAR}")
    if rows[1].changes or cold.changes:
        failures.append("the manifest matches the account, yet the plan shows changes")
    print(
        f"bar (docs/performance.md): requests = minimum, cold wall/floor <= {BAR}: "
        + ("met" if not failures else "MISSED: " + "; ".join(failures))
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
