"""A read-only data folder: every command says so clearly and exits 1 (or 0 when it needs no
data folder), never a traceback and never exit 70; nothing in the folder changes.

How the folder is made read-only: the tests run as root in CI, and root ignores file
permissions, so ``chmod -R a-w`` proves nothing there. Each command therefore runs in a child
process inside its own mount namespace (``unshare -m``, or ``unshare -rm`` with a user
namespace when not root), where the data folder is bind-mounted onto itself read-only: the
kernel itself then refuses every write with EROFS, exactly as on a locked USB stick or a
read-only network share, for root too, and nothing outside the child sees the mount. Without
``unshare`` (or where namespaces are forbidden), a non-root run falls back to ``chmod -R a-w``;
otherwise the test is skipped with the reason (and fails in CI, where it must run).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers.batches import PASSPHRASE, prepared_data_folder
from helpers.tools import in_ci

Runner = Callable[[list[str]], subprocess.CompletedProcess[str]]

_READ_ONLY_MOUNT = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'


def _mount_prefix(folder: Path) -> list[str] | None:
    """The command prefix that runs a program with ``folder`` mounted read-only, if any works."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    for flags in (["-m"], ["-rm"]):
        prefix = [unshare, *flags, "sh", "-c", _READ_ONLY_MOUNT, str(folder)]
        probe = subprocess.run(
            [*prefix, "sh", "-c", f'! touch "{folder}/.probe" 2>/dev/null'],
            capture_output=True,
            check=False,
        )
        if probe.returncode == 0 and not (folder / ".probe").exists():
            return prefix
    return None


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with an office, its signing key and one approved record."""
    return prepared_data_folder(tmp_path_factory.mktemp("ro-template"), approved=1, seed=41)


@pytest.fixture
def read_only(template: Path, tmp_path: Path) -> tuple[Path, Runner]:
    folder = tmp_path / "data"
    shutil.copytree(template, folder)
    prefix = _mount_prefix(folder)
    if prefix is None:
        if os.geteuid() == 0:
            message = "cannot mount the data folder read-only (no unshare or no namespaces)"
            if in_ci():
                pytest.fail(message)
            pytest.skip(message)
        prefix = []
        for path in [folder, *folder.rglob("*")]:
            path.chmod(stat.S_IMODE(path.stat().st_mode) & ~0o222)
    env = {**os.environ, "NONASN_KEY_PASSPHRASE": PASSPHRASE}
    env.pop("NONASN_DATABASE_URL", None)

    def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "nonasn_desktop", "--data-dir", str(folder), *argv]
        return subprocess.run(
            [*prefix, *command], capture_output=True, text=True, env=env, timeout=120, check=False
        )

    return folder, run


@pytest.mark.parametrize(
    "argv",
    [
        ["roster", "lookup", "3273013003690001"],
        ["keys", "show"],
        ["batch", "list"],
        ["demo-data", "--count", "1"],
        ["report", "recap", "--out", "{folder}/rekap.xlsx"],
    ],
    ids=lambda argv: " ".join(argv[:2]),
)
def test_a_command_on_a_read_only_data_folder_says_so(
    read_only: tuple[Path, Runner], argv: list[str]
) -> None:
    folder, run = read_only
    before = _snapshot(folder)
    result = run([part.replace("{folder}", str(folder)) for part in argv])
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "Logging error" not in result.stderr
    assert "hanya dapat dibaca" in result.stderr
    assert "kesalahan tak terduga" not in result.stderr
    assert _snapshot(folder) == before


def test_commands_that_need_no_data_folder_still_work(
    read_only: tuple[Path, Runner], tmp_path: Path
) -> None:
    folder, run = read_only
    before = _snapshot(folder)
    result = run(["check", "nik", "3273013003690001"])
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # the log could not be written: silently skipped
    document = tmp_path / "kk.txt"
    document.write_text("bukan gambar")
    result = run(["check", "document", "--kind", "kk", str(document)])
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "TIDAK memenuhi" in result.stdout + result.stderr
    assert _snapshot(folder) == before
