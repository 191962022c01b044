"""The tree's rules, read from the source: dependencies run one way, no import cycle, rooms stay small.

Every import counts, those inside functions too: a cycle hidden in a function body is
still a cycle.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "organisatrice"
# The domain apps below emails: they never reach up into it (or into the API).
LOWER_APPS = ("orders", "documents", "people", "clients", "deliverability")
UPPER_APPS = ("emails", "api", "devtools", "sentcopy")
# Apps above emails: they may import it, never the other way round.
ABOVE_EMAILS = ("sentcopy",)
# The rooms of emails, in the order they may import each other: each only those before it.
ROOMS = ("templating", "message", "outbox", "delivery", "composer", "archive")
ROOM_MAX_LINES = 350


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    return {_module_name(path): path for path in (ROOT / PACKAGE).rglob("*.py") if "migrations" not in path.parts}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The project's modules that a module imports, relative imports resolved."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            # `from package import module` imports the module.
            targets = [module, *(f"{module}.{alias.name}" for alias in node.names)]
        else:
            continue
        found.update(target for target in targets if target in known)
    found.discard(name)
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    sources = _sources()
    known = set(sources)
    return {name: _imports(name, path, known) for name, path in sources.items()}


def test_the_domain_apps_do_not_import_emails_or_the_api(graph):
    wrong = [
        f"{module} imports {target}"
        for module, targets in graph.items()
        if module.split(".")[1:2] and module.split(".")[1] in LOWER_APPS
        for target in targets
        if target.split(".")[1] in UPPER_APPS
    ]
    assert wrong == []


def test_emails_does_not_import_the_apps_above_it(graph):
    wrong = [
        f"{module} imports {target}"
        for module, targets in graph.items()
        if module.split(".")[1:2] == ["emails"]
        for target in targets
        if target.split(".")[1:2] and target.split(".")[1] in ABOVE_EMAILS
    ]
    assert wrong == []


def test_a_room_imports_only_the_rooms_before_it(graph):
    def room_of(module: str) -> int | None:
        parts = module.split(".")
        if parts[1:2] == ["emails"] and len(parts) > 2 and parts[2] in ROOMS:
            return ROOMS.index(parts[2])
        return None

    wrong = [
        f"{module} imports {target}"
        for module, targets in graph.items()
        if (room := room_of(module)) is not None
        for target in targets
        if (other := room_of(target)) is not None and other > room
    ]
    assert wrong == []


def test_no_import_cycle(graph):
    cycles: list[list[str]] = []
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_rooms_modules_stay_small():
    too_long = {
        str(path.relative_to(ROOT)): lines
        for room in ROOMS
        for path in (ROOT / PACKAGE / "emails" / room).rglob("*.py")
        if (lines := len(path.read_text().splitlines())) > ROOM_MAX_LINES
    }
    assert too_long == {}


def test_the_layout_test_sees_the_imports(graph):
    # The rules above are only as good as the graph: it must know real edges.
    assert any(
        "organisatrice.orders.services" in targets
        for module, targets in graph.items()
        if module.startswith("organisatrice.emails.outbox")
    )
    assert "organisatrice.emails.policy" in graph["organisatrice.emails.composer.selectors"]
