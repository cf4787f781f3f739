"""The shape of the tree, as docs/architecture.md states it: no module over about 400 lines,
no import cycle between ctctform's modules, and a sandbox that imports nothing of the client
(it is the model that catches the client's mistakes, so it must not share its logic)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "ctctform"
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imported(name: str, path: Path) -> set[str]:
    """ctctform modules imported at module level, those under `if TYPE_CHECKING:` included
    (they do not run, but a type-only cycle still ties the two modules together; imports
    inside functions are left out)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    body = ast.parse(path.read_text()).body
    nodes = [n for top in body for n in (top.body if isinstance(top, ast.If) else [top])]
    for node in nodes:
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(up + ([base] if base else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                out.add(full if full in MODULES else base)
    return {m for m in out if m in MODULES and m != name}


GRAPH = {name: imported(name, path) for name, path in MODULES.items()}


def cycle_from(start: str) -> list[str] | None:
    """A path start -> ... -> start through module-level imports, if there is one."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for nxt in GRAPH[node]:
            if nxt == start:
                return path + [start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, path + [nxt]))
    return None


def test_the_import_graph_is_read_from_the_tree() -> None:
    # Guards the checks below against passing vacuously on a graph the parser got wrong.
    assert "ctctform.kinds" in GRAPH["ctctform.plan.planner"]
    assert "ctctform.api.routes" in GRAPH["ctctform.kinds"]


def test_no_import_cycles() -> None:
    cycles = [" -> ".join(c) for name in GRAPH if (c := cycle_from(name))]
    assert cycles == []


def test_no_module_over_the_line_budget() -> None:
    sizes = {name: len(path.read_text().splitlines()) for name, path in MODULES.items()}
    assert {n: s for n, s in sizes.items() if s > MAX_LINES} == {}


def test_the_sandbox_imports_nothing_of_the_client() -> None:
    leaks = {
        name: sorted(d for d in deps if not d.startswith("ctctform.sandbox"))
        for name, deps in GRAPH.items()
        if name.startswith("ctctform.sandbox")
    }
    assert {n: d for n, d in leaks.items() if d} == {}
