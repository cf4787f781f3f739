"""The pre-commit hook, run by the real pre-commit: `pre-commit try-repo <this checkout>`
(uncommitted work included) in a sample manifest repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from .conftest import ROOT, offline

VALID = """\
version: 1
lists:
  - name: Newsletter
    description: Monthly news
tags:
  - name: VIP
"""
# Line 4 is the mistake.
INVALID = """\
version: 1
lists:
  - name: Newsletter
    colour: blue
"""


def try_repo(repos: list[Path], wheelhouse: Path) -> list[subprocess.CompletedProcess[str]]:
    """`pre-commit try-repo <checkout> ctctform-validate --all-files` in each repository, all at
    once: try-repo builds the hook's environment afresh every time (a temporary store), which
    is most of its time. Its pip installs from the session's wheelhouse."""
    env = {k: v for k, v in offline(wheelhouse).items() if not k.startswith("CTCT_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    pre_commit = Path(sys.executable).with_name("pre-commit")
    args = [str(pre_commit), "try-repo", str(ROOT), "ctctform-validate", "--all-files"]
    procs = [
        subprocess.Popen(
            [*args, "--color=never"],
            cwd=repo,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for repo in repos
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


def sample_repo(path: Path, manifest: str) -> Path:
    path.mkdir()
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    (path / "ctctform.yaml").write_text(manifest)
    (path / "README.md").write_text("Our Constant Contact account.\n")
    subprocess.run(["git", "-C", str(path), "add", "."], check=True)
    return path


def test_hook_passes_a_valid_manifest_and_fails_an_invalid_one_naming_file_and_line(
    tmp_path: Path, wheelhouse: Path
) -> None:
    good, bad = try_repo(
        [sample_repo(tmp_path / "good", VALID), sample_repo(tmp_path / "bad", INVALID)], wheelhouse
    )
    assert good.returncode == 0, good.stdout + good.stderr
    assert "ctctform validate" in good.stdout and "Passed" in good.stdout, good.stdout

    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout, bad.stdout
    assert "ctctform.yaml:4: lists[0]: unknown key 'colour'" in bad.stdout, bad.stdout


def test_hook_definition() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "ctctform-validate"
    assert hook["entry"] == "ctctform validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert hook["types"] == ["yaml"]
