"""Pictures of the application for the README and for reviewing the look: ``make screenshots``.

``python -m nonasn_desktop.gui.screenshots OUT_DIR [--records N] [--scale F] [--check]`` builds a
scratch data folder (an office of Kota Bandung, an admin, an operator, a verifikator and ``N``
synthetic registrations in several statuses), then saves 1366×768 PNGs of the main screens
(``01_masuk.png`` …) and of every wizard page
(:func:`nonasn_desktop.gui.wizard.screenshots.render_all_pages`, ``page_<nn>_<slug>.png``).
Dialogs are drawn over their dimmed window, as the clerk sees them. Nothing outside the scratch
folder and ``OUT_DIR`` is touched.

``--scale 1.5`` is a laptop whose display is set to 150 % (``QT_SCALE_FACTOR``): the windows
get the 911×512 logical pixels such a screen has, and the pictures stay 1366×768 pixels.
Every screen pictured is inspected by :func:`nonasn_desktop.gui.layout_audit.audit` (text cut
or elided, widgets overlapping or outside the window); the findings are printed, and with
``--check`` any finding makes the exit code 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nonasn_desktop.gui.laptop_screen import SCALE_VARIABLE, SIZE, scale_factor, window_size

if TYPE_CHECKING:
    from nonasn_desktop.gui.main_window import MainWindow

DEFAULT_RECORDS = 120
OFFICE_CODE = "3273"
OFFICE_NAME = "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kota Bandung"
INSTANSI_NAME = "Pemerintah Kota Bandung"
PASSWORD = "Rahasia2022"  # noqa: S105 - demo accounts of a scratch folder, thrown away
TIMEOUT = 60.0
# Share of each status among the demo registrations (the rest are finished ones).
STATUS_SHARES = (
    ("DRAF", 0.12),
    ("AKUN_DIBUAT", 0.18),
    ("DISETUJUI", 0.2),
    ("PERLU_PERBAIKAN", 0.1),
    ("PENDAFTARAN_SELESAI", 0.4),
)


def _use_scale(factor: float | None) -> None:
    """Ask Qt for ``factor`` scaling; only possible before the QApplication exists."""
    if factor is None:
        return
    if factor <= 0:
        raise SystemExit("--scale must be positive")
    if "PySide6.QtWidgets" in sys.modules:
        from PySide6.QtWidgets import QApplication

        if QApplication.instance() is not None and abs(scale_factor() - factor) > 1e-6:
            raise SystemExit("--scale must be chosen before Qt starts (run a new process)")
    os.environ[SCALE_VARIABLE] = f"{factor:g}"


def _use_offscreen_laptop_screen(scratch: Path) -> None:
    """Without a chosen platform: offscreen, with one 1366×768 screen (as a BKD laptop)."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return
    config = scratch / "screen.json"
    screen = {"name": "laptop", "x": 0, "y": 0, "width": SIZE[0], "height": SIZE[1]}
    screen |= {"logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}
    config.write_text(json.dumps({"screens": [screen]}), encoding="utf-8")
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m nonasn_desktop.gui.screenshots",
        description="Save 1366x768 pictures of the application's screens.",
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=None,
        help="display scaling to picture, e.g. 1.5 for 150%% (default: QT_SCALE_FACTOR or 1)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit with 1 when any text is cut or widgets overlap",
    )
    parser.add_argument("out_dir", type=Path, help="folder for the PNG files")
    parser.add_argument(
        "--records",
        type=int,
        default=DEFAULT_RECORDS,
        help=f"demo registrations to create (default {DEFAULT_RECORDS}, at least 5)",
    )
    args = parser.parse_args(list(argv))
    if args.records < len(STATUS_SHARES):
        parser.error(f"--records must be at least {len(STATUS_SHARES)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Render every picture into ``OUT_DIR``; 0 when all were saved."""
    args = _parse(sys.argv[1:] if argv is None else argv)
    _use_scale(args.scale)
    with tempfile.TemporaryDirectory(prefix="nonasn-screenshots-") as scratch:
        _use_offscreen_laptop_screen(Path(scratch))
        saved, problems = _render(Path(scratch), args.out_dir, args.records)
    for path in saved:
        print(path)
    print(f"{len(saved)} gambar disimpan di {args.out_dir}")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} masalah tata letak (skala {scale_factor():g})", file=sys.stderr)
    return 1 if problems and args.check else 0


