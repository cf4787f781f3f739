"""Fixtures for the shipping tests: the package as users install it, built once per session.

`dist` copies the files a clone would have (tracked and untracked-but-not-ignored, so
uncommitted work counts) into a temporary directory and builds the sdist and then the wheel
from it there (`python -m build`, as a release does): a checkout's leftovers (`build/`, and the
`ctctform.egg-info/SOURCES.txt` that setuptools merges into every later sdist) cannot leak in.

`wheelhouse` resolves the wheel's dependencies from the package index once; every later
install (the fresh virtualenv, pre-commit's hook environments) reads only that directory,
which saves the index round trips each install would make. `wheel_venv` installs the wheel
into a fresh virtualenv outside the checkout; it is made without pip (the running pip
installs into it with `--python`), which saves the seconds ensurepip takes. All are
session-scoped: every test reuses one build, one resolution and one install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str | Path], **kw: object) -> subprocess.CompletedProcess[str]:
    """Run a command; on failure, the assertion shows its output."""
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, **kw)
    assert proc.returncode == 0, (
        f"{' '.join(map(str, args))} exited {proc.returncode}\n"
        f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    )
    return proc


def clean_copy(dest: Path) -> Path:
    """The checkout's files as a clone (plus uncommitted work) would have them, copied to dest."""
    listed = run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT
    ).stdout
    for name in filter(None, listed.split("\0")):
        src, dst = ROOT / name, dest / name
        if not src.exists() and not src.is_symlink():  # deleted in the work tree
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            dst.symlink_to(os.readlink(src))
        else:
            shutil.copy2(src, dst)
    return dest


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and the wheel built from it, from a clean copy of the source."""
    src = clean_copy(tmp_path_factory.mktemp("src"))
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--outdir", out, src])
    return out


@pytest.fixture(scope="session")
def wheel(dist: Path) -> Path:
    (found,) = dist.glob("ctctform-*-py3-none-any.whl")
    return found


@pytest.fixture(scope="session")
def wheel_files(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as zf:
        return zf.namelist()


@pytest.fixture(scope="session")
def wheelhouse(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, its dependencies (resolved from the index once) and a setuptools that can
    build ctctform: every later install in the session reads only this directory."""
    house = tmp_path_factory.mktemp("wheelhouse")
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "-w", house, wheel, "setuptools>=77"])
    return house


def offline(house: Path) -> dict[str, str]:
    """The environment that makes pip (and the build isolation it sets up) install from the
    wheelhouse alone, without compiling every dependency to bytecode up front."""
    return {**os.environ, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(house), "PIP_NO_COMPILE": "1"}


@pytest.fixture(scope="session")
def wheel_venv(wheel: Path, wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv outside the checkout with only the wheel (and its dependencies)."""
    venv = tmp_path_factory.mktemp("wheel-venv")
    assert not venv.is_relative_to(ROOT)
    run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", python, "install", "--quiet"]
    run([*pip, wheel], env=offline(wheelhouse))
    return venv
