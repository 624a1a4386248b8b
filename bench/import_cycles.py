"""The house's shape: modules of app code over a line limit, and import cycles between modules.

    .venv/bin/python bench/import_cycles.py [--limit 500]

Reads the source with `ast` (imports nothing, needs no database). App code is every package
at the top of the repository except tests and migrations (`tests/`, `*/tests/`,
`*/migrations/`) and `bench/` itself. An import inside a function counts like one at the
top of a module (it still ties the two modules together; it only moves the failure to run
time), and is marked `(deferred)` in the cycles. Importing `a.b.c` also runs `a/__init__.py`
and `a/b/__init__.py`; those implicit parent imports are left out, as tools usually do,
so a package re-exporting its modules does not count as a cycle with each of them.

Prints three parts: modules over the limit, the strongly connected components (the groups of
modules that import each other, directly or round about) with one shortest cycle through
each, and whether the ground floor (`npo_portal`) imports any app.
"""

from __future__ import annotations

import argparse
import ast
import itertools
import sys
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_PARTS = {"tests", "migrations", "node_modules", ".venv", "static", "templates", "locale"}
SKIPPED_TOP = {"bench", "tests", "deploy", "docs"}


def app_packages() -> list[str]:
    return sorted(
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in SKIPPED_TOP and not path.parent.name.startswith(".")
    )


def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in app_packages():
        for path in (ROOT / package).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if SKIPPED_PARTS.intersection(relative.parts[:-1]) or path.name.startswith("test_"):
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> dict[str, bool]:
    """The project's modules that `name` imports, each with whether every import of it is
    deferred (inside a function)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    deferred_nodes = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            deferred_nodes.update(id(inner) for inner in ast.walk(node) if inner is not node)
    # `if TYPE_CHECKING:` blocks import nothing at run time.
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                for sub in ast.walk(inner):
                    deferred_nodes.add(("typing", id(sub)))
    typing_only = {key[1] for key in deferred_nodes if isinstance(key, tuple)}
    is_package = path.name == "__init__.py"
    edges: dict[str, bool] = {}

    def add(target: str, node: ast.AST) -> None:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if not target or target == name:
            return
        deferred = id(node) in deferred_nodes
        edges[target] = edges.get(target, True) and deferred

    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                if not is_package:
                    anchor = anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)] if node.level > 1 else anchor
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                add(candidate if candidate in known else base, node)
    return edges


def strongly_connected(graph: dict[str, dict[str, bool]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(10_000)

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(components)


def shortest_cycle(graph: dict[str, dict[str, bool]], members: list[str]) -> list[str]:
    inside = set(members)
    best: list[str] = []
    for start in members:
        previous = {start: None}
        queue = deque([start])
        found = None
        while queue and found is None:
            node = queue.popleft()
            for target in sorted(graph[node]):
                if target not in inside:
                    continue
                if target == start:
                    found = node
                    break
                if target not in previous:
                    previous[target] = node
                    queue.append(target)
        if found is None:
            continue
        path = [found]
        while previous[path[-1]] is not None:
            path.append(previous[path[-1]])
        cycle = [*reversed(path), start]
        if not best or len(cycle) < len(best):
            best = cycle
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=500, help="lines per module (default 500)")
    args = parser.parse_args()
    known = modules()
    graph = {name: imports(name, path, known) for name, path in sorted(known.items())}

    sizes = sorted(
        ((sum(1 for _ in path.open()), name) for name, path in known.items()), reverse=True
    )
    over = [(lines, name) for lines, name in sizes if lines > args.limit]
    print(f"Modules of app code over {args.limit} lines: {len(over)}")
    for lines, name in over:
        print(f"  {lines:5d}  {known[name].relative_to(ROOT)}")

    components = strongly_connected(graph)
    print(f"\nImport cycles (groups of modules importing each other): {len(components)}")
    for members in components:
        cycle = shortest_cycle(graph, members)
        steps = []
        for source, target in itertools.pairwise(cycle):
            steps.append(f"{source} -> {target}" + (" (deferred)" if graph[source][target] else ""))
        print(f"  {len(members)} modules: {', '.join(members)}")
        print(f"    e.g. {'; '.join(steps)}")

    apps = set(app_packages()) - {"npo_portal"}
    ground = sorted(
        f"{name} -> {target}"
        for name, targets in graph.items()
        if name.split(".")[0] == "npo_portal"
        for target in targets
        if target.split(".")[0] in apps
    )
    print(f"\nnpo_portal importing an app: {len(ground)}")
    for line in ground:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
