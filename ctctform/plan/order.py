"""Order: deletes of dependents first, then what others depend on, then the dependents.

`order_changes` gives the apply order of a plan; `prerequisites` says which changes must
finish (successfully) before a change may run: the rename that frees its name, and the
creation of what it references. The applier runs each change once its prerequisites are done
and skips it (never runs it half-informed) when one of them failed.
"""

from __future__ import annotations

from ctctform.kinds import BY_REF, REGISTRY
from ctctform.plan.model import Action, Change, PlanError


def order_changes(changes: list[Change]) -> list[Change]:
    """Deletes first, dependents before what they depend on; then creates and updates with
    what is depended on first. Within a kind, renames before creates (a create may take a
    name a rename frees) and segments in reference order."""
    rank = {name: i for i, name in enumerate(REGISTRY)}
    n = len(rank)
    sub = {Action.RENAME: 0, Action.UPDATE: 1, Action.REPLACE: 2, Action.CREATE: 2, Action.NOOP: 3}

    def key(c: Change) -> tuple[int, int, int, str]:
        if c.action is Action.DELETE:
            return (0, n - rank[c.kind], 0, c.key)
        return (1, rank[c.kind], sub[c.action], c.key)

    return sorted(changes, key=key)


def prerequisites(group: list[Change]) -> dict[int, set[int]]:
    """id(change) -> ids of the changes in `group` it must run after."""
    index = {(c.kind, c.key): c for c in group}
    after: dict[int, set[int]] = {id(c): set() for c in group}

    def unique(c: Change, key: str) -> tuple[str, str]:
        return (c.kind, REGISTRY[c.kind].unique_name(key))

    freed = {unique(c, c.live.key): c for c in group if c.live and c.live.key != c.key}
    for c in group:
        holder = freed.get(unique(c, c.key))
        if holder is not None and holder is not c:
            after[id(c)].add(id(holder))
        for p in c.pending:
            ref, _, name = p.partition(":")
            dep = index.get((BY_REF[ref].name, name))
            if dep is not None and dep is not c:
                after[id(c)].add(id(dep))
    return after


def waves(group: list[Change]) -> list[list[Change]]:
    """Split a group into waves so that each change runs after its prerequisites; a plan
    error when they wait on each other."""
    after = prerequisites(group)
    out: list[list[Change]] = []
    left = list(group)
    done: set[int] = set()
    while left:
        ready = [c for c in left if after[id(c)] <= done]
        if not ready:
            names = ", ".join(c.address for c in left)
            raise PlanError(
                [f"these changes wait on each other ({names}); rename through an unused name first"]
            )
        out.append(ready)
        done |= {id(c) for c in ready}
        left = [c for c in left if id(c) not in done]
    return out


def order_errors(group: list[Change]) -> list[str]:
    """Changes that wait on each other, found while planning (the applier would find them
    only once it got there): the plan's errors, or none."""
    try:
        waves(group)
    except PlanError as exc:
        return exc.errors
    return []
