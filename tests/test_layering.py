"""The core (everything but gui/) must never import Qt, and the GUI must not use the ORM."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "nonasn_desktop"
QT_MODULES = ("PySide6", "shiboken6", "PyQt5", "PyQt6")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _core_files() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if "gui" not in p.relative_to(PACKAGE).parts]


@pytest.mark.parametrize("path", _core_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_never_imports_qt(path: Path) -> None:
    offending = {name for name in _imports(path) if name.split(".")[0] in QT_MODULES}
    assert not offending, f"{path} imports {offending}"


def test_gui_never_touches_the_orm() -> None:
    for path in (PACKAGE / "gui").rglob("*.py"):
        names = _imports(path)
        offending = {
            n for n in names if n.startswith(("sqlalchemy", "nonasn_desktop.storage", "alembic"))
        }
        assert not offending, f"{path} imports {offending}; go through nonasn_desktop.services"
