"""
Imports point down only, per the package's layer map.

Every module under ``maiu_async/`` is parsed with `ast` (nothing is
imported).  The rules:

- a module-level import, at run time or under ``if TYPE_CHECKING:``,
  names a module of a lower layer, or of its own layer ("sideways");
- run-time imports form no cycle, so the layer's modules still have an
  order (sideways is fine, round in circles is not);
- an import inside a function (a lazy import) names only an optional
  third-party dependency or `importlib.metadata` (the package version):
  never one of our modules, which would hide a cycle;
- a few edges the map allows are refused on purpose (`FORBIDDEN`);
- the emulator sits beside the chain: it imports only what `EMULATOR_MAY`
  lists, and only the CLI imports it.

A module missing from `LAYERS` fails the test until someone places it.
"""

from __future__ import annotations

import ast
import importlib.util

from pathlib import Path

import attrs
import pytest

import maiu_async


ROOT = Path(maiu_async.__file__).parent

#: Unit (a top-level module, or a subpackage as a whole) -> layer.
LAYERS: dict[str, int] = {
    "exceptions": 0,
    "models": 0,
    "limits": 0,
    "_version": 0,  # the installed version: importlib.metadata only
    "_converter": 1,
    "_retry": 1,
    "_validation": 1,
    "_signing": 1,
    "_credentials": 1,
    "_urls": 1,
    "_errorcodes": 1,
    "_project_cap": 1,  # the client's project knowledge: models, limits
    "_types": 1,  # named unions of user input: _retry's RetryPolicy
    "_budget": 1,  # answer bytes in flight: anyio only
    "_deadline": 0,  # the total limit of requests in flight: asyncio only
    "_connector": 1,  # aiohttp's connector, reading small chunks
    "_transport": 2,
    "_scheduler": 2,
    "_pace": 2,  # the limiter's arithmetic
    "_answers": 2,  # reads a transport's RawResponse
    "_client": 3,
    "_resources": 3,
    "testing": 3,  # seams beside the client: transport, retry switch
    "bulk": 4,
    "storage": 4,
    "__init__": 5,  # the facade re-exports everything, bulk included
    "cli": 6,
    # Sharded imports on Dask: the engine on workers, the CLI's key
    # readers and report lines; the CLI imports it only lazily.
    "distributed": 6,
    "emulator": 6,  # beside the chain; see EMULATOR_MAY
}

#: What the emulator may import.  `_credentials` holds the names of the
#: environment variables it reads (one home for those names).
EMULATOR_MAY = frozenset(
    {
        "_signing",
        "models",
        "_converter",
        "_errorcodes",
        "limits",
        "_urls",
        "exceptions",
        "_credentials",
    }
)

#: Units that may import the emulator.
EMULATOR_USERS = frozenset({"cli"})

#: Edges the layer map would allow, refused on purpose: unit -> unit, and
#: whether only run-time imports are refused (type hints allowed).
FORBIDDEN: dict[tuple[str, str], bool] = {
    ("storage", "bulk"): False,  # SkippedKey lives in models
    ("storage", "_client"): True,  # storage only lists keys
}

#: Lazy imports allowed: optional dependencies (extras) and the version.
LAZY_MAY = frozenset(
    {"click", "rich", "aiobotocore", "botocore", "importlib.metadata"}
)

#: Lazy imports of our own modules that stand for an extra: the module is
#: the boundary of an optional dependency, imported only once the extra is
#: known to be installed.  (source, target) -> the extra.
LAZY_BOUNDARIES: dict[tuple[str, str], str] = {
    ("maiu_async.cli", "maiu_async.cli._group"): "cli (click, rich)",
    (
        "maiu_async.cli._import_cmd",
        "maiu_async.cli._distributed_cmd",
    ): "dask (distributed)",
    # The emulator on a bare install, for `maiu-async emulator` only.
    ("maiu_async.cli", "maiu_async.cli._passthrough"): "none (the emulator)",
    # Each command's module, loaded by the group when it is invoked.
    **{
        ("maiu_async.cli._group", f"maiu_async.cli.{name}"): "cli (click)"
        for name in (
            "_analyze_cmd",
            "_assets_cmd",
            "_emulator_cmd",
            "_import_cmd",
            "_local",
            "_manage",
        )
    },
    # Rich, loaded only to draw on a terminal.
    ("maiu_async.cli._import_run", "maiu_async.cli._render"): "cli (rich)",
    ("maiu_async.cli._dryrun", "maiu_async.cli._render"): "cli (rich)",
}


@attrs.frozen
class Edge:
    """One import: who imports what, how, and where."""

    source: str
    target: str
    kind: str  # "runtime", "typing" or "lazy"
    line: int

    def __str__(self) -> str:
        return (
            f"{self.source} imports {self.target} ({self.kind}, "
            f"line {self.line})"
        )


def module_name(path: Path) -> str:
    """The dotted name of a file under the package."""
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {
    module_name(p): p
    for p in sorted(ROOT.rglob("*.py"))
    if "__pycache__" not in p.parts
}


