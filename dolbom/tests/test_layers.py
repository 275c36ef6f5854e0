"""The layers of docs/ARCHITECTURE.md, enforced: every import between dolbom's packages points down.

Every ``import`` and ``from ... import`` in the package counts, at module level or inside a function
(tests and migrations aside: a test may drive any app, and a migration is history). An app may import an
app of a lower layer; apps of the domain layer may import each other as long as no cycle forms. A new
app must be given a layer here, so that its place is decided when it is born.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]

# Bottom to top. "dolbom" is the project itself: settings, urls, the API that mounts every router, the
# command line, the demo; "testing" holds the shared test fixtures.
LAYERS: dict[str, int] = {
    "lib": 0,
    "integrations": 1,
    "areas": 2,
    "verification": 2,
    "accounts": 3,
    "web": 4,
    "audit": 5,
    "registry": 6,
    "cases": 7,
    # The domains: each may use registry and cases; peers only without a cycle.
    "referrals": 8, "meetings": 8, "visits": 8, "checkins": 8, "discovery": 8,
    "safety": 8, "programmes": 8, "subsidies": 8, "inspections": 8,
    "reports": 9,
    "dolbom": 10,
    "testing": 10,
    # Running in production: backups, retention and key rotation touch every app's tables.
    "ops": 10,
}
DOMAIN_LAYER = 8


def _owner(module: str, package: Path) -> str | None:
    parts = module.split(".")
    if parts[0] != package.name:
        return None
    if len(parts) > 1 and (package / parts[1]).is_dir():
        return parts[1]
    return package.name


def _module_name(path: Path, package: Path) -> str:
    rel = path.relative_to(package.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _skipped(path: Path, package: Path) -> bool:
    rel = path.relative_to(package)
    return ("tests" in rel.parts or "migrations" in rel.parts or path.name == "conftest.py"
            or path.name.startswith("test_"))


def import_edges(package: Path = PACKAGE) -> dict[tuple[str, str], list[str]]:
    """(importing app, imported app) -> the places ("file:line") where it happens."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(package.rglob("*.py")):
        if _skipped(path, package):
            continue
        module = _module_name(path, package)
        is_package = path.name == "__init__.py"
        src = _owner(module, package)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = module.split(".") if is_package else module.split(".")[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    targets = [".".join(base + ([node.module] if node.module else []))]
                else:
                    targets = [node.module or ""]
            else:
                continue
            for target in targets:
                dst = _owner(target, package)
                if dst is not None and src is not None and dst != src:
                    edges[(src, dst)].append(f"{path.relative_to(package.parent)}:{node.lineno}")
    return edges


def _cycles(edges: dict[tuple[str, str], list[str]]) -> list[list[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for src, dst in edges:
        graph[src].add(dst)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in list(graph):
        if v not in index:
            visit(v)
    return found


def test_every_app_has_a_layer():
    apps = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists() and p.name != "tests"}
    assert apps - set(LAYERS) == set(), "give each new app a layer in LAYERS (and in docs/ARCHITECTURE.md)"


def test_imports_point_down_the_layers():
    wrong = []
    for (src, dst), places in sorted(import_edges().items()):
        if src not in LAYERS or dst not in LAYERS:
            continue  # reported by test_every_app_has_a_layer
        same_domain_layer = LAYERS[src] == LAYERS[dst] == DOMAIN_LAYER
        if LAYERS[dst] > LAYERS[src] or (LAYERS[dst] == LAYERS[src] and not same_domain_layer):
            wrong.append(f"{src} -> {dst}: {', '.join(places[:3])}")
    assert wrong == [], "imports against the layers:\n" + "\n".join(wrong)


def test_no_import_cycle_between_apps():
    assert _cycles(import_edges()) == []


def test_the_checker_sees_function_level_and_relative_imports(tmp_path):
    # The checker must not go blind to the imports that closed the old cycle: one inside a function,
    # one relative; and it must leave tests and migrations out.
    root = tmp_path / "dolbom"
    for app in ("registry", "cases", "visits"):
        (root / app / "tests").mkdir(parents=True)
        (root / app / "migrations").mkdir()
        (root / app / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "registry" / "selectors.py").write_text("def f():\n    from dolbom.visits.selectors import g\n")
    (root / "cases" / "services.py").write_text("from ..registry import selectors\n")
    (root / "visits" / "tests" / "test_x.py").write_text("from dolbom.cases import services\n")
    (root / "visits" / "migrations" / "0001.py").write_text("from dolbom.cases import models\n")
    edges = import_edges(root)
    assert set(edges) == {("registry", "visits"), ("cases", "registry")}
    assert edges[("registry", "visits")] == ["dolbom/registry/selectors.py:2"]
