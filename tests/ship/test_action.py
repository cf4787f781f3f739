"""The GitHub Action's scripts, run locally: action/run.sh drives the real `ctctform` against
the real sandbox, and action/comment.py talks to a fake GitHub API that records requests."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from e2e.helpers import CTCT_VARS, EXAMPLES, sandbox_env

from ctctform.sandbox import Sandbox

from .conftest import ROOT
from .fake_github import FakeGitHub

RUN_SH = ROOT / "action" / "run.sh"
BASIC = EXAMPLES / "basic"
PR = 7
TOKEN = "ghs_fake_token_for_tests"


@dataclass
class ActionRun:
    code: int
    output: str
    outputs: dict[str, str]
    summary: str


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(port=0, activity_polls=0) as sandbox:
        sandbox.seed(EXAMPLES / "demo-seed.yaml")
        yield sandbox


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        for n in range(3):  # someone else's comments come first: ours is on a later page
            fake.add_comment(PR, f"Looks good {n}")
        yield fake


Action = Callable[..., ActionRun]


def action_env(home: Path, github: FakeGitHub, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CTCT_VARS and k != "CI"}
    env = {k: v for k, v in env.items() if not k.startswith(("GITHUB_", "CTCTFORM_", "RUNNER_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    env["HOME"] = str(home)
    env.update(
        GITHUB_API_URL=github.url,
        GITHUB_REPOSITORY=github.repository,
        GITHUB_TOKEN=TOKEN,
        GITHUB_SERVER_URL="https://github.test",
        GITHUB_RUN_ID="4242",
        CTCTFORM_DEFAULT_BRANCH="main",
    )
    env.update(settings)
    return env


@pytest.fixture
def action(tmp_path: Path, github: FakeGitHub, sb: Sandbox) -> Action:
    """Run action/run.sh as the composite action's step does, in a repository checkout."""
    home = tmp_path / "home"
    home.mkdir()
    n = 0

    def run(event: str = "pull_request", ref: str = f"refs/pull/{PR}/merge", **inputs: str):
        nonlocal n
        n += 1
        out, summary = tmp_path / f"output-{n}", tmp_path / f"summary-{n}.md"
        settings = {
            "GITHUB_EVENT_NAME": event,
            "GITHUB_REF": ref,
            "GITHUB_OUTPUT": str(out),
            "GITHUB_STEP_SUMMARY": str(summary),
            "RUNNER_TEMP": str(tmp_path),
            "CTCTFORM_PATH": str(BASIC),
            **({"CTCTFORM_PR": str(PR)} if event.startswith("pull_request") else {}),
            **{f"CTCTFORM_{k.upper()}": v for k, v in inputs.items()},
        }
        env = action_env(home, github, **sandbox_env(sb, home / ".cache"), **settings)
        proc = subprocess.run(
            ["bash", str(RUN_SH)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        outputs = dict(line.split("=", 1) for line in out.read_text().splitlines() if "=" in line)
        text = summary.read_text() if summary.exists() else ""
        return ActionRun(proc.returncode, proc.stdout + proc.stderr, outputs, text)

    return run


def ours(github: FakeGitHub) -> list[dict]:
    return [c for c in github.comments[PR] if "<!-- ctctform-plan:" in c["body"]]


def test_plan_posts_one_comment_and_later_runs_update_it(action, github) -> None:
    first = action()
    assert first.code == 0, first.output  # changes (exit 2) do not fail the step
    assert first.outputs["exitcode"] == "2"
    assert first.outputs["has-changes"] == "true"
    (comment,) = ours(github)
    assert first.outputs["comment-url"] == comment["html_url"]
    assert comment["body"].startswith(f"<!-- ctctform-plan:{BASIC} -->\n")
    assert "### ctctform plan" in comment["body"] and "| add | change |" in comment["body"]
    assert "workflow run" in comment["body"]
    assert "### ctctform plan" in first.summary and "| add | change |" in first.summary
    assert [(r.method, r.path) for r in github.writes()] == [
        ("POST", f"/repos/{github.repository}/issues/{PR}/comments")
    ]
    assert {r.authorization for r in github.requests} == {f"Bearer {TOKEN}"}
    assert TOKEN not in first.output

    github.requests.clear()
    second = action()
    assert second.code == 0, second.output
    assert second.outputs["comment-url"] == comment["html_url"]
    # The listing was followed page by page to find the comment: two pages of two.
    pages = [r.query.get("page", ["1"])[0] for r in github.requests if r.method == "GET"]
    assert pages == ["1", "2"]
    assert [(r.method, r.path) for r in github.writes()] == [
        ("PATCH", f"/repos/{github.repository}/issues/comments/{comment['id']}")
    ]
    assert len(github.comments[PR]) == 4 and len(ours(github)) == 1
    assert [c["body"] for c in github.comments[PR][:3]] == [f"Looks good {n}" for n in range(3)]


def test_apply_on_push_to_the_default_branch_then_the_plan_comment_says_no_changes(
    action, github, sb
) -> None:
    plan = action()
    assert plan.outputs["exitcode"] == "2"
    applied = action(event="push", ref="refs/heads/main")
    assert applied.code == 0, applied.output
    assert applied.outputs["exitcode"] == "0"
    assert applied.outputs["has-changes"] == "true"
    assert applied.outputs["comment-url"] == ""
    assert "### ctctform apply (exit 0)" in applied.summary
    assert "Apply complete!" in applied.summary
    assert sb.store().find("lists", "Customers") is not None  # the rename was made
    assert [r.method for r in github.writes()] == ["POST"]  # apply comments on nothing

    again = action()
    assert again.code == 0, again.output
    assert again.outputs["exitcode"] == "0"
    assert again.outputs["has-changes"] == "false"
    (comment,) = ours(github)
    assert "No changes. The account matches the manifest." in comment["body"]
    assert [r.method for r in github.writes()] == ["POST", "PATCH"]

    nothing = action(event="push", ref="refs/heads/main")
    assert (nothing.code, nothing.outputs["has-changes"]) == (0, "false"), nothing.output


def test_a_failing_plan_fails_the_step_after_posting_the_errors(action, github, tmp_path) -> None:
    bad = tmp_path / "repo" / "ctctform.yaml"
    bad.parent.mkdir()
    bad.write_text("version: 1\nlists:\n  - name: Newsletter\n    colour: blue\n")
    res = action(path=str(bad))
    assert res.code == 1, res.output
    assert res.outputs["exitcode"] == "1"
    assert res.outputs["has-changes"] == "false"
    (comment,) = ours(github)
    assert res.outputs["comment-url"] == comment["html_url"]
    for text in (comment["body"], res.summary):
        assert "ctctform plan failed (exit 1)" in text
        assert f"{bad}:4: lists[0]: unknown key 'colour'" in text


def test_comment_false_posts_nothing_but_the_summary_has_the_plan(action, github) -> None:
    res = action(comment="false")
    assert (res.code, res.outputs["exitcode"], res.outputs["comment-url"]) == (0, "2", "")
    assert "| add | change |" in res.summary
    assert github.requests == []


# -- which command, from the inputs and the event (a stub ctctform records its arguments) ------

STUB = """\
#!/usr/bin/env python3
import json, os, sys
args = sys.argv[1:]
with open(os.environ["STUB_LOG"], "a") as f:
    f.write(json.dumps(args) + "\\n")
if "--markdown" in args and not os.environ.get("STUB_NO_MARKDOWN"):
    with open(args[args.index("--markdown") + 1], "w") as f:
        f.write("### stub plan\\n")
print(os.environ.get("STUB_OUTPUT", "Plan: 1 to add, 0 to change, 0 to destroy."))
sys.exit(int(os.environ.get("STUB_EXIT", "0")))
"""


@pytest.fixture
def stubbed(tmp_path: Path, github: FakeGitHub) -> Callable[..., tuple[int, list[str], str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "ctctform").write_text(STUB)
    (bin_dir / "ctctform").chmod(0o755)
    log = tmp_path / "argv.jsonl"

    def run(exit_code: int = 0, **settings: str) -> tuple[int, list[str], str]:
        log.write_text("")
        env = action_env(tmp_path, github, STUB_LOG=str(log), STUB_EXIT=str(exit_code))
        env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
        env.update(settings)
        proc = subprocess.run(
            ["bash", str(RUN_SH)], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        calls = [json.loads(line) for line in log.read_text().splitlines()]
        return proc.returncode, calls[0] if calls else [], proc.stdout + proc.stderr

    return run


def without_markdown_file(argv: list[str]) -> list[str]:
    if "--markdown" in argv:
        i = argv.index("--markdown")
        return argv[: i + 1] + ["MD"] + argv[i + 2 :]
    return argv


PLAN = ["plan", "ctctform/", "--detailed-exitcode", "--markdown", "MD"]
APPLY = ["apply", "ctctform/", "--auto-approve"]


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"GITHUB_EVENT_NAME": "pull_request", "GITHUB_REF": "refs/pull/3/merge"}, PLAN),
        ({"GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/main"}, APPLY),
        ({"GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/feature"}, PLAN),
        ({"GITHUB_EVENT_NAME": "schedule", "GITHUB_REF": "refs/heads/main"}, PLAN),
        ({"GITHUB_EVENT_NAME": "pull_request", "CTCTFORM_MODE": "apply"}, APPLY),
        ({"GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/main", "CTCTFORM_MODE": "plan"}, PLAN),
        (
            {"GITHUB_EVENT_NAME": "push", "CTCTFORM_MODE": "plan", "CTCTFORM_PATH": "account.yaml",
             "CTCTFORM_ARGS": "--var 'brand=Acme Corp' --target lists"},
            ["plan", "account.yaml", "--detailed-exitcode", "--markdown", "MD",
             "--var", "brand=Acme Corp", "--target", "lists"],
        ),
        (
            {"GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/main",
             "CTCTFORM_FLEET": "fleet.yaml", "CTCTFORM_PATH": "ignored/", "CTCTFORM_ARGS": "--shard 1/4"},
            ["apply", "--fleet", "fleet.yaml", "--auto-approve", "--shard", "1/4"],
        ),
    ],
)  # fmt: skip
def test_mode_path_fleet_and_args(stubbed, settings, expected) -> None:
    code, argv, output = stubbed(**settings)
    assert code == 0, output
    assert without_markdown_file(argv) == expected