def _render(scratch: Path, out_dir: Path, records: int) -> tuple[list[Path], list[str]]:
    """The pictures saved and the layout problems found in them."""
    # PySide6 is imported only now, after the platform was chosen.
    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QApplication

    from nonasn_desktop.gui import theme

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(["nonasn-screenshots"])
    saved_style = (app.style().name(), app.palette(), app.styleSheet(), app.font())
    theme.apply_theme(app)
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        screens = _Screens(app, scratch, out_dir)
        return screens.all(records), screens.problems
    finally:
        QThreadPool.globalInstance().waitForDone(30_000)
        name, palette, sheet, font = saved_style
        app.setStyle(name)
        app.setPalette(palette)
        app.setStyleSheet(sheet)
        app.setFont(font)


class _Screens:
    def __init__(self, app: object, scratch: Path, out_dir: Path) -> None:
        self.app = app
        self.scratch = scratch
        self.out_dir = out_dir
        self.saved: list[Path] = []
        self.problems: list[str] = []

    # -- helpers ---------------------------------------------------------------------------

    def wait(self, predicate: Callable[[], bool], timeout: float = TIMEOUT) -> None:
        from PySide6.QtCore import QEventLoop
        from PySide6.QtWidgets import QApplication

        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError("the screen did not get ready in time")
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            time.sleep(0.01)

    def settle(self) -> None:
        from PySide6.QtWidgets import QApplication

        for _ in range(6):
            QApplication.processEvents()
            time.sleep(0.01)

    def show(self, widget: Any) -> Any:
        widget.resize(*window_size())
        widget.show()
        self.wait(widget.isVisible)
        self.settle()
        return widget

    def save(self, name: str, window, dialog=None) -> Path:  # type: ignore[no-untyped-def]
        """Save ``window`` (with ``dialog`` over its centre, the window dimmed) as ``name``."""
        from nonasn_desktop.gui.wizard.screenshots import picture_of

        self.settle()
        self.inspect(name, window)
        if dialog is not None:
            self.settle()
            self.inspect(name, dialog)
        picture = picture_of(window, dialog)
        path = self.out_dir / name
        if not picture.save(str(path)):
            raise OSError(f"cannot write {path}")
        self.saved.append(path)
        return path

    def inspect(self, name: str, widget) -> None:  # type: ignore[no-untyped-def]
        """Note what :func:`~nonasn_desktop.gui.layout_audit.audit` finds in ``widget``."""
        from PySide6.QtCore import QSize

        from nonasn_desktop.gui.layout_audit import audit

        screen = QSize(*window_size())
        self.problems.extend(f"{name}: {finding}" for finding in audit(widget, screen))

    def workspace_window(self, window: MainWindow) -> MainWindow:
        """A signed-in main window on screen, its daily backup done and its note cleared."""
        self.show(window)
        runner = window.daily_backup
        if runner is not None:
            self.wait(lambda: not runner.running)
        window.statusBar().clearMessage()
        return window

    def close(self, *widgets) -> None:  # type: ignore[no-untyped-def]
        for widget in widgets:
            widget.close()
            widget.deleteLater()
        self.settle()

    # -- the data --------------------------------------------------------------------------

    def prepare(self, ctx, records: int) -> dict:  # type: ignore[no-untyped-def,type-arg]
        from nonasn_desktop.accounts import users
        from nonasn_desktop.demo import generate as demo
        from nonasn_desktop.office import identity as office
        from nonasn_desktop.rules.roles import Role
        from nonasn_desktop.rules.status import RecordStatus

        office.initialise(
            ctx,
            office_code=OFFICE_CODE,
            office_name=OFFICE_NAME,
            instansi_name=INSTANSI_NAME,
        )
        users.create_first_admin(
            ctx, username="admin", full_name="Rina Kurniasih, S.Kom.", password=PASSWORD
        )
        admin = users.authenticate(ctx, "admin", PASSWORD)
        for username, full_name, role in (
            ("operator", "Asep Hidayat", Role.OPERATOR),
            ("verifikator", "Dewi Lestari, S.H.", Role.VERIFIKATOR),
        ):
            users.create_user(
                ctx,
                username=username,
                full_name=full_name,
                role=role,
                password=PASSWORD,
                actor=admin.actor,
            )
        accounts = {
            name: users.authenticate(ctx, name, PASSWORD)
            for name in ("admin", "operator", "verifikator")
        }
        left = records
        for index, (status, share) in enumerate(STATUS_SHARES):
            last = index == len(STATUS_SHARES) - 1
            count = left if last else max(1, round(records * share))
            left -= count
            demo.generate(ctx, count, RecordStatus[status], actor=admin.actor, seed=2022 + index)
        return accounts

    # -- the pictures ----------------------------------------------------------------------

    def all(self, records: int) -> list[Path]:
        from nonasn_desktop.gui.wizard.screenshots import render_all_pages
        from nonasn_desktop.startup import open_app

        self.first_start()
        ctx = open_app(self.scratch / "data", create=True)
        try:
            accounts = self.prepare(ctx, records)
            self.sign_in(ctx)
            self.workspace(ctx, accounts)
            self.verval(ctx, accounts["verifikator"])
            self.roster_import(ctx, accounts["admin"])
            self.saved.extend(
                render_all_pages(
                    ctx,
                    accounts["operator"],
                    self.out_dir,
                    inspect=self.inspect,
                    roster_admin=accounts["admin"].actor,
                )
            )
        finally:
            from PySide6.QtCore import QThreadPool

            QThreadPool.globalInstance().waitForDone(30_000)
            ctx.close()
        return self.saved

    def first_start(self) -> None:
        """The first start of a new data folder, over the sign-in page."""
        from nonasn_desktop.gui.first_start import FirstStartDialog
        from nonasn_desktop.gui.main_window import MainWindow
        from nonasn_desktop.startup import open_app

        ctx = open_app(self.scratch / "new", create=True)
        try:
            window = self.show(MainWindow(ctx))
            dialog = FirstStartDialog(ctx, window)
            dialog.show()
            self.wait(dialog.isVisible)
            self.save("02_mulai_pertama.png", window, dialog)
            self.close(dialog, window)
        finally:
            ctx.close()

    def sign_in(self, ctx) -> None:  # type: ignore[no-untyped-def]
        from nonasn_desktop.gui.main_window import MainWindow

        window = self.show(MainWindow(ctx))
        window.sign_in_page.reset("operator")
        self.save("01_masuk.png", window)
        self.close(window)

    def workspace(self, ctx, accounts: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
        from nonasn_desktop.gui.about import AboutDialog
        from nonasn_desktop.gui.admin_dialogs import SettingsDialog, UsersDialog
        from nonasn_desktop.gui.main_window import MainWindow

        operator = self.workspace_window(MainWindow(ctx, accounts["operator"]))
        self.save("04_daftar_operator.png", operator)
        self.close(operator)

        window = self.workspace_window(MainWindow(ctx, accounts["admin"]))
        board = window.dashboard
        if board.model.rowCount() > 2:
            board.view.selectRow(2)
        self.save("03_daftar_admin.png", window)
        for name, dialog in (
            ("05_tentang.png", AboutDialog(ctx, window)),
            ("06_pengguna.png", UsersDialog(ctx, accounts["admin"], window)),
            ("07_pengaturan.png", SettingsDialog(ctx, accounts["admin"], window)),
        ):
            dialog.show()
            self.wait(dialog.isVisible)
            self.save(name, window, dialog)
            self.close(dialog)
        self.card_preview(ctx, window, accounts["admin"].actor)
        self.close(window)

    def card_preview(self, ctx, window, actor) -> None:  # type: ignore[no-untyped-def]
        """The account card of a finished registration in the print preview."""
        from nonasn_desktop.gui.main_window import FINISHED
        from nonasn_desktop.gui.print_preview import PrintPreviewDialog
        from nonasn_desktop.printing import printouts
        from nonasn_desktop.registration import records

        finished = next(
            row
            for status in FINISHED
            for row in records.search(ctx, records.RecordQuery(status=status), 0, 1, actor=actor)
        )
        for name, title, make in (
            (
                "08_kartu_informasi_akun.png",
                "Cetak Kartu Informasi Akun",
                printouts.account_card_pdf,
            ),
            (
                "09_informasi_pendaftaran.png",
                "Cetak Informasi Pendaftaran",
                printouts.registration_info_pdf,
            ),
        ):
            dialog = PrintPreviewDialog(
                make(ctx, finished.id, actor=actor),
                title=title,
                suggested_name="contoh.pdf",
                parent=window,
            )
            dialog.show()
            first_page = dialog.pages[0]
            self.wait(lambda: first_page.rendered_zoom == dialog.zoom)  # noqa: B023
            self.save(name, window, dialog)
            self.close(dialog)

    def verval(self, ctx, verifier) -> None:  # type: ignore[no-untyped-def]
        from nonasn_desktop.gui.verval import VervalWindow

        window = self.show(VervalWindow(ctx, verifier))
        self.wait(lambda: window.viewer.current is not None)
        self.save("10_verval.png", window)
        self.close(window)

    def roster_import(self, ctx, admin) -> None:  # type: ignore[no-untyped-def]
        """The outcome of importing a roster file with one refused row."""
        from nonasn_desktop.gui.main_window import MainWindow
        from nonasn_desktop.gui.roster_dialogs import RosterImportDialog

        path = _demo_roster(self.scratch / "daftar-dinas-pendidikan.xlsx", size=24)
        window = self.workspace_window(MainWindow(ctx, admin))
        dialog = RosterImportDialog(ctx, admin, path, window)
        finished: list[object] = []
        dialog.done_with.connect(finished.append)
        dialog.run()
        dialog.show()
        self.wait(lambda: bool(finished))
        self.save("11_impor_daftar.png", window, dialog)
        self.close(dialog, window)


def _demo_roster(path: Path, size: int) -> Path:
    """A roster workbook as a unit would send it: ``size`` people, one NIK typed short."""
    import random

    from openpyxl import Workbook

    from nonasn_desktop.demo.people import PersonFactory

    headers = {
        "nik": "NIK",
        "nama": "Nama Lengkap",
        "tempat_lahir": "Tempat Lahir",
        "tanggal_lahir": "Tanggal Lahir",
        "jenis_kelamin": "Jenis Kelamin",
        "unit_kerja": "Unit Kerja",
        "jabatan": "Jabatan",
        "tmt": "TMT",
        "sumber_gaji": "Sumber Gaji",
        "gaji_bulanan": "Gaji per Bulan",
    }
    factory = PersonFactory(random.Random(7), home=OFFICE_CODE)  # noqa: S311 - demo data
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Data"
    sheet.append(["DAFTAR TENAGA NON-ASN DINAS PENDIDIKAN KOTA BANDUNG"])
    sheet.append(list(headers.values()))
    for index in range(size):
        person = factory.make()
        values = {**person.values, **person.work_history[0]}
        row = [values.get(key, "") for key in headers]
        if index == size // 2:
            row[0] = row[0][:15]  # one digit lost while typing
        sheet.append(row)
    book.save(path)
    return path


if __name__ == "__main__":
    sys.exit(main())
