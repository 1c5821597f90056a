"""The size of the code's pieces (issue 9): no module over 600 lines, no function over 80 lines
unless the comment right above it says why ("# Long: ...").

A module that grows past the limit is split along its jobs; a function, into named steps. There
are no standing exceptions: the only escape is the reason written above a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "nonasn_desktop"
MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 80
REASON = "# Long:"


def _sources() -> list[Path]:
    return [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in path.relative_to(PACKAGE).parts
    ]


def _explained(lines: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    above = lines[first - 2].strip() if first >= 2 else ""
    return above.startswith(REASON)


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_and_function_sizes(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert len(lines) <= MAX_FILE_LINES, (
        f"{len(lines)} lines (at most {MAX_FILE_LINES}): split along its jobs"
    )
    too_long = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        assert node.end_lineno is not None
        length = node.end_lineno - node.lineno + 1
        if length > MAX_FUNCTION_LINES and not _explained(lines, node):
            too_long.append(
                f"{node.name} ({length} lines, at most {MAX_FUNCTION_LINES}, line {node.lineno})"
            )
    assert not too_long, f"split into named steps, or say why above it ({REASON} …): {too_long}"
