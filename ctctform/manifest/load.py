"""`load_manifest`: files -> YAML with lines -> schema -> vars -> resources -> checks.

The loader knows no kind by name: it is handed the kinds (`ctctform.kinds.REGISTRY`) and
reads each one's facts (manifest key, shape, identity, limits, schema, checks) through the
`ManifestKind` protocol.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from ctctform.manifest.build import Builder
from ctctform.manifest.catalog import ManifestKind
from ctctform.manifest.files import MAX_TOTAL_BYTES, manifest_files, read_bounded
from ctctform.manifest.model import Issue, Manifest, ManifestError
from ctctform.manifest.schema import checker_for
from ctctform.manifest.schemagen import schema_text
from ctctform.manifest.yamlload import LDict, YamlFileError, read_yaml


def load_manifest(
    path: str | Path | Sequence[str | Path],
    variables: Mapping[str, str] | None = None,
    *,
    kinds: Sequence[ManifestKind],
) -> Manifest:
    """Load, merge and validate a manifest file or directory (or several: a fleet's baseline
    and an account's overlays, merged as one manifest); raise ManifestError listing every
    problem. `variables` (per account, `--var`) override the files' `vars`.
    """
    paths = [Path(path)] if isinstance(path, str | Path) else [Path(p) for p in path]
    with _no_gc_pauses():
        return _load(paths, variables or {}, tuple(kinds))


@contextlib.contextmanager
def _no_gc_pauses() -> Iterator[None]:
    # Loading allocates ~100k containers and makes no reference cycles; the cyclic collector
    # would rescan the growing heap again and again for nothing (it was half the load time).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _load(
    paths: list[Path], variables: Mapping[str, str], kinds: tuple[ManifestKind, ...]
) -> Manifest:
    issues: list[Issue] = []
    docs: list[tuple[str, LDict]] = []
    checker = checker_for(schema_text(kinds))
    files = [f for path in paths for f in manifest_files(path)]
    budget = [MAX_TOTAL_BYTES]
    for file_path, display in files:
        doc = _load_document(read_bounded(file_path, display, budget), display, issues)
        if doc is not None:
            issues.extend(checker.issues(doc, display))
            docs.append((display, doc))
    builder = Builder(docs, variables, kinds)
    manifest = builder.build([display for _, display in files])
    issues.extend(builder.issues)
    if issues:
        raise ManifestError([str(issue) for issue in sorted(set(issues))])
    return manifest


def _load_document(data: bytes, display: str, issues: list[Issue]) -> LDict | None:
    try:
        value, problems = read_yaml(data, display)
    except YamlFileError as exc:
        issues.append(exc.issue)
        return None
    issues.extend(problems)
    if value is None:  # an empty file (or only comments) declares nothing
        return LDict(1)
    if not isinstance(value, LDict):
        line = getattr(value, "line", 1)
        reason = "expected a mapping of top-level keys (version, lists, tags, ...)"
        issues.append(Issue(display, line, "", reason))
        return None
    return value


__all__ = ["load_manifest", "manifest_files"]
