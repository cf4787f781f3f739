"""Faults and interruptions: lost answers, 5xx, 429 bursts, a rejected write, a killed
process. Applies are stateless: re-running converges, and nothing is ever created twice."""

from __future__ import annotations

import subprocess
from collections import Counter

import pytest

from ctctform.sandbox import Faults

from .helpers import CTCTFORM_BIN, apply_ok, plan_is_clean, summary_line, v3, writes

LISTS = [f"List {i}" for i in range(4)]
TAGS = [f"Tag {i}" for i in range(4)]
SEGMENTS = [f"Segment {i}" for i in range(3)]


def _creates_manifest() -> str:
    lines = ["version: 1", "lists:"]
    lines += [f"  - name: {n}" for n in LISTS]
    lines += ["tags:"] + [f"  - name: {n}" for n in TAGS]
    lines += ["segments:"]
    for i, name in enumerate(SEGMENTS):
        lines += [
            f"  - name: {name}",
            "    criteria:",
            '      version: "1.0.0"',
            "      criteria:",
            "        type: and",
            "        group:",
            "          - type: or",
            "            group:",
            f'              - {{source: tags, field: tag_id, op: contains-any, const_value: "${{tag:Tag {i}}}"}}',
            f'              - {{source: list_membership, field: list_id, op: contains-any, const_value: "${{list:List {i}}}"}}',
        ]
    return "\n".join(lines) + "\n"


def _names(sb, kind: str) -> Counter[str]:
    store = sb.store()
    if kind == "segments":
        return Counter(s.name for s in store.live_segments())
    attr = "label" if kind == "custom_fields" else "name"
    return Counter(getattr(r, attr) for r in getattr(store, kind).values())


def _assert_exactly_the_manifest(sb) -> None:
    assert _names(sb, "lists") == Counter(LISTS)
    assert _names(sb, "tags") == Counter(TAGS)
    assert _names(sb, "segments") == Counter(SEGMENTS)


def test_lost_answer_of_a_create_is_resolved_by_reading_back(sb, ctct, manifest):
    path = manifest(_creates_manifest())
    sb.faults.drop_after_commit = 1
    res = apply_ok(ctct, path)
    assert "Apply complete! Resources: 11 added, 0 changed, 0 destroyed." in res.stdout
    dropped = [r for r in sb.requests if r.dropped]
    assert len(dropped) == 1 and dropped[0].method == "POST"
    # the committed create was found by name, not sent again (no 409 from a second POST)
    assert [r for r in writes(sb) if r.status == 409] == []
    assert sum(1 for r in writes(sb) if r.status < 300) == 11
    _assert_exactly_the_manifest(sb)
    plan_is_clean(ctct, path)


def test_every_create_answer_lost_still_converges_in_one_apply(sb, ctct, manifest):
    path = manifest(_creates_manifest())
    sb.faults.drop_after_commit = 1000
    res = apply_ok(ctct, path)
    assert "Apply complete! Resources: 11 added" in res.stdout
    assert len([r for r in sb.requests if r.dropped]) == 11
    assert [r for r in writes(sb) if r.status == 409] == []
    _assert_exactly_the_manifest(sb)
    sb.faults.drop_after_commit = 0
    plan_is_clean(ctct, path)


def test_lost_answers_of_updates_and_deletes_are_retried(sb, ctct, manifest):
    sb.seed(
        {
            "lists": [{"name": "Newsletter", "favorite": False}],
            "tags": [{"name": "Old"}, {"name": "VIP"}],
            "segments": [
                {
                    "name": "Gone",
                    "criteria": {"version": "1.0.0", "criteria": {"type": "and", "group": []}},
                },
            ],
        }
    )
    path = manifest("""
        version: 1
        lists:
          - name: Newsletter
            favorite: true
        tags:
          - name: VIP
        prune:
          tags: true
          segments: true
    """)
    sb.faults.drop_after_commit = 3
    apply_ok(ctct, path, "--allow-delete")
    assert len([r for r in sb.requests if r.dropped]) == 3
    assert sb.store().find("lists", "Newsletter").favorite is True
    assert _names(sb, "tags") == Counter(["VIP"])
    assert sb.store().live_segments() == []
    plan_is_clean(ctct, path)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_error_rate_writes_are_retried_to_success(sb, ctct, manifest, seed):
    """503s on a third of the writes: retried (PUT/DELETE/bulk activities) or, for an
    ambiguous POST, read back and created again; one apply succeeds. --parallelism 1 makes
    the sequence of writes, and so the faults' draws, repeatable."""
    sb.seed(
        {
            "lists": [{"name": "List 0", "description": "drifted"}],
            "tags": [{"name": "Stale 1"}, {"name": "Stale 2"}],
        }
    )
    path = manifest(_creates_manifest() + "prune:\n  tags: true\n")
    sb.faults.error_rate = 0.3
    sb.faults.reseed(seed)
    res = ctct(["apply", path, "--auto-approve", "--parallelism", "1", "--allow-delete"])
    assert res.code == 0, res
    assert any(r.status == 503 for r in writes(sb))  # the faults did fire
    _assert_exactly_the_manifest(sb)
    assert sb.store().find("lists", "List 0").description == "drifted"  # undeclared: kept
    plan_is_clean(ctct, path)


