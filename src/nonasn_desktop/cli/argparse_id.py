"""argparse that speaks Indonesian and exits 2 on every usage error.

argparse looks its messages up through ``argparse._`` (gettext) each time it needs one, so
replacing that name with a small catalogue translates usage errors and help headings without
copying any of argparse. Messages not in the catalogue stay English rather than break.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

_CATALOGUE = {
    "usage: ": "penggunaan: ",
    "positional arguments": "argumen",
    "options": "pilihan",
    "show this help message and exit": "tampilkan bantuan ini lalu keluar",
    "the following arguments are required: %s": "argumen berikut wajib diisi: %s",
    "unrecognized arguments: %s": "argumen tidak dikenal: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "pilihan tidak sah: %(value)r (pilih salah satu: %(choices)s)"
    ),
    "expected one argument": "perlu satu nilai",
    "expected at least one argument": "perlu paling sedikit satu nilai",
    "invalid %(type)s value: %(value)r": "nilai tidak sah: %(value)r",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "not allowed with argument %s": "tidak boleh dipakai bersama %s",
    "ambiguous option: %(option)s could match %(matches)s": (
        "pilihan %(option)s bisa berarti %(matches)s"
    ),
    "%(prog)s: error: %(message)s\n": "%(prog)s: kesalahan: %(message)s\n",
    "show program's version number and exit": "tampilkan versi program lalu keluar",
}


def _translate(message: str) -> str:
    return _CATALOGUE.get(message, message)


argparse._ = _translate  # type: ignore[attr-defined]  # see module docstring

USAGE_ERROR = 2


class ArgumentParser(argparse.ArgumentParser):
    """Usage errors print the usage and an Indonesian message to stderr and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(USAGE_ERROR, f"{self.prog}: kesalahan: {message}\n")


class UsageError(Exception):
    """An argument that argparse accepted but that makes no sense (exit 2)."""
