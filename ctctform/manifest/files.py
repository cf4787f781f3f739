"""Finding and reading manifest files, bounded: regular files only, never skipped silently.

An entry that cannot be read must stop the run: with `prune` on, a manifest file that went
missing would otherwise turn every resource it declared into a delete. So a dangling symlink,
a symlink loop, a directory or device named like a manifest, or a FIFO is an error, and so is
a file over the size cap (reading /dev/zero or a huge file must not exhaust memory).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ctctform.manifest.model import ManifestError
from ctctform.safefile import read_regular

SUFFIXES = (".yaml", ".yml")
MAX_FILE_BYTES = 4 * 1024 * 1024  # a 5,000-resource manifest is about 1 MB
MAX_TOTAL_BYTES = 32 * 1024 * 1024


def manifest_files(path: str | Path) -> list[tuple[Path, str]]:
    """(real path, path to show) of each file: the file itself, or a directory's
    *.yaml/*.yml entries sorted by name (not recursive; hidden entries skipped)."""
    given = Path(path)
    target = _resolve(given, str(given))
    if target.is_dir():
        entries = sorted(
            e for e in os.listdir(target) if e.endswith(SUFFIXES) and not e.startswith(".")
        )
        if not entries:
            # `:1` though there is no line: every manifest error keeps the `file:line:` shape
            # that editors and CI annotations parse.
            raise ManifestError([f"{given}:1: no *.yaml or *.yml files in this directory"])
        found = [(_regular(given / name, str(given / name)), str(given / name)) for name in entries]
        return found
    return [(_regular(given, str(given)), str(given))]


def _resolve(path: Path, display: str) -> Path:
    if not os.path.lexists(path):
        raise ManifestError([f"{display}:1: no such file or directory"])
    try:
        return path.resolve(strict=True)
    except FileNotFoundError:
        raise ManifestError(
            [f"{display}:1: a symbolic link to a file that does not exist; fix or remove it"]
        ) from None
    except (RuntimeError, OSError) as exc:  # a symlink loop: RuntimeError or ELOOP
        reason = "a symbolic link loop" if _is_loop(exc) else f"cannot be read ({exc})"
        raise ManifestError([f"{display}:1: {reason}; fix or remove it"]) from None


def _is_loop(exc: BaseException) -> bool:
    return isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == 40


def _regular(path: Path, display: str) -> Path:
    real = _resolve(path, display)
    try:
        mode = os.stat(real).st_mode
    except OSError as exc:
        raise ManifestError([f"{display}:1: cannot be read ({exc.strerror})"]) from None
    if not stat.S_ISREG(mode):
        what = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
        raise ManifestError([f"{display}:1: {what}; a manifest entry must be a YAML file"])
    return real


def read_bounded(path: Path, display: str, budget: list[int]) -> bytes:
    """The file's bytes, refusing anything but a regular file of at most MAX_FILE_BYTES.

    `budget` is a one-item list holding the bytes still allowed for the whole manifest.
    """
    limit = min(MAX_FILE_BYTES, budget[0])
    try:
        data = read_regular(path, limit)
    except OSError as exc:
        raise ManifestError([f"{display}:1: cannot read file: {exc.strerror or exc}"]) from None
    if len(data) > limit:
        if limit < MAX_FILE_BYTES:
            reason = f"the manifest's files together exceed {MAX_TOTAL_BYTES // 2**20} MB"
        else:
            reason = f"the file is larger than {MAX_FILE_BYTES // 2**20} MB; split it"
        raise ManifestError([f"{display}:1: {reason}"])
    budget[0] -= len(data)
    return data
