"""Manifests built to exhaust memory, time or the stack. Each runs the installed entry point
in a subprocess capped at 2 GiB of address space with a timeout, and must end with exit 1 and
a located one-line error (a MemoryError, a kill or a timeout fails the case), without a
single request."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import assert_located, bounded

LEVELS = "abcdefghi"  # nine levels


def _alias_bomb_vars() -> str:
    lines = ["version: 1", "vars:", "  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for prev, cur in zip(LEVELS, LEVELS[1:], strict=False):
        lines.append(f"  {cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _alias_bomb_criteria() -> str:
    """The same bomb where nested data is legitimate: inside segment criteria (line 4)."""
    parts = ['{type: or, group: &a [{source: contact, field: x, op: eq, const_value: "1"}]}']
    for prev, cur in zip(LEVELS, LEVELS[1:], strict=False):
        parts.append(
            f"{{type: and, group: &{cur} ["
            + ", ".join([f"{{type: and, group: *{prev}}}"] * 9)
            + "]}"
        )
    group = ", ".join(parts)
    return (
        "version: 1\nsegments:\n  - name: Bomb\n"
        f'    criteria: {{version: "1.0.0", criteria: {{type: and, group: [{group}]}}}}\n'
    )


def _merge_key_bomb() -> str:
    """Nine levels of `<<: [*prev x 9]`: merge keys copy the merged pairs, so a naive
    flattening holds 9**9 pairs."""
    lines = ["version: 1", "vars:", "  a: &a {k: v}"]
    for prev, cur in zip(LEVELS, LEVELS[1:], strict=False):
        lines.append(f"  {cur}: &{cur} {{<<: [" + ", ".join([f"*{prev}"] * 9) + "]}")
    return "\n".join(lines) + "\n"


def _deep_yaml() -> str:
    return "version: 1\nvars:\n  deep: " + "[" * 100_000 + "]" * 100_000 + "\n"


def _deep_block_yaml() -> str:
    """Deep block mappings (indentation), the shape a generator gone wrong writes."""
    lines = ["version: 1", "vars:"]
    lines += [" " * (2 * i + 2) + f"k{i}:" for i in range(1_500)]
    return "\n".join(lines) + " x\n"


def _deep_json() -> str:
    return (
        "version: 1\nsegments:\n  - name: Deep\n    criteria_json: '"
        + "[" * 100_000
        + "]" * 100_000
        + "'\n"
    )


def _huge_name() -> str:
    return "version: 1\ntags:\n  - name: " + "n" * 3_000_000 + "\n"


def _many_errors() -> str:
    """200,000 wrong items: every one an error, and the report must still end quickly."""
    return "version: 1\nlists:\n" + "  - 1\n" * 200_000


CASES = {
    "alias-bomb-nine-levels-in-criteria": (_alias_bomb_criteria, "bad.yaml:", ("alias",)),
    "merge-key-bomb-nine-levels": (_merge_key_bomb, "bad.yaml:", ()),
    "yaml-nested-100000-deep": (_deep_yaml, "bad.yaml:3:", ("nest",)),
    "yaml-block-nested-1500-deep": (_deep_block_yaml, "bad.yaml:", ("nest",)),
    "criteria-json-nested-100000-deep": (_deep_json, "bad.yaml:4:", ("nested",)),
    "name-of-3-million-characters": (_huge_name, "bad.yaml:3:", ("255",)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_pathological_manifest(sb, bounded_proc, tmp_path, case):
    make, where, words = CASES[case]
    (tmp_path / "bad.yaml").write_text(make())
    with bounded():
        res = bounded_proc(["plan", "bad.yaml"])  # validate reads it the same way, offline
    assert_located(res, where, *words)
    assert sb.requests == []


def test_alias_bomb_in_vars_fails_without_expanding(sb, bounded_proc, tmp_path):
    """Nine levels of nine aliases (9**9 strings if expanded): expanded, it would not fit the
    subprocess's 2 GiB address space or its time bound; refused, it is one located error."""
    (tmp_path / "bomb.yaml").write_text(_alias_bomb_vars())
    with bounded():
        res = bounded_proc(["plan", "bomb.yaml"])
    assert_located(res, "bomb.yaml:", "alias")
    assert sb.requests == []


def test_200000_errors_are_reported_in_bounded_time(sb, bounded_proc, tmp_path):
    """A 1.2 MB file (an eighth of the size cap) with 200,000 wrong items. DESIGN §6 gives
    local work 2 s for 5,000 resources (about 1 MB); 10 s is that budget with room to spare
    (the interpreter start included). The cap allows files seven times this one."""
    (tmp_path / "bad.yaml").write_text(_many_errors())
    with bounded(10):
        res = bounded_proc(["validate", "bad.yaml"], timeout=10)
    assert_located(res, "bad.yaml:3:", "expected a mapping")


def _sparse(path: Path, size: int) -> None:
    with path.open("wb") as fh:
        fh.write(b"version: 1\ntags:\n  - name: ")
        fh.truncate(size)


def test_file_over_the_size_cap(sb, bounded_proc, tmp_path):
    _sparse(tmp_path / "big.yaml", 9 * 2**20)
    with bounded():
        assert_located(bounded_proc(["plan", "big.yaml"]), "big.yaml:1:", "MB")
    assert sb.requests == []


def test_files_together_over_the_total_cap(sb, bounded_proc, tmp_path):
    """Ten (sparse) files each under the per-file cap, 75 MB together."""
    folder = tmp_path / "m"
    folder.mkdir()
    for i in range(10):
        with (folder / f"{i:02}.yaml").open("wb") as fh:
            fh.write(b"# a comment\n")
            fh.truncate(7_500_000)
    with bounded():
        res = bounded_proc(["plan", "m"])
        assert_located(res, "m/", "MB")
    assert sb.requests == []
