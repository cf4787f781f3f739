"""What a run is told: the selection, the safety policy, and how hard to drive the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ctctform.manifest import Manifest
from ctctform.plan import Policy, Selection


@dataclass
class Options:
    selection: Selection = field(default_factory=Selection)
    policy: Policy = field(default_factory=Policy)
    parallelism: int = 8
    cache_path: Path | None = None
    refresh_only: bool = False
    # Flags given explicitly on the command line (they win over the manifest's settings).
    explicit: frozenset[str] = frozenset()

    def policy_for(self, manifest: Manifest) -> Policy:
        """The command line's policy with the manifest's `settings:` folded in: thresholds
        the manifest raises (unless a flag set them), and its acknowledgements."""
        s = manifest.settings
        base = self.policy
        sources = {name: str(loc) for name, loc in s.location.items()}
        return Policy(
            allow_delete=base.allow_delete,
            allow_replace=base.allow_replace,
            max_deletes=int(_pick(base.max_deletes, s.max_deletes, "max_deletes" in self.explicit)),
            max_delete_percent=_pick(
                base.max_delete_percent, s.max_delete_percent, "max_delete_percent" in self.explicit
            ),
            delete_acknowledged=list(s.allow_delete),
            replace_acknowledged=list(s.allow_replace),
            sources=sources,
        )


def _pick(flag: float, setting: float | None, explicit: bool) -> float:
    return flag if explicit or setting is None else setting
