"""The wheel is the whole tool: installed alone in a fresh virtualenv, `ctctform demo` works
from any directory, and the wheel holds the examples and schemas but no tests."""

from __future__ import annotations

import email.parser
import os
import subprocess
import tarfile
import zipfile
from pathlib import Path

import ctctform

from .conftest import ROOT

CLEAN_LINE = "The second plan is clean: the account now matches the manifest."


def clean_env(venv: Path, home: Path) -> dict[str, str]:
    """The environment of a user's shell: no CTCT_* settings, nothing pointing at the checkout."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CTCT_", "PYTHON", "VIRTUAL_ENV")) and k not in ("CI", "NO_COLOR")
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["HOME"] = str(home)
    env["XDG_CACHE_HOME"] = str(home / ".cache")
    return env


def ctctform_in(venv: Path, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv / "bin" / "ctctform"), *args],
        cwd=cwd,
        env=clean_env(venv, cwd),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_demo_runs_from_any_directory(wheel_venv: Path, tmp_path: Path) -> None:
    # --fast only lifts the demo's pacing (10 requests/s); the packaging path is the same.
    res = ctctform_in(wheel_venv, ["demo", "--fast"], cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.rstrip().splitlines()[-1] == CLEAN_LINE, res.stdout
    # The examples came from the installed package, not from a checkout.
    site = wheel_venv / "lib"
    (installed,) = site.glob("python3*/site-packages/ctctform/examples/basic/ctctform.yaml")
    assert installed.is_file()
    assert "Plan: " in res.stdout and "Apply complete!" in res.stdout, res.stdout


def test_the_examples_copy_out_of_the_wheel_and_validate_there(
    wheel_venv: Path, tmp_path: Path
) -> None:
    res = ctctform_in(wheel_venv, ["examples"], cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    copied = tmp_path / "examples"
    assert {p.name for p in copied.iterdir()} == {
        "basic",
        "agency",
        "agency-fleet.yaml",
        "demo-seed.yaml",
    }
    assert ctctform_in(wheel_venv, ["validate", "examples/basic"], cwd=tmp_path).returncode == 0
    fleet = ctctform_in(wheel_venv, ["validate", "--fleet", "examples/agency-fleet.yaml"], tmp_path)
    assert fleet.returncode == 0, fleet.stderr
    again = ctctform_in(wheel_venv, ["examples"], cwd=tmp_path)  # never over what is there
    assert again.returncode == 1 and "nothing was written" in again.stderr


def test_version_is_the_package_version(wheel_venv: Path, tmp_path: Path) -> None:
    res = ctctform_in(wheel_venv, ["--version"], cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == f"ctctform, version {ctctform.__version__}"


def package_files(folder: str) -> set[str]:
    base = ROOT / "ctctform" / folder
    return {
        f"ctctform/{folder}/{p.relative_to(base).as_posix()}"
        for p in base.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_wheel_holds_examples_and_schemas_and_no_tests(wheel_files: list[str]) -> None:
    names = set(wheel_files)
    examples = package_files("examples")
    assert {
        "ctctform/examples/demo-seed.yaml",
        "ctctform/examples/basic/ctctform.yaml",
    } <= examples
    assert examples <= names, sorted(examples - names)
    schemas = package_files("schemas")
    assert {"ctctform/schemas/manifest.schema.json", "ctctform/schemas/ctct-definitions.json"} <= (
        schemas
    )
    assert schemas <= names, sorted(schemas - names)
    assert "ctctform/sandbox/server.py" in names
    tops = {n.split("/", 1)[0] for n in names}
    assert tops == {"ctctform", f"ctctform-{ctctform.__version__}.dist-info"}, tops
    assert not [n for n in names if "/tests/" in n or n.split("/")[-1].startswith("test_")]
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_wheel_metadata(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        info = f"ctctform-{ctctform.__version__}.dist-info"
        meta = email.parser.Parser().parsestr(zf.read(f"{info}/METADATA").decode())
        license_text = zf.read(f"{info}/licenses/LICENSE").decode()
    assert meta["Name"] == "ctctform"
    assert meta["Version"] == ctctform.__version__
    assert meta["License-Expression"] == "MIT"
    assert meta.get_all("License-File") == ["LICENSE"]
    assert "Copyright (c) 2026 the ctctform authors" in license_text
    assert meta["Requires-Python"] == ">=3.11"
    assert meta["Description-Content-Type"] == "text/markdown"
    assert not [c for c in meta.get_all("Classifier") if c.startswith("License ::")]
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))
    assert set(urls) == {"Homepage", "Documentation", "Changelog", "Issues"}
    assert all(u.startswith("https://github.com/ctctform/ctctform") for u in urls.values())
    assert meta["Keywords"]


def test_sdist_holds_license_changelog_and_examples(dist: Path) -> None:
    (sdist,) = dist.glob("ctctform-*.tar.gz")
    with tarfile.open(sdist) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    assert {"LICENSE", "README.md", "CHANGELOG.md", "pyproject.toml"} <= names
    assert {p for p in package_files("examples")} <= names
