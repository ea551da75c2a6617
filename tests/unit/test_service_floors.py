"""The services stand on three floors (docs/architecture.md, "Floors of services/").

Every import of one module of services/ by another counts, whatever the imported module
defines: a module that imports none stands on floor 1, and any other one floor above the
highest module of services/ it imports. Imports inside functions are refused: they hid cycles.

A use case is a public function that takes the session as a keyword argument (`def advance(*,
session, ...)`): what a front door calls. A module that imports a module with use cases is a
composer, and no module of services/ imports a composer: so a use case never runs inside
another's permission check, transaction and audit event, except where a composer says so.

What services/ stands on, store/ (records) and packets/ (building and printing packets),
imports nothing from services/, and store/ nothing from packets/: no arrow points back up.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import qualify

SRC = Path(qualify.__file__).parent
SERVICES = SRC / "services"
ARCHITECTURE = Path(__file__).parents[2] / "docs" / "architecture.md"
MOST_FLOORS = 3


def modules() -> dict[str, ast.Module]:
    return {
        path.stem: ast.parse(path.read_text(), filename=str(path))
        for path in sorted(SERVICES.glob("*.py"))
        if path.stem != "__init__"
    }


def imported_modules(tree: ast.Module, package: str) -> list[tuple[str, int, bool]]:
    """(dotted name imported, line, whether inside a function) for each import of a module of
    `package`'s project; `from a.b import c` gives both `a.b` and `a.b.c`, since c may be a
    module. Relative imports are resolved from `package`."""
    inside = {
        id(node)
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(function)
    }
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        found += [(name, node.lineno, id(node) in inside) for name in names]
    return found


def service_imports(tree: ast.Module, known: set[str]) -> list[tuple[str, int, bool]]:
    """(service module imported, line, whether inside a function) for each import of one."""
    found = []
    for name, line, inside in imported_modules(tree, "qualify.services"):
        parts = name.split(".")
        if parts[:2] == ["qualify", "services"] and len(parts) > 2 and parts[2] in known:
            found.append((parts[2], line, inside))
    return sorted(set(found))


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


def floors(graph: dict[str, set[str]]) -> dict[str, list[str]]:
    """For each module, its floors from the top: the module, then the highest module it
    imports, and so on down to one that imports none. The length of the list is the module's
    floor. `graph` has no cycle."""
    chains: dict[str, list[str]] = {}

    def chain(name: str) -> list[str]:
        if name not in chains:
            below = [chain(imported) for imported in sorted(graph[name])]
            chains[name] = [name, *max(below, key=len, default=[])]
        return chains[name]

    return {name: chain(name) for name in graph}


def chained_use_cases(graph: dict[str, set[str]], with_use_cases: set[str]) -> list[str]:
    """`importer -> composer -> use case` for each composer (a module importing a module with
    use cases) that a module of services/ imports: use cases chained through it."""
    return sorted(
        f"{importer} -> {composer} -> {used}"
        for importer, imported in graph.items()
        for composer in imported
        for used in sorted(graph[composer] & with_use_cases)
    )


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


def arrows_back_up(folder: str, refused: tuple[str, ...]) -> list[str]:
    """`path:line imports module` for each import, anywhere in src/qualify/FOLDER, of a module
    under one of the `refused` packages."""
    found = []
    for path in sorted((SRC / folder).rglob("*.py")):
        relative = path.relative_to(SRC.parent).with_suffix("")
        parts = list(relative.parts)
        package = ".".join(parts if path.stem == "__init__" else parts[:-1])
        tree = ast.parse(path.read_text(), filename=str(path))
        found += [
            f"{path.relative_to(SRC)}:{line} imports {name}"
            for name, line, _ in imported_modules(tree, package)
            if any(name == top or name.startswith(f"{top}.") for top in refused)
        ]
    return sorted(set(found))


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
    graph, _ = import_graph()
    assert find_cycle(graph) is None
    high = sorted(" -> ".join(c) for c in floors(graph).values() if len(c) > MOST_FLOORS)
    assert high == [], f"more than {MOST_FLOORS} floors of services/: " + "; ".join(high)


def test_a_use_case_is_imported_only_by_a_composer_that_nothing_imports() -> None:
    graph, with_use_cases = import_graph()
    assert {"advance", "panel", "results"} <= with_use_cases, "the scan is broken"
    chained = chained_use_cases(graph, with_use_cases)
    assert chained == [], "use cases chained through a composer: " + "; ".join(chained)


def test_the_architecture_puts_every_service_on_its_floor() -> None:
    graph, _ = import_graph()
    actual = {name: len(chain) for name, chain in floors(graph).items()}
    documented = documented_floors()
    wrong = {
        name: (documented.get(name), floor)
        for name, floor in sorted(actual.items())
        if documented.get(name) != floor
    }
    gone = sorted(set(documented) - set(actual))
    assert wrong == {}, "docs/architecture.md floors (documented, actual): " + str(wrong)
    assert gone == [], f"docs/architecture.md lists modules that are gone: {gone}"


def test_records_and_packets_import_nothing_from_above() -> None:
    """store/ (records) and packets/ stand under services/: neither imports from it, and
    store/ does not import packets/ (packets read records, not the other way round)."""
    assert arrows_back_up("store", ("qualify.services", "qualify.packets")) == []
    assert arrows_back_up("packets", ("qualify.services",)) == []
    # The scan sees the imports it looks for: packets/ does import store/.
    assert any(
        "packets/context.py" in found for found in arrows_back_up("packets", ("qualify.store",))
    )


def test_floors_are_counted_through_every_import() -> None:
    """The counting itself, on made-up modules: helpers over helpers are floors too, so a chain
    of five modules is five floors and names them all."""
    graph = {
        "demo": {"run"},
        "run": {"fire", "lookups"},
        "fire": {"lookups"},
        "lookups": {"clock"},
        "clock": set(),
    }
    chains = floors(graph)
    assert chains["clock"] == ["clock"]
    assert chains["lookups"] == ["lookups", "clock"]  # a helper on a helper is floor 2
    assert chains["demo"] == ["demo", "run", "fire", "lookups", "clock"]
    assert find_cycle(graph) is None
    assert find_cycle({**graph, "clock": {"run"}}) == ["clock", "run", "fire", "lookups", "clock"]
    # `run` imports the use case `fire`, so it composes; `demo` importing it chains use cases.
    assert chained_use_cases(graph, {"fire", "run"}) == ["demo -> run -> fire"]
    assert chained_use_cases(graph, {"run"}) == []
