"""The shape of the code, as tests: which package may import which, no import cycles, no Qt
below ``gui/``, no ORM in ``gui/``.

``ALLOWED`` is the map a newcomer reads to see how the parts stand on each other. A change
that needs a new arrow adds it here, in the same commit, where a reviewer sees it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "nonasn_desktop"
ROOT = "nonasn_desktop"
QT_MODULES = ("PySide6", "shiboken6", "PyQt5", "PyQt6")
ORM_MODULES = ("sqlalchemy", "alembic")

# Modules at the top of the package that everything may use: the exception families, the
# atomic file writer and the version.
FOUNDATION = frozenset({"errors", "atomicfile", "__init__"})

# package -> the packages (or top-level modules) it may import, besides FOUNDATION.
ALLOWED: dict[str, frozenset[str]] = {
    # Pure: policy as data, rules, the Qt-free flow, cryptography, spreadsheet reading.
    "policy": frozenset(),
    "crypto": frozenset(),
    "rules": frozenset({"policy"}),
    "flow": frozenset({"policy", "rules", "crypto"}),
    # Reading a spreadsheet within the bounds of forms/roster_file.toml (policy.model).
    "sheets": frozenset({"policy"}),
    # Storage and the open application.
    "storage": frozenset({"crypto", "rules"}),
    "core": frozenset({"policy", "storage"}),
    # Feature packages: operations over storage.
    "accounts": frozenset({"core", "crypto", "policy", "rules", "storage"}),
    "central": frozenset({"crypto", "rules", "sheets", "storage"}),
    "office": frozenset({"accounts", "central", "core", "crypto", "rules", "storage"}),
    "roster": frozenset({"accounts", "core", "policy", "rules", "sheets", "storage"}),
    # accounts: every operation checks its clerk (accounts.authz).
    "printing": frozenset({"accounts", "core", "office", "policy", "rules", "storage"}),
    "registration": frozenset(
        {"accounts", "core", "flow", "office", "policy", "roster", "rules", "storage"}
    ),
    "reports": frozenset({"accounts", "core", "office", "roster", "rules", "sheets", "storage"}),
    "verval": frozenset({"accounts", "core", "flow", "policy", "registration", "rules", "storage"}),
    # policy: the limits on an archive that is verified or restored (forms/backup_limits.toml).
    "backup": frozenset({"accounts", "core", "crypto", "office", "policy", "rules", "storage"}),
    "batch": frozenset(
        {
            "accounts",
            "central",
            "core",
            "crypto",
            "office",
            "printing",
            "registration",
            "rules",
            "storage",
        }
    ),
    # Field laptops: enrolment and refresh (devices), transfer files back to the office.
    "devices": frozenset(
        {"accounts", "central", "core", "crypto", "office", "policy", "rules", "storage"}
    ),
    "transfer": frozenset(
        {
            "accounts",
            "central",
            "core",
            "crypto",
            "devices",
            "flow",
            "office",
            "policy",
            "registration",
            "rules",
            "storage",
        }
    ),
    "demo": frozenset(
        {
            "accounts",
            "core",
            "crypto",
            "flow",
            "office",
            "policy",
            "registration",
            "roster",
            "rules",
            "verval",
        }
    ),
    # Opening a data folder, and the installation's self-test.
    # accounts: unlocking the folder uses sign-in's brake and converts after signing in.
    "startup": frozenset(
        {"accounts", "backup", "core", "crypto", "office", "policy", "rules", "storage"}
    ),
    "selftest": frozenset(
        {
            "accounts",
            "backup",
            "core",
            "crypto",
            "demo",
            "office",
            "policy",
            "printing",
            "registration",
            "rules",
            "startup",
            "storage",
        }
    ),
    "applog": frozenset(),
    # The two faces: the command line and the Qt layer.
    "cli": frozenset(
        {
            "accounts",
            "applog",
            "backup",
            "batch",
            "central",
            "core",
            "crypto",
            "demo",
            "devices",
            "gui",
            "office",
            "policy",
            "printing",
            "reports",
            "roster",
            "rules",
            "selftest",
            "sheets",
            "startup",
            "storage",
            "transfer",
        }
    ),
    "gui": frozenset(
        {
            "accounts",
            "applog",
            "backup",
            "batch",
            "core",
            "demo",
            "devices",
            "flow",
            "office",
            "policy",
            "printing",
            "registration",
            "reports",
            "roster",
            "rules",
            "startup",
            "transfer",
            "verval",
        }
    ),
    "__main__": frozenset({"cli"}),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([ROOT, *parts])


def _imports(path: Path) -> set[str]:
    """Every module this file imports, at module level or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    package = _module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else None
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = _module_name(path) if path.name == "__init__.py" else package or ROOT
                base = ".".join(base.split(".")[: len(base.split(".")) - node.level + 1])
                module = f"{base}.{module}" if module else base
            names.add(module)
            # "from nonasn_desktop.x import y" may name a module y.
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _source_files() -> Iterator[Path]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" not in path.relative_to(PACKAGE).parts:
            yield path


def _top(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _known_modules() -> set[str]:
    return {_module_name(path) for path in PACKAGE.rglob("*.py")}


def _core_files() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if "gui" not in p.relative_to(PACKAGE).parts]


@pytest.mark.parametrize("path", _core_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_never_imports_qt(path: Path) -> None:
    offending = {name for name in _imports(path) if name.split(".")[0] in QT_MODULES}
    assert not offending, f"{path} imports {offending}"


def test_gui_never_touches_the_orm() -> None:
    for path in (PACKAGE / "gui").rglob("*.py"):
        names = _imports(path)
        offending = {n for n in names if n.startswith((*ORM_MODULES, "nonasn_desktop.storage"))}
        assert not offending, f"{path} imports {offending}; use the operations"


@pytest.mark.parametrize("package", ["policy", "rules", "flow", "crypto", "sheets"])
def test_pure_packages_never_touch_storage(package: str) -> None:
    for path in (PACKAGE / package).rglob("*.py"):
        offending = {
            n for n in _imports(path) if n.startswith((*ORM_MODULES, "nonasn_desktop.storage"))
        }
        assert not offending, f"{path} imports {offending}"


def test_every_package_is_in_the_map() -> None:
    tops = {_top(path) for path in _source_files()} - FOUNDATION
    assert tops == set(ALLOWED), "add the new package to ALLOWED (or remove the stale entry)"


@pytest.mark.parametrize("path", list(_source_files()), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_map(path: Path) -> None:
    own = _top(path)
    if own in FOUNDATION:
        allowed: frozenset[str] = frozenset()
    else:
        allowed = ALLOWED[own]
    known = _known_modules()
    offending = set()
    for name in _imports(path):
        if not name.startswith(ROOT + ".") or name not in known:
            continue
        target = name.split(".")[1]
        if target in FOUNDATION or target == own:
            continue
        if target not in allowed:
            offending.add(name)
    assert not offending, f"{path.relative_to(PACKAGE)} ({own}) may not import {offending}"


def test_no_import_cycles() -> None:
    """No module reaches itself through imports, lazy ones inside functions included."""
    known = _known_modules()
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        name = _module_name(path)
        targets = {n for n in _imports(path) if n in known and n != name}
        # Importing a submodule runs its package's __init__, which is not a cycle of ours.
        graph[name] = {t for t in targets if not name.startswith(t + ".")}

    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            assert cycle is None, "import cycle: " + " -> ".join(cycle)
