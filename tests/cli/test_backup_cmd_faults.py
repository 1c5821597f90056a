"""``nonasn`` on a hostile machine: special files as backups, a read-only data folder, a full or
vanished backup drive. Each ends in a clear message and exit 1, never a traceback or exit 70."""

from __future__ import annotations

import builtins
import errno
import io
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from helpers.accounts import actor_for
from helpers.commands import PLAIN_INIT, run
from nonasn_desktop import atomicfile
from nonasn_desktop.cli.main import EXIT_BUG, main
from nonasn_desktop.demo import generate as demo
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.startup import open_app

# --plain: these check the plain archive format; encrypted backups have their own tests.
INIT = PLAIN_INIT


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("template") / "data"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NONASN_ADMIN_PASSWORD", "rahasia123")
        assert main(["--data-dir", str(folder), *INIT]) == 0
    with open_app(folder) as ctx:
        demo.generate(ctx, 2, RecordStatus.DRAF, seed=3, actor=actor_for(ctx))
    return folder


@pytest.fixture
def data(template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(template, folder)
    capsys.readouterr()
    return folder


def _tree(folder: Path) -> dict[str, int]:
    """The data (the command's own log lines aside)."""
    return {
        str(p.relative_to(folder)): p.stat().st_size
        for p in folder.rglob("*")
        if p.is_file() and p.parent.name != "logs"
    }


# -- special files given as a backup ----------------------------------------------------------


def _symlink_to_dev_zero(tmp_path: Path) -> Path:
    link = tmp_path / "cadangan.zip"
    link.symlink_to("/dev/zero")
    return link


def _fifo(tmp_path: Path) -> Path:
    fifo = tmp_path / "pipa.zip"
    os.mkfifo(fifo)
    return fifo


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "folder.zip"
    folder.mkdir()
    return folder


SPECIAL: dict[str, tuple[Callable[[Path], Path], str]] = {
    "symlink-to-dev-zero": (_symlink_to_dev_zero, "bukan berkas biasa"),
    "fifo": (_fifo, "bukan berkas biasa"),
    "directory": (_folder, "adalah folder"),
}


@pytest.mark.skipif(os.name != "posix", reason="/dev/zero and FIFOs are POSIX")
@pytest.mark.parametrize("kind", sorted(SPECIAL))
def test_a_special_file_as_backup_is_refused_up_front(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    make, expected = SPECIAL[kind]
    path = make(tmp_path)
    before = _tree(data)
    # A FIFO with no writer would block a reader forever: the test passing is the proof.
    code, _out, err = run(["backup", "verify", str(path)], capsys)
    assert (code, expected in err) == (1, True), err
    code, _out, err = run(["backup", "restore", str(path), "--ya", "--data-dir", str(data)], capsys)
    assert (code, expected in err) == (1, True), err
    assert "Traceback" not in err
    assert _tree(data) == before


# -- a read-only data folder ----------------------------------------------------------------------


def _read_only(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Every write under ``folder`` fails as on a read-only mount (EROFS), even removing a file
    that is not there; running as root, permission bits would not stop anything."""
    root = str(folder.resolve())

    def inside(path: Any) -> bool:
        try:
            return str(Path(os.fsdecode(path)).absolute()).startswith(root)
        except TypeError:
            return False

    def refuse(path: Any) -> None:
        raise OSError(errno.EROFS, "Read-only file system", os.fsdecode(path))

    def guard(real: Callable[..., Any], *, write_flags: bool = False) -> Callable[..., Any]:
        def guarded(path: Any, *args: Any, **kwargs: Any) -> Any:
            flags = args[0] if args else kwargs.get("flags", 0)
            writes = not write_flags or flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
            if inside(path) and writes:
                refuse(path)
            return real(path, *args, **kwargs)

        return guarded

    for name in ("unlink", "remove", "mkdir", "rmdir", "chmod"):
        monkeypatch.setattr(os, name, guard(getattr(os, name)))
    monkeypatch.setattr(os, "open", guard(os.open, write_flags=True))
    for name in ("replace", "rename"):
        monkeypatch.setattr(os, name, guard(getattr(os, name)))
    real_open = builtins.open

    def open_guarded(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if inside(file) and any(flag in mode for flag in "wax+"):
            refuse(file)
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", open_guarded)
    monkeypatch.setattr(io, "open", open_guarded)


READ_ONLY_COMMANDS = [
    ["batch", "list"],
    ["backup", "daily"],
    ["backup", "create", "{out}"],
    ["demo-data", "--count", "1"],
    ["cards", "--all", "--out", "{out}/kartu.pdf"],
]


@pytest.mark.parametrize("command", READ_ONLY_COMMANDS, ids=" ".join)
def test_a_read_only_data_folder_is_a_clear_message(
    data: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
) -> None:
    out = tmp_path / "keluar"
    out.mkdir()
    argv = [part.replace("{out}", str(out)) for part in command]
    _read_only(monkeypatch, data)
    code, _out, err = run(["--data-dir", str(data), *argv], capsys)
    assert code in (1, 2), err
    assert code != EXIT_BUG
    assert "Traceback" not in err
    assert "tidak dapat ditulis" in err


def test_restore_into_a_read_only_data_folder_changes_nothing(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "cadangan.zip"
    assert run(["backup", "create", str(archive), "--data-dir", str(data)], capsys)[0] == 0
    before = _tree(data)
    _read_only(monkeypatch, data)
    code, _out, err = run(
        ["backup", "restore", str(archive), "--ya", "--data-dir", str(data)], capsys
    )
    monkeypatch.undo()
    assert code == 1, err
    assert "tidak dapat ditulis" in err
    assert _tree(data) == before


# -- a full or vanished backup drive ------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (errno.ENOSPC, "penuh"),  # the USB stick is full
        (errno.EIO, "Input/output error"),  # the USB stick was pulled out while writing
    ],
)
def test_a_backup_drive_that_fails_while_writing_leaves_no_partial_archive(
    data: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    error: int,
    expected: str,
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()

    def fail(_fd: int) -> None:
        raise OSError(error, os.strerror(error))

    # The archive is complete in the drive's cache; making it durable is what fails.
    monkeypatch.setattr(atomicfile.os, "fsync", fail)
    code, _out, err = run(["backup", "create", str(usb), "--data-dir", str(data)], capsys)
    monkeypatch.undo()
    assert code == 1, err
    assert expected in err
    assert "tidak ada berkas cadangan setengah jadi" in err
    assert "Traceback" not in err
    assert list(usb.iterdir()) == []