def unit(module: str) -> str:
    """The layer-map unit of one of our modules."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def resolve(module: str, node: ast.ImportFrom) -> list[str]:
    """The modules a ``from ... import ...`` names (absolute, dotted)."""
    if node.level:
        is_package = MODULES[module].name == "__init__.py"
        base = module.split(".")
        base = base if is_package else base[:-1]
        base = base[: len(base) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    found = []
    for alias in node.names:
        submodule = f"{prefix}.{alias.name}"
        found.append(submodule if submodule in MODULES else prefix)
    return found


def is_type_checking(test: ast.expr) -> bool:
    """Whether an ``if`` test is ``TYPE_CHECKING``."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_by(module: str, node: ast.AST) -> list[str]:
    """The modules one statement or call imports (none for most)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        return resolve(module, node)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute | ast.Name)
        and getattr(node.func, "attr", getattr(node.func, "id", ""))
        == "import_module"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ):
        # importlib.import_module("..."): an import all the same.
        return [str(node.args[0].value)]
    return []


def edges_of(module: str) -> list[Edge]:
    """Every import statement of *module*, classified."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: list[Edge] = []

    def visit(node: ast.AST, kind: str) -> None:
        for child in ast.iter_child_nodes(node):
            child_kind = kind
            if isinstance(child, ast.If) and is_type_checking(child.test):
                for stmt in child.body:
                    visit_stmt(stmt, "typing" if kind == "runtime" else kind)
                for stmt in child.orelse:
                    visit_stmt(stmt, kind)
                continue
            if isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            ):
                child_kind = "lazy"
            visit_stmt(child, child_kind)

    def visit_stmt(node: ast.AST, kind: str) -> None:
        found.extend(
            Edge(module, target, kind, getattr(node, "lineno", 0))
            for target in imported_by(module, node)
        )
        visit(node, kind)

    visit(tree, "runtime")
    return list(dict.fromkeys(found))  # `from x import a, b`: one edge


EDGES = [edge for module in MODULES for edge in edges_of(module)]


def ours(target: str) -> bool:
    """Whether *target* is one of this package's modules."""
    return target == "maiu_async" or target.startswith("maiu_async.")


def lazy_violation(edge: Edge) -> str | None:
    """Why a lazy import breaks the rules, or None."""
    if (edge.source, edge.target) in LAZY_BOUNDARIES:
        return None
    if ours(edge.target):
        return (
            "a lazy import names our own module (only an optional "
            "dependency or the version may be imported lazily): it can "
            "hide a cycle"
        )
    if {edge.target, edge.target.split(".")[0]}.isdisjoint(LAZY_MAY):
        return (
            "a lazy import names only an optional dependency or "
            "importlib.metadata"
        )
    return None


def emulator_violation(source: str, target: str) -> str | None:
    """Why an import into or out of the emulator is refused, or None."""
    if target == "emulator" and source not in EMULATOR_USERS:
        return "only the CLI imports the emulator"
    if source == "emulator" and target not in EMULATOR_MAY:
        return f"the emulator imports only {sorted(EMULATOR_MAY)}"
    return None


def violation(edge: Edge) -> str | None:
    """Why *edge* breaks the layering, or None."""
    if edge.kind == "lazy":
        return lazy_violation(edge)
    if not ours(edge.target):
        return None
    source, target = unit(edge.source), unit(edge.target)
    missing = [name for name in (source, target) if name not in LAYERS]
    if missing:
        return f"{missing[0]} is not in the layer map (LAYERS)"
    if source == target:
        return None
    refused = FORBIDDEN.get((source, target))
    if refused is not None and (edge.kind == "runtime" or not refused):
        return f"{source} must not import {target}"
    if "emulator" in (source, target):
        return emulator_violation(source, target)
    if LAYERS[target] > LAYERS[source]:
        return (
            f"points up: layer {LAYERS[source]} ({source}) imports "
            f"layer {LAYERS[target]} ({target})"
        )
    return None


def runtime_cycles() -> list[list[str]]:
    """Cycles among our modules' run-time imports (module level)."""
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for edge in EDGES:
        if (
            edge.kind == "runtime"
            and edge.target in MODULES
            and edge.target != edge.source
        ):
            graph[edge.source].add(edge.target)
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                walk(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            walk(node)
    return cycles


def broken(area: str | None) -> list[str]:
    """The violations of modules in *area* (a unit), or of all."""
    return [
        f"{edge}: {why}"
        for edge in EDGES
        if (area is None or unit(edge.source) == area)
        and (why := violation(edge)) is not None
    ]


def test_the_parser_sees_every_kind_of_import():
    """The scan finds run-time, type-only and lazy imports of a module."""
    kinds = {(e.target, e.kind) for e in edges_of("maiu_async._client")}
    lazy = {(e.target, e.kind) for e in edges_of("maiu_async.cli")}

    assert ("maiu_async._resources.projects", "runtime") in kinds
    assert ("maiu_async._transport", "typing") in kinds
    assert ("maiu_async.cli._group", "lazy") in lazy


def test_every_module_is_placed():
    """Each unit of the package has a layer."""
    assert set() == {unit(m) for m in MODULES} - set(LAYERS)


def test_an_upward_import_is_caught():
    """The check itself: a model importing the client is refused."""
    edge = Edge("maiu_async.models", "maiu_async._client", "runtime", 1)
    lazy = Edge("maiu_async._resources.x", "maiu_async.bulk", "lazy", 1)

    assert "points up" in (violation(edge) or "")
    assert "hide a cycle" in (violation(lazy) or "")
    assert violation(attrs.evolve(edge, kind="typing")) is not None


def test_optional_dependencies_are_known():
    """The lazily importable extras are real modules of this environment."""
    assert all(
        importlib.util.find_spec(name.split(".")[0]) is not None
        for name in LAZY_MAY
    )


@pytest.mark.parametrize("area", sorted(LAYERS))
def test_imports_point_down(area):
    """No module of this unit imports upward, lazily or in a forbidden way."""
    assert [] == broken(area)


def test_no_runtime_cycles():
    """Run-time imports among our modules form no cycle."""
    assert [] == runtime_cycles()
