"""The process the crash tests kill (run as a script), and how they kill it (imported).

    python tests/crash/crash_worker.py MODE DATA_DIR [ARGS...]

The worker works in a loop and reports each commit on stdout.
Every line it prints describes work that was committed (the database transaction returned)
before the line was written, so whatever the test reads before it sends SIGKILL must be in the
data after a restart. ``READY`` is printed once the data folder is open. Modes:

- ``save``: registrations saved through the flow's store (SqlFlowStore), a sample document
  uploaded now and then: ``SAVED <id> <counter>``, ``DOCUMENT <registration id> <id>``.
- ``roster FOLDER``: rosters of 200 people imported one file after another (one transaction
  each): ``IMPORTED <n>``; file n holds people 200·n … 200·n+199 of helpers.workbooks.
- ``export FOLDER``: two more records approved, then a batch exported into FOLDER:
  ``APPROVED <count>``, ``EXPORTED <sequence> <file name>``.
- ``restore A B``: the two archives restored in turn: ``RESTORED <archive>``.
- ``encrypt POINT``: the admin signs in to a plain folder, which is converted (encryption at
  rest); at the conversion's step POINT (or ``converted``: once the conversion returned, before
  the recovery key is shown) it prints ``AT <point>`` and waits to be killed. The recovery key
  the conversion makes is printed first: ``RECOVERY <key>``.
- ``migrate VERSIONS``: the data folder opened with one more migration, from VERSIONS, which
  prints ``MIGRATING`` and then takes its time; it never finishes.
"""

from __future__ import annotations

import itertools
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for helpers

ADMIN = "admin"
ADMIN_PASSWORD = "Rahasia2022"  # the crash tests' offices are made with this admin
PASSPHRASE = "frasa sandi kantor 2022"
ROSTER_ROWS = 200


WORKER = Path(__file__).resolve()


def _signed_in(ctx: object, username: str = ADMIN, password: str = ADMIN_PASSWORD) -> object:
    from nonasn_desktop.accounts.users import authenticate

    return authenticate(ctx, username, password).actor  # type: ignore[arg-type]


def report(line: str) -> None:
    print(line, flush=True)


# -- used by the tests -----------------------------------------------------------------------