def test_fleet_plans_are_commented_under_their_own_marker(stubbed, github) -> None:
    code, argv, output = stubbed(
        exit_code=2, GITHUB_EVENT_NAME="pull_request", CTCTFORM_PR=str(PR), CTCTFORM_FLEET="f.yaml"
    )
    assert code == 0, output
    assert argv[:3] == ["plan", "--fleet", "f.yaml"]
    (comment,) = ours(github)
    assert comment["body"].startswith("<!-- ctctform-plan:fleet:f.yaml -->\n\n### stub plan")


def test_a_plan_without_markdown_is_posted_as_its_text_output(stubbed, github) -> None:
    code, _, output = stubbed(
        exit_code=2, GITHUB_EVENT_NAME="pull_request", CTCTFORM_PR=str(PR), STUB_NO_MARKDOWN="1"
    )
    assert code == 0, output
    (comment,) = ours(github)
    assert (
        "### ctctform plan\n\n```text\nPlan: 1 to add, 0 to change, 0 to destroy.\n```"
        in (comment["body"])
    )


def test_exit_codes_other_than_0_and_2_fail_and_a_bad_mode_is_refused(stubbed) -> None:
    assert stubbed(exit_code=2, GITHUB_EVENT_NAME="pull_request")[0] == 0
    assert stubbed(exit_code=1, GITHUB_EVENT_NAME="pull_request")[0] == 1
    assert stubbed(exit_code=2, CTCTFORM_MODE="apply")[0] == 1  # apply has no exit 2
    code, argv, output = stubbed(CTCTFORM_MODE="destroy")
    assert (code, argv) == (1, []) and "mode must be auto, plan or apply" in output
    code, argv, output = stubbed(CTCTFORM_MODE="plan", CTCTFORM_ARGS="--var 'open")
    assert (code, argv) == (1, []) and "cannot split" in output


