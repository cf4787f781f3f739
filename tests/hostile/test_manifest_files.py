"""Manifest entries that cannot be read, inside a directory with `prune` on.

A manifest file that is skipped would turn every resource it declares into a delete, so an
entry that is not a readable regular YAML file must stop the run with a located error before
any request: not one read, not one delete (DESIGN §3 safety, §6). Entries that could block a
reader (FIFOs, devices) run through a subprocess with a timeout, so a hang fails the case
instead of the suite.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import assert_located, bounded

LIVE_TAGS = ["Keep", "Old 1", "Old 2"]


@pytest.fixture
def pruned_dir(sb, tmp_path: Path) -> Path:
    """m/ with prune on for tags and lists; the account holds tags the manifest would
    delete if m/lists.yaml (which declares nothing here) or m/tags.yaml went missing."""
    sb.seed({"tags": [{"name": n} for n in LIVE_TAGS], "lists": [{"name": "Newsletter"}]})
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "00-base.yaml").write_text("version: 1\nprune:\n  tags: true\n  lists: true\n")
    (folder / "tags.yaml").write_text("tags:\n  - name: Keep\n")
    return folder


def _live_tags(sb) -> list[str]:
    return sorted(t.name for t in sb.store().tags.values())


ALL = ("validate", "plan", "apply")


def _refused_everywhere(sb, run, where: str, *words: str, commands=ALL) -> None:
    """validate, plan and apply (prune on, --allow-delete) all refuse, before any request.
    (Subprocess cases run apply only, which plans first: each run costs a second of
    interpreter start.)"""
    with bounded():
        for command in commands:
            args = [command, "m"] + (
                ["--auto-approve", "--allow-delete"] if command == "apply" else []
            )
            res = run(args)
            assert_located(res, where, *words)
            assert sb.requests == [], f"{command} sent requests: {sb.requests}"
    assert _live_tags(sb) == sorted(LIVE_TAGS)
    assert [x.name for x in sb.store().lists.values()] == ["Newsletter"]


def test_dangling_symlink_is_an_error_not_a_skip(sb, ctct, pruned_dir):
    (pruned_dir / "lists.yaml").symlink_to(pruned_dir / "gone.yaml")
    _refused_everywhere(sb, ctct, "m/lists.yaml:1:", "symbolic link")


def test_dangling_symlink_replacing_a_declaring_file(sb, ctct, pruned_dir):
    """The file that declares the tag `Keep` is now a dangling link: skipping it would make
    `Keep` a delete."""
    (pruned_dir / "tags.yaml").unlink()
    (pruned_dir / "tags.yaml").symlink_to("/nonexistent/tags.yaml")
    _refused_everywhere(sb, ctct, "m/tags.yaml:1:")


def test_symlink_loop(sb, ctct, pruned_dir):
    (pruned_dir / "a.yaml").symlink_to(pruned_dir / "b.yaml")
    (pruned_dir / "b.yaml").symlink_to(pruned_dir / "a.yaml")
    _refused_everywhere(sb, ctct, "m/a.yaml:1:", "loop")


def test_symlink_to_itself(sb, ctct, pruned_dir):
    (pruned_dir / "self.yaml").symlink_to("self.yaml")
    _refused_everywhere(sb, ctct, "m/self.yaml:1:", "loop")


def test_symlink_to_a_directory(sb, ctct, pruned_dir, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "lists.yaml").write_text("lists:\n  - name: Newsletter\n")
    (pruned_dir / "lists.yaml").symlink_to(tmp_path / "elsewhere")
    _refused_everywhere(sb, ctct, "m/lists.yaml:1:", "directory")


def test_directory_named_like_a_manifest(sb, ctct, pruned_dir):
    (pruned_dir / "lists.yaml").mkdir()
    (pruned_dir / "lists.yaml" / "inner.yaml").write_text("lists:\n  - name: Newsletter\n")
    _refused_everywhere(sb, ctct, "m/lists.yaml:1:", "directory")


def test_symlink_to_dev_null(sb, ctct, pruned_dir):
    """/dev/null reads as empty: taken as an empty file it would declare nothing."""
    (pruned_dir / "tags.yaml").unlink()
    (pruned_dir / "tags.yaml").symlink_to("/dev/null")
    _refused_everywhere(sb, ctct, "m/tags.yaml:1:", "regular file")


def test_symlink_to_a_fifo(sb, bounded_proc, pruned_dir, tmp_path):
    os.mkfifo(tmp_path / "pipe")
    (pruned_dir / "lists.yaml").symlink_to(tmp_path / "pipe")
    _refused_everywhere(sb, bounded_proc, "m/lists.yaml:1:", "regular file", commands=("apply",))


def test_fifo_in_the_directory(sb, bounded_proc, pruned_dir):
    os.mkfifo(pruned_dir / "lists.yaml")
    _refused_everywhere(sb, bounded_proc, "m/lists.yaml:1:", "regular file", commands=("apply",))


def test_symlink_to_dev_zero_in_the_directory(sb, bounded_proc, pruned_dir):
    (pruned_dir / "lists.yaml").symlink_to("/dev/zero")
    _refused_everywhere(sb, bounded_proc, "m/lists.yaml:1:", "regular file", commands=("apply",))


def test_fifo_given_as_the_path(sb, bounded_proc, tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")
    path = tmp_path / "pipe.yaml"
    with bounded():
        res = bounded_proc(["plan", path])
    assert_located(res, f"{path}:1:", "regular file")
    assert sb.requests == []


def test_dev_zero_given_as_the_path(sb, bounded_proc):
    with bounded():
        res = bounded_proc(["plan", "/dev/zero"])
    assert_located(res, "/dev/zero:1:", "regular file")
    assert sb.requests == []


def test_dev_null_given_as_the_path(sb, ctct):
    for command in ("validate", "plan"):
        res = ctct([command, "/dev/null"])
        assert_located(res, "/dev/null:1:", "regular file")
    assert sb.requests == []


def test_empty_directory(sb, ctct, tmp_path):
    (tmp_path / "m").mkdir()
    for command in ("validate", "plan"):
        assert_located(ctct([command, "m"]), "m:1:", "no *.yaml")
    assert sb.requests == []


def test_directory_without_yaml_files(sb, ctct, tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "README.md").write_text("tags:\n  - name: VIP\n")
    (tmp_path / "m" / "tags.json").write_text('{"version": 1}')
    for command in ("validate", "plan"):
        assert_located(ctct([command, "m"]), "m:1:", "no *.yaml")
    assert sb.requests == []


def test_missing_path(sb, ctct):
    for command in ("validate", "plan"):
        assert_located(ctct([command, "nowhere.yaml"]), "nowhere.yaml:1:", "no such file")
    assert sb.requests == []


def test_one_bad_file_among_good_ones_stops_the_whole_directory(sb, ctct, pruned_dir):
    """The broken file comes last in name order: what was read before it must not be
    planned (and pruned) on its own."""
    (pruned_dir / "zz.yaml").write_bytes(b"tags:\n  - name: \xff\xfe\n")
    _refused_everywhere(sb, ctct, "m/zz.yaml:2:", "UTF-8")