def run_and_kill(
    args: list[str], *, after: str, delay: float, log: Path, timeout: float = 90
) -> list[str]:
    """Start the worker, wait for a line starting with ``after``, wait ``delay`` s, SIGKILL.

    Returns every complete line the worker wrote before it died. Raises AssertionError when
    the worker ends by itself (its stderr is in ``log``).
    """
    lines: queue.Queue[str | None] = queue.Queue()
    with log.open("ab") as errors:
        process = subprocess.Popen(
            [sys.executable, str(WORKER), *args],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
    assert process.stdout is not None
    stdout = process.stdout

    def pump() -> None:
        for line in stdout:
            if line.endswith("\n"):  # a line cut by the kill is not a report
                lines.put(line.strip())
        lines.put(None)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    try:
        while not (seen and seen[-1].startswith(after)):
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line is None:
                raise AssertionError(f"the worker ended by itself:\n{log.read_text()}")
            seen.append(line)
        time.sleep(delay)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        reader.join(timeout=30)
    while (line := lines.get()) is not None:
        seen.append(line)
    stdout.close()
    assert process.returncode == -signal.SIGKILL, f"exit {process.returncode}: {log.read_text()}"
    return seen


def save(data_dir: Path) -> None:
    from nonasn_desktop.demo.documents import make_sample_document
    from nonasn_desktop.flow.state import RegistrationState
    from nonasn_desktop.registration import documents
    from nonasn_desktop.registration.store import SqlFlowStore
    from nonasn_desktop.startup import open_app

    samples = [make_sample_document("ktp", seed=seed) for seed in range(3)]
    with open_app(data_dir) as ctx:
        admin = _signed_in(ctx)
        store = SqlFlowStore(ctx, actor=admin)  # type: ignore[arg-type]
        report("READY")
        state = RegistrationState()
        for counter in itertools.count(1):
            if counter % 7 == 1:
                state = RegistrationState()
            state.values["alamat"] = f"Jalan Merdeka No. {counter}"
            state.current_step = 1 + counter % 5
            state.registration_id = store.save_draft(state)
            report(f"SAVED {state.registration_id} {counter}")
            if counter % 3 == 0:
                data, name = samples[counter % len(samples)]
                upload = documents.offer_bytes(
                    ctx,
                    state.registration_id,
                    "ktp",
                    data,
                    name,
                    actor=admin,  # type: ignore[arg-type]
                )
                report(f"DOCUMENT {state.registration_id} {upload.document_id}")


def roster(data_dir: Path, folder: Path) -> None:
    from helpers.workbooks import header_of, people, rows_of, write_csv
    from nonasn_desktop.roster.importing import import_roster
    from nonasn_desktop.startup import open_app

    with open_app(data_dir) as ctx:
        report("READY")
        for number in itertools.count():
            path = folder / f"daftar-{number}.csv"
            if not path.exists():
                write_csv(path, [header_of(), *rows_of(people(ROSTER_ROWS, ROSTER_ROWS * number))])
            result = import_roster(ctx, path, actor=_signed_in(ctx))  # type: ignore[arg-type]
            report(f"IMPORTED {number}" if result.imported == ROSTER_ROWS else f"PARTIAL {number}")


def export(data_dir: Path, folder: Path) -> None:
    from nonasn_desktop.batch.export import export_batch
    from nonasn_desktop.demo import generate as demo
    from nonasn_desktop.rules.status import RecordStatus
    from nonasn_desktop.startup import open_app

    with open_app(data_dir) as ctx:
        # helpers.batches makes the office with the admin of helpers.accounts.
        admin = _signed_in(ctx, "admin", "rahasia123")
        report("READY")
        for round_number in itertools.count(1):
            made = demo.generate(
                ctx, 2, RecordStatus.DISETUJUI, seed=round_number * 1000 + 7, actor=admin
            )
            report(f"APPROVED {made.created}")
            result = export_batch(ctx, folder, passphrase=PASSPHRASE, actor=admin)
            report(f"EXPORTED {result.sequence} {result.file.name}")


def restore(data_dir: Path, first: Path, second: Path) -> None:
    from nonasn_desktop.backup.restore import restore_backup
    from nonasn_desktop.storage.datadir import DataDir

    report("READY")
    for archive in itertools.cycle((first, second)):
        restore_backup(DataDir(data_dir), archive)
        report(f"RESTORED {archive.name}")


def migrate(data_dir: Path, versions: Path) -> None:
    import os

    from nonasn_desktop.startup import open_app
    from nonasn_desktop.storage import upgrade
    from nonasn_desktop.storage.database import alembic_config

    def with_slow_migration() -> object:
        config = alembic_config()
        installed = Path(config.get_main_option("script_location") or "") / "versions"
        config.set_main_option("version_locations", f"{installed}{os.pathsep}{versions}")
        return config

    upgrade.alembic_config = with_slow_migration  # type: ignore[assignment]
    # Where the release's newest revision is named for a quick start, it is this one now.
    upgrade.HEAD_REVISION = "9999_slow"  # type: ignore[attr-defined]
    report("READY")
    open_app(data_dir).close()
    report("MIGRATED")  # never reached: the test kills the process first


def encrypt(data_dir: Path, point: Path) -> None:
    """An admin signs in to a plain folder of an older version, which converts it; at the
    conversion's step ``point`` the worker says ``AT <point>`` and waits to be killed."""
    from helpers.accounts import ADMIN_PASSWORD
    from nonasn_desktop import startup
    from nonasn_desktop.crypto import keyslots
    from nonasn_desktop.storage import convert

    real = convert.convert
    new_recovery_key = keyslots.new_recovery_key

    def reported_recovery_key() -> bytes:
        made = new_recovery_key()
        report(f"RECOVERY {keyslots.format_recovery_key(made)}")
        return made

    def pause(step: str) -> None:
        if step == point.name:
            report(f"AT {step}")
            time.sleep(60)

    def convert_pausing(folder: object, **_options: object) -> object:
        return real(folder, checkpoint=pause)  # type: ignore[arg-type]

    convert.convert = convert_pausing  # type: ignore[assignment]
    keyslots.new_recovery_key = reported_recovery_key
    report("READY")
    startup.unlock(data_dir, ADMIN, ADMIN_PASSWORD)
    pause("converted")  # the key is in hand and not yet on any screen
    report("ENCRYPTED")  # never reached: the test kills the process first


def main(argv: list[str]) -> int:
    mode, data_dir, *rest = argv
    paths = [Path(value) for value in rest]
    modes = {
        "save": save,
        "roster": roster,
        "export": export,
        "restore": restore,
        "migrate": migrate,
        "encrypt": encrypt,
    }
    modes[mode](Path(data_dir), *paths)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