def test_a_comment_the_api_refuses_is_a_warning_not_a_failure(stubbed) -> None:
    code, _, output = stubbed(
        exit_code=2,
        GITHUB_EVENT_NAME="pull_request",
        CTCTFORM_PR="999",
        GITHUB_REPOSITORY="someone/else",  # the fake answers 404
    )
    assert code == 0, output
    assert "::warning::could not post the plan" in output
    assert "404" in output and TOKEN not in output


# -- comment.py on its own ------------------------------------------------------------------


def load_comment_module():
    spec = importlib.util.spec_from_file_location("action_comment", ROOT / "action" / "comment.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_long_plan_is_cut_to_fit_a_comment_with_its_fences_closed() -> None:
    comment = load_comment_module()
    lines = [f"+ lists: List {n}" for n in range(10_000)]
    markdown = "### ctctform plan\n\n<details><summary>Changes</summary>\n\n```diff\n"
    markdown += "\n".join(lines) + "\n```\n\n</details>\n"
    body = comment.body("ctctform/", markdown, "footer")
    assert len(body) < 65_536
    assert body.count("```") % 2 == 0
    assert body.count("<details>") == body.count("</details>")
    assert "characters are left out" in body
    assert comment.body("ctctform/", "short\n") == "<!-- ctctform-plan:ctctform/ -->\n\nshort\n"


# -- action.yml -----------------------------------------------------------------------------


def test_action_yml_is_valid_action_metadata() -> None:
    check = Path(sys.executable).with_name("check-jsonschema")
    proc = subprocess.run(
        [str(check), "--builtin-schema", "vendor.github-actions", str(ROOT / "action.yml")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_action_yml_hands_every_input_to_run_sh_and_caches_what_it_uses() -> None:
    meta = yaml.safe_load((ROOT / "action.yml").read_text())
    assert set(meta["inputs"]) == {
        "path", "fleet", "mode", "args", "python-version", "github-token", "comment",
        "credentials-key",
    }  # fmt: skip
    assert meta["inputs"]["path"]["default"] == "ctctform/"
    assert meta["inputs"]["mode"]["default"] == "auto"
    assert meta["inputs"]["github-token"]["default"] == "${{ github.token }}"
    steps = meta["runs"]["steps"]
    (run,) = [s for s in steps if s.get("id") == "run"]
    assert "action/run.sh" in run["run"]
    for name in ("path", "fleet", "mode", "args", "comment"):
        assert run["env"][f"CTCTFORM_{name.upper()}"] == f"${{{{ inputs.{name} }}}}"
    assert run["env"]["GITHUB_TOKEN"] == "${{ inputs.github-token }}"
    script = RUN_SH.read_text()
    for name in meta["outputs"]:
        assert meta["outputs"][name]["value"] == f"${{{{ steps.run.outputs.{name} }}}}"
        assert f'echo "{name}=' in script
    installs = [s for s in steps if "pip install" in s.get("run", "")]
    assert installs and '"${{ github.action_path }}"' in installs[0]["run"]
    caches = [s for s in steps if s.get("uses", "").startswith("actions/cache/")]
    assert [s["uses"].split("@")[0] for s in caches] == [
        "actions/cache/restore",
        "actions/cache/save",
    ]
    for step in caches:  # the store only ever as ciphertext
        assert step["with"]["path"].split() == [
            "~/.cache/ctctform",
            "~/.config/ctctform/credentials.json.enc",
        ]
    names = [s.get("name") for s in steps]
    opened, sealed = (
        names.index("Open the credential store"),
        names.index("Seal the credential store"),
    )
    assert (
        steps.index(caches[0]) < opened < names.index("ctctform") < sealed < steps.index(caches[1])
    )
    assert steps[sealed]["if"] == "always()"
    for index in (opened, sealed):
        assert steps[index]["env"]["CTCTFORM_CREDENTIALS_KEY"] == "${{ inputs.credentials-key }}"
    assert caches[0]["with"]["restore-keys"] == "ctctform-${{ runner.os }}-"
    assert caches[1]["if"] == "always()"
    assert 'CTCT_CREDENTIALS_FILE="$HOME/.config/ctctform/credentials.json"' in script
    assert 'XDG_CACHE_HOME="$HOME/.cache"' in script
    # The step's logic is the script (inputs reach it as environment, never as YAML text).
    assert run["run"].strip() == 'bash "${{ github.action_path }}/action/run.sh"'


# -- the credential store in the cache ------------------------------------------------------

STORE_SH = ROOT / "action" / "store.sh"


def _store(step: str, home: Path, key: str | None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "HOME": str(home)}
    if key is not None:
        env["CTCTFORM_CREDENTIALS_KEY"] = key
    return subprocess.run(["bash", str(STORE_SH), step], env=env, capture_output=True, text=True)


def test_the_store_is_cached_only_as_ciphertext_and_opens_with_its_key(tmp_path: Path) -> None:
    store = tmp_path / ".config" / "ctctform" / "credentials.json"
    store.parent.mkdir(parents=True)
    secret = '{"clients": {"c1": {"refresh_token": "RT-rotated-5ecret-value"}}}'
    store.write_text(secret)
    assert _store("seal", tmp_path, "k3y-from-a-repo-secret").returncode == 0
    sealed = store.with_name("credentials.json.enc")
    assert not store.exists()  # nothing in the clear is left for the cache step
    assert b"RT-rotated" not in sealed.read_bytes() and sealed.read_bytes().startswith(b"Salted__")
    assert oct(sealed.stat().st_mode & 0o777) == "0o600"

    wrong = _store("open", tmp_path, "another-key")
    assert wrong.returncode == 0 and "cannot be decrypted" in wrong.stdout
    assert not store.exists() and not sealed.exists()  # a first run's start, not a crash

    store.write_text(secret)
    _store("seal", tmp_path, "k3y-from-a-repo-secret")
    assert _store("open", tmp_path, "k3y-from-a-repo-secret").returncode == 0
    assert store.read_text() == secret and oct(store.stat().st_mode & 0o777) == "0o600"


def test_without_a_key_the_store_is_never_cached(tmp_path: Path) -> None:
    store = tmp_path / ".config" / "ctctform" / "credentials.json"
    store.parent.mkdir(parents=True)
    store.write_text("{}")
    assert _store("seal", tmp_path, None).returncode == 0
    assert not store.exists() and not store.with_name("credentials.json.enc").exists()


@pytest.mark.parametrize(
    ("output", "changed"),
    [
        ("=== a1 (Org): applied\nBilling plan set to GOLD.", "true"),
        ("=== login:x (Org): provisioned\nProvisioned client account a9.", "true"),
        ("=== a1 (Org): no changes\nNo changes. The account matches the manifest.", "false"),
    ],
)
def test_an_apply_that_only_set_a_billing_plan_or_created_an_account_has_changes(
    stubbed, tmp_path, output, changed
) -> None:
    out = tmp_path / "outputs"
    code, _, log = stubbed(
        CTCTFORM_MODE="apply", CTCTFORM_FLEET="f.yaml", STUB_OUTPUT=output, GITHUB_OUTPUT=str(out)
    )
    assert code == 0, log
    assert f"has-changes={changed}" in out.read_text().splitlines()
