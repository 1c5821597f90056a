"""Cheap checks of build.spec (the real proof is `make build` then `dist/nonasn/nonasn self-test`).

The spec is read as Python source, never run: running it needs PyInstaller and minutes.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "build.spec"


@pytest.fixture(scope="module")
def source() -> str:
    return SPEC.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def tree_function(source: str) -> object:
    """The spec's own ``tree`` helper, compiled alone."""
    module = ast.parse(source)
    function = next(
        node for node in module.body if isinstance(node, ast.FunctionDef) and node.name == "tree"
    )
    namespace: dict[str, object] = {"Path": Path}
    exec(compile(ast.Module([function], []), str(SPEC), "exec"), namespace)  # noqa: S102
    return namespace["tree"]


def _constant(source: str, name: str) -> object:
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} not found in build.spec")


def test_the_spec_is_python(source: str) -> None:
    ast.parse(source)


def test_forms_resources_and_migrations_are_bundled_where_the_code_looks(source: str) -> None:
    assert 'tree(ROOT / "forms", "nonasn_desktop/forms")' in source
    assert 'tree(ROOT / "resources", "nonasn_desktop/resources")' in source
    assert 'tree(PACKAGE / "storage" / "migrations", "nonasn_desktop/storage/migrations")' in source


def test_tree_lists_every_policy_file_and_migration_script(tree_function: object) -> None:
    assert callable(tree_function)
    forms = tree_function(ROOT / "forms", "nonasn_desktop/forms")
    names = {Path(src).name for src, _dest in forms}
    expected = {p.name for p in (ROOT / "forms").iterdir() if p.is_file() and p.suffix != ".pyc"}
    assert names == expected
    assert {"__init__.py", "fields.toml", "wilayah.csv"} <= names
    migrations = tree_function(
        ROOT / "src" / "nonasn_desktop" / "storage" / "migrations",
        "nonasn_desktop/storage/migrations",
    )
    bundled = {(Path(src).name, dest) for src, dest in migrations}
    assert ("env.py", "nonasn_desktop/storage/migrations") in bundled
    versions = ROOT / "src" / "nonasn_desktop" / "storage" / "migrations" / "versions"
    for script in versions.glob("*.py"):
        assert (script.name, "nonasn_desktop/storage/migrations/versions") in bundled
    assert not [src for src, _ in migrations if "__pycache__" in src or src.endswith(".pyc")]
    fonts = tree_function(ROOT / "resources", "nonasn_desktop/resources")
    assert ("nonasn_desktop/resources/fonts") in {dest for _src, dest in fonts}
    # The Indonesian texts of Qt's own dialogs, where gui/translations.py looks for them.
    assert (str(ROOT / "resources" / "i18n" / "qt_id.qm"), "nonasn_desktop/resources/i18n") in fonts


@pytest.mark.parametrize(
    "needed",
    [
        'collect_data_files("stdnum", includes=["**/*.dat"])',
        'collect_data_files("reportlab")',
        '"sqlalchemy.dialects.sqlite"',
        '"_cffi_backend"',
        'collect_submodules("phonenumbers.data")',
        'collect_submodules("alembic"',
        'collect_submodules("reportlab"',
        'collect_submodules(\n        "nonasn_desktop"',
    ],
)
def test_what_the_hooks_miss_is_named(source: str, needed: str) -> None:
    assert needed in source


def test_unused_qt_modules_and_toolkits_are_excluded(source: str) -> None:
    excludes = _excluded(source)
    for module in (
        "tkinter",
        "PySide6.QtWebEngineCore",
        "PySide6.Qt3DCore",
        "PySide6.QtMultimedia",
        "PySide6.QtQml",
        "PySide6.QtQuick",
        "pytest",
        "phonenumbers.geodata",
    ):
        assert module in excludes
    for used in ("PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtSvg"):
        assert used not in excludes
    assert "PySide6.QtPrintSupport" not in excludes


def _excluded(source: str) -> set[str]:
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "excludes" for t in node.targets
        ):
            return set(ast.literal_eval(node.value))
    raise AssertionError("excludes not found")


def test_the_plugins_the_app_needs_are_not_pruned(source: str) -> None:
    unwanted = _constant(source, "UNWANTED")
    assert isinstance(unwanted, tuple)
    for needed in (
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/qwindows.dll",
        "PySide6/Qt/plugins/imageformats/libqjpeg.so",
        "PySide6/Qt/plugins/imageformats/qjpeg.dll",
        "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
        "PySide6/Qt/plugins/printsupport/libcupsprintersupport.so",
    ):
        assert not needed.startswith(unwanted), needed


def test_same_command_builds_on_windows(source: str) -> None:
    """No absolute or Linux-only paths; platform differences only behind sys.platform."""
    strings = [
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    for text in strings:
        assert not re.match(r"^(/usr|/lib|/opt|/home|[A-Za-z]:\\)", text), text
        assert "\\" not in text, text
    assert "sys.platform" in source
    # Two programs on Windows: a console one for IT staff, a windowed one for clerks.
    assert "name=NAME, console=True" in source
    assert 'name=f"{NAME}-gui", console=False' in source


def test_make_build_runs_the_spec() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\t$(BIN)/pyinstaller --noconfirm build.spec" in makefile
    assert "\tdist/nonasn/nonasn self-test" in makefile
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'build = \["pyinstaller>=', pyproject)
