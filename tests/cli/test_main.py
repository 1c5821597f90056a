"""The command line's contract: exit codes, Indonesian messages, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nonasn_desktop import __version__
from nonasn_desktop.cli import main as cli_main
from nonasn_desktop.cli.main import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert __version__ in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["check"], "argumen berikut wajib diisi"),
        (["check", "nik"], "argumen berikut wajib diisi"),
        (["check", "nik", "1", "--sex", "X"], "pilihan tidak sah"),
        (["tidak-ada"], "pilihan tidak sah"),
        (["check", "eligibility", "--birth-date", "1990-01-01"], "--start-date"),
        (["check", "document", "--kind", "paspor", "x.jpg"], "pilihan tidak sah"),
        (["--bogus"], "argumen tidak dikenal"),
    ],
)
def test_usage_errors_exit_2_in_indonesian(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "penggunaan:" in err
    assert "Traceback" not in err


def test_a_bad_date_argument_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["check", "eligibility", "--birth-date", "31-02-1990", "--start-date", "2015-01-01"]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "--birth-date" in err
    assert "Traceback" not in err


def test_a_bug_is_logged_and_apologised_for(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    def explode(_args: object) -> int:
        raise RuntimeError("internal detail that must not reach the user")

    monkeypatch.setenv("NONASN_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(cli_main.check_cmd, "check_nik", explode)
    code = main(["check", "nik", "3171015708850003"])
    assert code == cli_main.EXIT_BUG
    err = capsys.readouterr().err
    assert "kesalahan tak terduga" in err
    assert "internal detail" not in err
    assert "Traceback" not in err


def test_python_dash_m_runs_the_same_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "nonasn_desktop", "check", "nik", "3171015708850003"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "sah" in result.stdout
