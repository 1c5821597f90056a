"""Running the command line in the test's own process, as a clerk types it."""

from __future__ import annotations

import pytest

from nonasn_desktop.cli.main import main

# An office set up as `nonasn init` makes it, its admin's password from NONASN_ADMIN_PASSWORD
# (encrypted, as every new folder is); PLAIN_INIT with --plain for the tests of the plain
# formats (encrypted folders have their own tests).
INIT = [
    "init",
    "--office-code",
    "3273",
    "--office-name",
    "BKD Kota Bandung",
    "--admin",
    "admin",
]
PLAIN_INIT = [*INIT, "--plain"]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The exit code, standard output and standard error of ``nonasn ARGV``."""
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err
