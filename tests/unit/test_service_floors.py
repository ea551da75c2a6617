"""The services stand on three floors (docs/architecture.md, "Floors of services/").

A use case is a public function that takes the session as a keyword argument (`def advance(*,
session, ...)`): what a front door calls. A helper module defines none and imports only
helpers. Helpers are floor 1; a module with use cases stands one floor above the highest
non-helper it imports, so use cases that import only helpers are floor 2 and a module that
composes use cases is floor 3. Imports inside functions count, and are refused: they hid
cycles.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import qualify.services

SERVICES = Path(qualify.services.__file__).parent
ARCHITECTURE = Path(__file__).parents[2] / "docs" / "architecture.md"
MOST_FLOORS = 3


def modules() -> dict[str, ast.Module]:
    return {
        path.stem: ast.parse(path.read_text(), filename=str(path))
        for path in sorted(SERVICES.glob("*.py"))
        if path.stem != "__init__"
    }


def service_imports(tree: ast.Module, known: set[str]) -> list[tuple[str, int, bool]]:
    """(module imported, line, whether inside a function) for each import of a service."""
    inside = {
        id(node)
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(function)
    }
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "qualify.services":
                names = [alias.name for alias in node.names]
            elif node.module.startswith("qualify.services."):
                names = [node.module.split(".")[2]]
        elif isinstance(node, ast.Import):
            names = [
                alias.name.split(".")[2]
                for alias in node.names
                if alias.name.startswith("qualify.services.")
            ]
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            names = [node.module.split(".")[0]] if node.module else [a.name for a in node.names]
        found += [(name, node.lineno, id(node) in inside) for name in names if name in known]
    return found


def use_cases(tree: ast.Module) -> list[str]:
    """The module's use cases: public functions taking the session as a keyword argument."""
    return [
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and not node.name.startswith("_")
        and any(arg.arg == "session" for arg in node.args.kwonlyargs)
    ]


def import_graph() -> tuple[dict[str, set[str]], set[str]]:
    """Each service module's imports of other service modules, and the modules with use cases."""
    trees = modules()
    graph = {
        name: {imported for imported, _, _ in service_imports(tree, set(trees))} - {name}
        for name, tree in trees.items()
    }
    return graph, {name for name, tree in trees.items() if use_cases(tree)}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of imports (its modules, the first repeated at the end), or None."""
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> list[str] | None:
        if name in path:
            return [*path[path.index(name) :], name]
        if name in done:
            return None
        for imported in sorted(graph[name]):
            cycle = visit(imported, [*path, name])
            if cycle:
                return cycle
        done.add(name)
        return None

    for name in sorted(graph):
        cycle = visit(name, [])
        if cycle:
            return cycle
    return None


def floors(graph: dict[str, set[str]], with_use_cases: set[str]) -> dict[str, list[str]]:
    """For each module, its floors from the top: the module, then the highest non-helper it
    imports, and so on down; helpers are floor 1 (a module with use cases that imports only
    helpers stands on them, floor 2). The length of the list is the module's floor. `graph`
    has no cycle."""
    helper: dict[str, bool] = {}

    def is_helper(name: str) -> bool:
        if name not in helper:
            helper[name] = name not in with_use_cases and all(map(is_helper, graph[name]))
        return helper[name]

    chains: dict[str, list[str]] = {}

    def chain(name: str) -> list[str]:
        if name not in chains:
            if is_helper(name):
                chains[name] = [name]
            else:
                below = [chain(d) for d in sorted(graph[name]) if not is_helper(d)]
                chains[name] = [name, *max(below, key=len, default=["helpers"])]
        return chains[name]

    return {name: chain(name) for name in graph}


def documented_floors() -> dict[str, int]:
    """The floor docs/architecture.md puts each module on: bullets `- **Floor N...`, each
    listing its modules in backticks (the bullet may run over several lines)."""
    placed: dict[str, int] = {}
    floor = None
    for line in ARCHITECTURE.read_text().splitlines():
        heading = re.match(r"- \*\*Floor (\d)", line)
        if heading:
            floor = int(heading.group(1))
        elif not line.startswith("  "):
            floor = None
        if floor is not None:
            for name in re.findall(r"`([a-z_]+)`", line):
                placed[name] = floor
    return placed


def test_no_service_is_imported_inside_a_function() -> None:
    trees = modules()
    hidden = [
        f"services/{name}.py:{line} imports {imported} inside a function"
        for name, tree in trees.items()
        for imported, line, inside in service_imports(tree, set(trees))
        if inside
    ]
    assert hidden == [], "import it at the top of the module: " + "; ".join(hidden)


def test_the_services_import_one_another_without_a_cycle() -> None:
    graph, _ = import_graph()
    cycle = find_cycle(graph)
    assert cycle is None, "services import in a cycle: " + " -> ".join(cycle or [])


def test_no_service_stands_higher_than_the_third_floor() -> None:
    graph, with_use_cases = import_graph()
    assert find_cycle(graph) is None
    chains = floors(graph, with_use_cases)
    high = sorted(" -> ".join(c) for c in chains.values() if len(c) > MOST_FLOORS)
    assert high == [], (
        f"more than {MOST_FLOORS} floors (a use case imports one that imports another): "
        + "; ".join(high)
    )


def test_the_architecture_puts_every_service_on_its_floor() -> None:
    graph, with_use_cases = import_graph()
    actual = {name: len(chain) for name, chain in floors(graph, with_use_cases).items()}
    documented = documented_floors()
    wrong = {
        name: (documented.get(name), floor)
        for name, floor in sorted(actual.items())
        if documented.get(name) != floor
    }
    gone = sorted(set(documented) - set(actual))
    assert wrong == {}, "docs/architecture.md floors (documented, actual): " + str(wrong)
    assert gone == [], f"docs/architecture.md lists modules that are gone: {gone}"


def test_floors_are_counted_through_use_cases_down_to_a_helper() -> None:
    """The counting itself, on made-up modules: a composer over a use case over a helper is
    three floors; one more use case in between makes four, and the chain names them."""
    graph = {
        "demo": {"run"},
        "run": {"fire", "lookups"},
        "fire": {"lookups"},
        "lookups": {"clock"},
        "clock": set(),
    }
    chains = floors(graph, with_use_cases={"demo", "run", "fire"})
    assert chains["lookups"] == ["lookups"]  # a helper on a helper is still floor 1
    assert chains["fire"] == ["fire", "helpers"]
    assert chains["demo"] == ["demo", "run", "fire", "helpers"]
    assert find_cycle(graph) is None
    assert find_cycle({**graph, "clock": {"run"}}) == ["clock", "run", "fire", "lookups", "clock"]
    # A module without use cases that imports one is not a helper: it composes.
    assert floors({"script": {"run"}, "run": set()}, {"run"})["script"] == [
        "script",
        "run",
        "helpers",
    ]
