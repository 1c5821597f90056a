"""Pictures of every wizard page, for ``make screenshots`` and for reviewing the look.

:func:`render_all_pages` walks one synthetic person through the real wizard (real services,
real checks, the captcha read from the flow) in a window as large as a 1366×768 laptop screen
(at the display scaling of the process, ``QT_SCALE_FACTOR``) and saves one 1366×768 PNG per
page, ``page_<nn>_<slug>.png``, plus the dialogs of steps 11 and 23 over their page and the
before/after dialog of "Perbaiki otomatis". Run it on a scratch data folder: it adds a roster
entry and a registration.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import struct
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QPoint, QRect, QThreadPool
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QComboBox, QWidget

from nonasn_desktop.accounts.authz import Actor
from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.demo.documents import make_sample_document
from nonasn_desktop.demo.people import DemoPerson, PersonFactory
from nonasn_desktop.flow.machine import RegistrationFlow
from nonasn_desktop.gui import theme
from nonasn_desktop.gui.laptop_screen import SIZE, window_size
from nonasn_desktop.gui.wizard.documents import DocumentPicker
from nonasn_desktop.gui.wizard.pages.registration import WorkHistoryPage
from nonasn_desktop.gui.wizard.window import WizardWindow
from nonasn_desktop.office import identity as office
from nonasn_desktop.roster import entries as roster
from nonasn_desktop.rules.formatting import parse_date, parse_money

PASSWORD = "Contoh2022"  # noqa: S105 - a demo account's password, shown nowhere
ANSWER = "Bandung"
TIMEOUT = 60.0
# Called with a picture's file name and each window in it, before the picture is taken.
Inspect = Callable[[str, QWidget], None]


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", title.casefold()).strip("_")


def _wait(predicate: Callable[[], bool], timeout: float = TIMEOUT) -> None:
    """Run the event loop until ``predicate`` holds (background checks, layouts)."""
    app = QApplication.instance()
    assert app is not None
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the wizard did not get there in time")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)


def _settle() -> None:
    """Let posted layout and paint requests run before a picture is taken."""
    app = QApplication.instance()
    assert app is not None
    for _ in range(5):
        app.processEvents()
        time.sleep(0.01)


def _padded_jpeg(data: bytes, size: int) -> bytes:
    """A JPEG grown to ``size`` bytes with comment segments (a scan saved too large)."""
    need = size - len(data)
    segments = []
    while need > 0:
        payload = min(need - 4, 65_000) if need > 4 else 0
        segments.append(b"\xff\xfe" + struct.pack(">H", payload + 2) + b"#" * payload)
        need -= payload + 4
    return data[:2] + b"".join(segments) + data[2:]


def _person(ctx: AppContext) -> DemoPerson:
    """An eligible synthetic person with one SK, not yet on the roster."""
    home = office.get_office(ctx)
    regency = home.code[:4] if home is not None and home.code[:4].isdigit() else None
    factory = PersonFactory(random.Random(2022), home=regency)  # noqa: S311 - demo data
    while True:
        person = factory.make()
        first = parse_date(person.work_history[0]["tmt"], "tmt")
        single = len(person.work_history) == 1
        if single and first < dt.date(2020, 1, 1) and roster.lookup(ctx, person.nik) is None:
            return person


def _add_to_roster(ctx: AppContext, person: DemoPerson, admin: Actor) -> None:
    values, work = person.values, person.work_history[0]
    roster.add_entry(
        ctx,
        roster.RosterInput(
            nik=values["nik"],
            nama=values["nama"],
            tempat_lahir=values["tempat_lahir"],
            tanggal_lahir=parse_date(values["tanggal_lahir"], "tanggal_lahir"),
            jenis_kelamin=values["jenis_kelamin"],
            unit_kerja=work["unit_kerja"],
            jabatan=work["jabatan"],
            tmt=parse_date(work["tmt"], "tmt"),
            sumber_gaji=work["sumber_gaji"],
            gaji_bulanan=parse_money(work["gaji_bulanan"], "gaji_bulanan"),
            source="screenshots",
        ),
        actor=admin,
    )


class _Walker:
    def __init__(
        self, window: WizardWindow, out_dir: Path, files: Path, inspect: Inspect | None = None
    ) -> None:
        self.window = window
        self.out_dir = out_dir
        self.files = files
        self.inspect = inspect
        self.saved: list[Path] = []

    @property
    def flow(self) -> RegistrationFlow:
        return self.window.flow

    def fill(self, values: dict[str, str]) -> None:
        page = self.window.current_page
        for key, raw in values.items():
            editor = page.editors.get(key)
            if editor is None or not raw:
                continue
            editor.set_raw(raw)
            editor.commit()

    def press(self, word: str) -> None:
        button = self.window.current_page.buttons[word]
        button.click()
        _wait(lambda: not self.window.busy)

    def attach(self, kind: str, path: Path) -> DocumentPicker:
        picker = self.window.current_page.pickers[kind]
        picker.choose_file(path)
        _wait(lambda: not picker.busy)
        return picker

    def sample(self, kind: str) -> Path:
        data, name = make_sample_document(kind, seed=3)
        path = self.files / name
        path.write_bytes(data)
        return path

    def captcha(self) -> None:
        challenge = self.flow.captcha_challenge()
        if challenge is not None:
            self.fill({"captcha": challenge.text})

    def shot(self, overlay: QWidget | None = None, suffix: str = "") -> Path:
        _settle()
        step = self.flow.step if overlay is None else self.flow.policy.step(self.flow.current_step)
        name = f"page_{step.number:02d}{suffix}_{_slug(step.title)}.png"
        if self.inspect is not None:
            self.inspect(name, self.window)
            if overlay is not None:
                self.inspect(name, overlay)
        picture = picture_of(self.window, overlay)
        path = self.out_dir / name
        picture.save(str(path))
        self.saved.append(path)
        return path

    def answer(self, yes: bool) -> None:
        _wait(lambda: self.window.confirm_dialog is not None)
        dialog = self.window.confirm_dialog
        assert dialog is not None
        self.shot(dialog)
        word = "Iya" if yes else "Tidak"
        dialog.buttons[word].click()
        _wait(lambda: self.window.confirm_dialog is None and not self.window.busy)


def picture_of(window: QWidget, dialog: QWidget | None = None) -> QPixmap:
    """``window`` as the clerk sees it: with ``dialog`` over its centre and the window dimmed.

    At most 1366×768 pixels: a window of 911 logical pixels at 150 % is 1366.5 pixels wide.
    """
    _settle()
    picture = QPixmap(window.grab())
    if dialog is not None:
        _settle()
        shade = dialog.grab()
        painter = QPainter(picture)
        painter.fillRect(picture.rect(), QColor(20, 30, 45, 110))
        # The painter works in logical pixels; the pixmaps measure device pixels.
        ratio = picture.devicePixelRatio() or 1.0
        size = picture.size() / ratio
        at = QPoint(
            max(0, int((size.width() - shade.width() / ratio) / 2)),
            max(0, int((size.height() - shade.height() / ratio) / 2.5)),
        )
        painter.drawPixmap(at, shade)
        painter.end()
    if picture.width() > SIZE[0] or picture.height() > SIZE[1]:
        picture = picture.copy(
            QRect(0, 0, min(picture.width(), SIZE[0]), min(picture.height(), SIZE[1]))
        )
    return picture


def _walk(walker: _Walker, person: DemoPerson) -> None:
    _create_account(walker, person)
    _sign_in(walker, person)
    _register(walker, person)


def _create_account(walker: _Walker, person: DemoPerson) -> None:
    """Pages 1 to 12: identity, roster data, password, KTP and photo, the account made."""
    values = person.values
    walker.shot()  # 1
    walker.press("Buat Akun")
    walker.fill({k: values[k] for k in walker.flow.policy.step(2).fields})
    walker.shot()  # 2, with what the NIK says
    walker.press("Cek Data")
    walker.fill({"email": values.get("email", "")})
    walker.shot()  # 3, roster beside typed data
    walker.press("Lanjutkan")
    walker.fill(
        {
            "kata_sandi": PASSWORD,
            "kata_sandi_ulang": PASSWORD,
            "pertanyaan_pengaman": "kota_orang_tua",
            "jawaban_pengaman": ANSWER,
        }
    )
    walker.shot()  # 5
    walker.press("Lanjutkan")
    _ktp_and_photo(walker)
    walker.press("Lanjutkan")
    if walker.flow.current_step == 7:
        walker.shot()
        walker.captcha()
        walker.press("Lanjutkan")
    walker.shot()  # 9
    walker.press("Proses Pembuatan Akun")
    walker.answer(True)  # 11
    walker.shot()  # 12
    walker.press("Lanjutkan Pendaftaran")


def _ktp_and_photo(walker: _Walker) -> None:
    """Page 6: a KTP scan too big (230 KB) fixed by "Perbaiki otomatis", then a pas foto."""
    ktp = walker.sample("ktp")
    too_big = walker.files / "ktp_scan_230kb.jpg"
    too_big.write_bytes(_padded_jpeg(ktp.read_bytes(), 230 * 1024))
    picker = walker.attach("ktp", too_big)
    walker.attach("pas_foto", walker.sample("pas_foto"))
    walker.shot(suffix="a")  # 6, a KTP of 230 KB: "Perbaiki otomatis" offered
    picker.fix()
    _wait(lambda: picker.copy_dialog is not None or not picker.busy)
    if picker.copy_dialog is not None:
        walker.shot(picker.copy_dialog, suffix="b")
        picker.copy_dialog.use_button.click()
        _wait(lambda: not picker.busy)
    walker.shot(suffix="c")  # 6, both documents passed


def _sign_in(walker: _Walker, person: DemoPerson) -> None:
    """Page 13: the login, with a look at "Lupa Kata Sandi" first."""
    walker.shot()  # 13
    login = walker.window.current_page
    login.buttons["Lupa Kata Sandi"].click()
    dialog = getattr(login, "dialog", None)
    if dialog is not None:
        walker.shot(dialog, suffix="b")  # 13, "Lupa Kata Sandi"
        dialog.reject()
        _wait(lambda: getattr(login, "dialog", None) is None)
    walker.fill({"login_nik": person.values["nik"], "login_kata_sandi": PASSWORD})
    walker.press("Lanjutkan Login Pendaftaran")


def _register(walker: _Walker, person: DemoPerson) -> None:
    """Pages 15 to 24: biodata, work history, the review, the declaration and the card."""
    window, values = walker.window, person.values
    walker.fill({k: values.get(k, "") for k in walker.flow.policy.step(15).fields})
    for kind in ("ijazah", "kk", "swafoto"):
        walker.attach(kind, walker.sample(kind))
    walker.shot()  # 15
    walker.press("Lanjutkan")
    if walker.flow.current_step == 16:
        walker.captcha()
        walker.shot()
        walker.press("Selanjutnya")
    page = window.current_page
    assert isinstance(page, WorkHistoryPage)
    entry = page.cards[0]
    for key, raw in person.work_history[0].items():
        if raw:
            entry.editors[key].set_raw(raw)
            entry.editors[key].commit()
    walker.fill({"masih_aktif": values["masih_aktif"], "bentuk_sk": values["bentuk_sk"]})
    walker.attach("sk_jabatan", walker.sample("sk_jabatan"))
    walker.attach("bukti_gaji", walker.sample("bukti_gaji"))
    walker.shot()  # 17
    walker.press("Selanjutnya")
    walker.shot()  # 19
    walker.press("Periksa Kembali")
    declaration = window.current_page.findChild(QWidget, "pernyataan")
    if declaration is not None:
        declaration.click()  # type: ignore[attr-defined]
    walker.shot()  # 21
    walker.press("Akhiri Proses Pendaftaran")
    walker.answer(True)  # 23
    layout = window.current_page.findChild(QComboBox, "layout_kartu")
    if layout is not None:
        layout.setCurrentIndex(0)
    walker.shot()  # 24


def _not_registered(
    ctx: AppContext, user: UserInfo, out_dir: Path, person: DemoPerson, inspect: Inspect | None
) -> Path:
    """Step 3 for a NIK the Admin Instansi did not register: the portal's message."""
    window = WizardWindow(ctx, user)
    try:
        window.resize(*window_size())
        window.show()
        _wait(window.isVisible)
        walker = _Walker(window, out_dir, out_dir, inspect)
        walker.press("Buat Akun")
        walker.fill({k: person.values[k] for k in walker.flow.policy.step(2).fields})
        walker.press("Cek Data")
        walker.press("Lanjutkan")  # refused: the message stays
        return walker.shot(suffix="b")
    finally:
        window.close()


