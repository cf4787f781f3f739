"""The steps every command shares: loading, naming the account, planning, applying.

`run` is the one plan/apply flow (the command line, each fleet account and the demo use it);
`load_manifest` loads a manifest with the registered kinds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from ctctform.kinds import REGISTRY
from ctctform.manifest import Manifest
from ctctform.manifest import load_manifest as _load
from ctctform.workflow.flow import Outcome, View, account_errors, make_plan, read_account, run
from ctctform.workflow.options import Options


def load_manifest(
    path: str | Path | Sequence[str | Path], variables: Mapping[str, str] | None = None
) -> Manifest:
    """A manifest (one path, or several merged) checked against every registered kind."""
    return _load(path, variables, kinds=list(REGISTRY.values()))


__all__ = [
    "Options",
    "Outcome",
    "View",
    "account_errors",
    "load_manifest",
    "make_plan",
    "read_account",
    "run",
]
