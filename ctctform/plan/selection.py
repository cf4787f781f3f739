"""--target and --exclude: which resources a plan may touch."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ctctform.errors import CtctformError
from ctctform.kinds import BY_REF, REGISTRY
from ctctform.manifest import Selector
from ctctform.plan.model import Action, Change, dependencies


def parse_selector(text: str) -> Selector:
    """`KIND` or `KIND:NAME` from the command line; the reference spelling is accepted too
    (list:Newsletter as well as lists:Newsletter)."""
    kind, sep, name = text.partition(":")
    kind = kind.strip()
    if kind in BY_REF:
        kind = BY_REF[kind].name
    if kind not in REGISTRY:
        raise CtctformError(
            f"--target/--exclude {text!r}: unknown kind {kind!r} (one of: {', '.join(REGISTRY)})"
        )
    if sep and not name:
        raise CtctformError(f"--target/--exclude {text!r}: empty name after ':'")
    return Selector(kind, name if sep else None)


@dataclass
class Selection:
    targets: list[Selector] = field(default_factory=list)
    excludes: list[Selector] = field(default_factory=list)
    # Kinds left to another part of the run (a fleet's partner-level webhooks): left out,
    # but not a sign that the plan is partial.
    elsewhere: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, targets: Iterable[str] = (), excludes: Iterable[str] = ()) -> Selection:
        return cls([parse_selector(t) for t in targets], [parse_selector(e) for e in excludes])

    def kinds(self, scope: Iterable[str]) -> set[str]:
        """The kinds a plan must read: those in scope that the selection can touch."""
        wanted = set(scope)
        if self.targets:
            wanted &= {t.kind for t in self.targets}
        for e in self.excludes:
            if e.name is None:
                wanted.discard(e.kind)
        wanted -= self.elsewhere
        return wanted

    @property
    def partial(self) -> list[str]:
        """The selectors as given, for a plan to say that it is partial."""
        return [f"--target {s}" for s in self.targets] + [f"--exclude {s}" for s in self.excludes]

    def excluded(self, kind: str, key: str) -> bool:
        return any(e.matches(kind, key) for e in self.excludes)

    def targeted(self, kind: str, key: str) -> bool:
        return not self.targets or any(t.matches(kind, key) for t in self.targets)

    def unmatched(self, keys: Iterable[tuple[str, str]]) -> list[str]:
        """Named selectors that match nothing: most likely a typo."""
        seen = set(keys)
        return [
            f"--{flag} {s.kind}:{s.name} matches nothing in the manifest or the account"
            for flag, group in (("target", self.targets), ("exclude", self.excludes))
            for s in group
            if s.name is not None and (s.kind, s.name) not in seen
        ]

    def apply(
        self, changes: dict[tuple[str, str], Change], errors: list[str]
    ) -> dict[tuple[str, str], Change]:
        """Keep targeted changes and what they reference; drop excluded ones, refusing when a
        kept change needs an excluded one."""
        if not self.targets and not self.excludes:
            return changes
        keep = {k for k in changes if self.targeted(*k)}
        todo = list(keep)
        while todo:  # pull in what targeted changes reference, transitively
            for dep in dependencies(changes[todo.pop()]):
                if dep in changes and dep not in keep:
                    keep.add(dep)
                    todo.append(dep)
        dropped = {k for k in keep if self.excluded(*k)}
        for k in keep - dropped:
            for dep in dependencies(changes[k]):
                # Only a new id matters to what references it: a left-out rename or update
                # keeps the id the kept change resolves to.
                if dep in dropped and changes[dep].action in (Action.CREATE, Action.REPLACE):
                    errors.append(
                        f"--exclude {dep[0]}:{dep[1]} leaves out a change that "
                        f"{k[0]}:{k[1]} needs; exclude both or neither"
                    )
        kept = keep - dropped
        return {k: v for k, v in changes.items() if k in kept}