def render_all_pages(
    ctx: AppContext,
    user: UserInfo,
    out_dir: Path,
    inspect: Inspect | None = None,
    *,
    roster_admin: Actor,
) -> list[Path]:
    """Drive a demo registration through the wizard; save and return one PNG per page.

    ``user`` (an operator) registers; ``roster_admin`` first puts the person on the roster.
    ``inspect`` sees every window before it is pictured (the layout check). Needs a
    QApplication. The office is set up first when the data folder has none; the
    application theme is applied for the pictures and the previous look restored after.
    """
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        raise RuntimeError("render_all_pages needs a QApplication")
    out_dir.mkdir(parents=True, exist_ok=True)
    if office.get_office(ctx) is None:
        office.initialise(
            ctx,
            office_code="3273",
            office_name="BKPSDM Kota Bandung",
            instansi_name="Pemerintah Kota Bandung",
        )
    person = _person(ctx)
    _add_to_roster(ctx, person, roster_admin)
    saved_style = (app.style().name(), app.palette(), app.styleSheet(), app.font())
    theme.apply_theme(app)
    window = WizardWindow(ctx, user)
    try:
        window.resize(*window_size())
        window.show()
        _wait(window.isVisible)
        with tempfile.TemporaryDirectory(prefix="nonasn-screens-") as scratch:
            walker = _Walker(window, out_dir, Path(scratch), inspect)
            _walk(walker, person)
        window.close()
        stranger = _person(ctx)  # not put on the roster
        return [*walker.saved, _not_registered(ctx, user, out_dir, stranger, inspect)]
    finally:
        window.close()
        QThreadPool.globalInstance().waitForDone(30_000)
        name, palette, sheet, font = saved_style
        app.setStyle(name)
        app.setPalette(palette)
        app.setStyleSheet(sheet)
        app.setFont(font)


__all__ = ["render_all_pages"]