def test_error_rate_reruns_converge_without_duplicates(sb, ctct, manifest):
    path = manifest(_creates_manifest())
    sb.faults.error_rate = 0.3
    sb.faults.reseed(7)
    codes = []
    for _ in range(15):
        res = ctct(["apply", path, "--auto-approve", "--parallelism", "1"])
        codes.append(res.code)
        # whatever happened, nothing exists twice (every name at most once)
        for kind in ("lists", "tags", "segments"):
            assert all(n == 1 for n in _names(sb, kind).values())
        if res.code == 0:
            break
    assert codes[-1] == 0, codes
    _assert_exactly_the_manifest(sb)
    plan_is_clean(ctct, path)


def test_429_bursts_are_retried(sb, ctct, manifest):
    path = manifest(_creates_manifest())
    sb.faults.retry_after = 0
    sb.faults.burst_429 = 3
    res = apply_ok(ctct, path)
    assert sum(1 for r in v3(sb) if r.status == 429) == 3
    assert "Apply complete! Resources: 11 added" in res.stdout
    _assert_exactly_the_manifest(sb)


def test_a_rejected_create_skips_only_what_needs_it_and_rerun_converges(sb, ctct, manifest):
    """The account may hold only 2 more lists: the third and fourth list creates are refused
    (400, resource-specific). The rest goes on, as Terraform does: the segment that names a
    refused list is skipped, every other change is made; a re-run finishes the job."""
    sb.seed({"lists": [{"name": "Existing"}]})
    sb.settings.max_lists = 3
    path = manifest(_creates_manifest())
    res = ctct(["apply", path, "--auto-approve", "--parallelism", "1"])
    assert res.code == 1, res
    assert "Apply failed. Done: 8 added, 0 changed, 0 destroyed." in res.stdout
    assert "failed:      lists 'List 2'" in res.stdout and "400" in res.stdout
    assert "failed:      lists 'List 3'" in res.stdout
    assert "skipped:     segments 'Segment 2': it needs lists:List 2" in res.stdout
    assert "not started" not in res.stdout  # a 400 is not a reason to stop everything
    assert "run apply again" in res.stdout
    assert sorted(s.name for s in sb.store().live_segments()) == ["Segment 0", "Segment 1"]
    assert len(sb.store().lists) == 3
    # Nothing was sent for the skipped segment.
    assert not [r for r in writes(sb) if r.path == "/v3/segments" and r.status >= 400]

    sb.settings.max_lists = 1000
    plan = ctct(["plan", path])
    assert summary_line(plan.stdout) == "Plan: 3 to add, 0 to change, 0 to destroy."
    apply_ok(ctct, path)
    assert _names(sb, "lists") == Counter([*LISTS, "Existing"])
    assert _names(sb, "tags") == Counter(TAGS)
    assert _names(sb, "segments") == Counter(SEGMENTS)
    plan_is_clean(ctct, path)


class KillAt(Faults):
    """Kills the ctctform process the moment the sandbox commits its Nth write."""

    def __init__(self, nth: int) -> None:
        super().__init__()
        self.nth = nth
        self.seen = 0
        self.proc: subprocess.Popen | None = None

    def take_drop(self) -> bool:
        self.seen += 1
        if self.seen == self.nth and self.proc is not None:
            self.proc.kill()
        return False


def test_killed_apply_is_finished_by_the_next_one(sb, ctct, manifest, env):
    path = manifest(_creates_manifest())
    faults = KillAt(5)
    sb.faults = faults
    proc = subprocess.Popen(
        [str(CTCTFORM_BIN), "apply", str(path), "--auto-approve", "--parallelism", "1"],
        env={**env, "PATH": "/usr/bin:/bin"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    faults.proc = proc
    proc.communicate(timeout=60)
    assert proc.returncode == -9
    assert len([r for r in writes(sb) if r.status < 300]) == 5
    sb.faults = Faults()

    plan = ctct(["plan", path])
    assert summary_line(plan.stdout) == "Plan: 6 to add, 0 to change, 0 to destroy."
    apply_ok(ctct, path)
    _assert_exactly_the_manifest(sb)
    plan_is_clean(ctct, path)
