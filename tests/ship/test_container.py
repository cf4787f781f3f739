"""The container recipe, checked without a Docker daemon (.ci/run builds and runs the image
where one answers): a multi-stage build whose runtime installs only the wheel and runs as a
non-root user, and a build context (.dockerignore) that holds everything the sdist is made of
and nothing else."""

from __future__ import annotations

import json
import re
import tarfile
from pathlib import Path

from .conftest import ROOT


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), " ".join(rest.split())))
    return out


def stages(dockerfile: Path) -> list[list[tuple[str, str]]]:
    out: list[list[tuple[str, str]]] = []
    for ins in instructions(dockerfile):
        if ins[0] == "FROM":
            out.append([])
        out[-1].append(ins)
    return out


def test_runtime_stage_installs_only_the_wheel_as_non_root() -> None:
    build, runtime = stages(ROOT / "Dockerfile")
    assert build[0][1].startswith("python:3.11-slim AS ")
    assert runtime[0] == ("FROM", "python:3.11-slim")
    runs = [args for word, args in runtime if word == "RUN"]
    installs = [r for r in runs if "pip install" in r]
    assert len(installs) == 1 and re.search(r"pip install /dist/\*\.whl$", installs[0]), runs
    assert "from=build" in installs[0]
    assert not [args for word, args in runtime if word in ("COPY", "ADD")], runtime
    (user,) = [args for word, args in runtime if word == "USER"]
    assert user not in ("root", "0")
    words = [word for word, _ in runtime]
    assert words.index("USER") > max(i for i, w in enumerate(words) if w == "RUN")
    assert ("WORKDIR", "/work") in runtime
    (entry,) = [args for word, args in runtime if word == "ENTRYPOINT"]
    assert json.loads(entry) == ["ctctform"]


def ignore_rules(path: Path) -> list[tuple[bool, re.Pattern[str]]]:
    """.dockerignore as (exclude?, regex), in order: Docker's matching (Go filepath.Match:
    `*` stays within one path segment, `**` spans any), the last matching rule wins."""
    rules = []
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keep = line.startswith("!")
        pattern = line.lstrip("!").strip("/")
        regex = ""
        for part in re.split(r"(\*\*/?|\*|\?)", pattern):
            if part.startswith("**"):
                regex += "(?:.*/)?" if part.endswith("/") else ".*"
            elif part == "*":
                regex += "[^/]*"
            elif part == "?":
                regex += "[^/]"
            else:
                regex += re.escape(part)
        rules.append((not keep, re.compile(regex + r"\Z")))
    return rules


def in_context(name: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Whether `name` reaches the build context: a rule matching the path or any parent of it
    decides, the last such rule winning."""
    parts = name.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for exclude, regex in rules:
        if any(regex.match(p) for p in prefixes):
            excluded = exclude
    return not excluded


def test_build_context_holds_the_sdist_sources_and_nothing_else(dist: Path) -> None:
    rules = ignore_rules(ROOT / ".dockerignore")
    (sdist,) = dist.glob("ctctform-*.tar.gz")
    with tarfile.open(sdist) as tf:
        members = [m.name.split("/", 1)[1] for m in tf.getmembers() if m.isfile()]
    generated = {"PKG-INFO", "setup.cfg"}
    sources = [n for n in members if n not in generated and ".egg-info/" not in n]
    assert "ctctform/cli/__init__.py" in sources and "LICENSE" in sources
    assert [n for n in sources if not in_context(n, rules)] == []
    for outside in (
        ".git/HEAD",
        ".venv/bin/python",
        "tests/conftest.py",
        "docs/ci.md",
        "dist/ctctform-0.2.0-py3-none-any.whl",
        "ctctform/__pycache__/cli.cpython-311.pyc",
        "ctctform.egg-info/SOURCES.txt",
        "schemas",
    ):
        assert not in_context(outside, rules), outside
