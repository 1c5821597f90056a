"""Opening the files the centre is handed (batches, signatures, keys) safely.

A path given to the centre may be anything: a symlink to ``/dev/zero`` (an endless read that
would hash or load forever), a FIFO (an open that blocks for ever), a directory. Each file is
therefore opened without blocking and checked, on the open descriptor (no race between the check
and the read), to be a regular file before a byte of it is read; small files are read with a
bound, so a hostile path costs neither unbounded time nor memory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from nonasn_desktop.errors import UserError

# Opening a FIFO for reading blocks until a writer appears; non-blocking it returns at once (and
# the check below refuses it). Regular files ignore the flag. Windows has no FIFOs and no flag.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


class SpecialFileError(UserError):
    """A path names something other than a regular file (device, FIFO, folder, socket)."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "sebuah folder"
    if stat.S_ISFIFO(mode):
        return "sebuah pipa (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "sebuah perangkat"
    if stat.S_ISSOCK(mode):
        return "sebuah soket"
    return "bukan berkas biasa"


def open_regular(path: Path, what: str) -> BinaryIO:
    """``path`` opened for binary reading, refused unless it is a regular file.

    ``what`` names the file for the message ("Berkas batch", "Kunci publik"…). A missing file
    raises FileNotFoundError (callers word that themselves); other failures a UserError.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise
    except IsADirectoryError:
        raise SpecialFileError(
            f"{what} {path} adalah sebuah folder, bukan berkas.",
            hint="Berikan jalur ke berkasnya sendiri.",
        ) from None
    except OSError as exc:
        raise UserError(f"{what} {path} tidak dapat dibuka ({exc.strerror}).") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise SpecialFileError(
                f"{what} {path} adalah {_kind(mode)}, bukan berkas biasa; tidak dibaca.",
                hint="Berikan jalur ke berkas yang sebenarnya (bukan pintasan ke perangkat).",
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bounded(path: Path, limit: int, what: str) -> bytes:
    """The bytes of the regular file ``path``; refused when it holds more than ``limit``."""
    with open_regular(path, what) as stream:
        try:
            data = stream.read(limit + 1)
        except OSError as exc:
            raise UserError(f"{what} {path} tidak dapat dibaca ({exc.strerror}).") from None
    if len(data) > limit:
        raise UserError(
            f"{what} {path} terlalu besar (lebih dari {limit} bita); tidak dibaca.",
            hint="Periksa apakah berkas yang diberikan memang berkas yang dimaksud.",
        )
    return data
