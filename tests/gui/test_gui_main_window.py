from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from helpers.accounts import actor_for
from nonasn_desktop.accounts import users
from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.demo import generate as demo
from nonasn_desktop.errors import ConflictError
from nonasn_desktop.gui import messages
from nonasn_desktop.gui.main_window import MainWindow
from nonasn_desktop.office import identity as office
from nonasn_desktop.registration import records
from nonasn_desktop.registration.records import RecordQuery, RecordRow
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.startup import open_app

pytestmark = pytest.mark.gui

# As forms/permissions.toml grants them: the verifier reviews and prints no cards; only the
# admin exports the recap (every person's NIK in one workbook).
COMMON = {"refresh", "find", "change_password", "sign_out", "quit", "about"}
PRINT = {"print_info", "print_card"}
EXPECTED_ACTIONS = {
    Role.OPERATOR: COMMON | PRINT | {"new", "continue"},
    Role.VERIFIKATOR: COMMON | {"verval", "nik_conflicts"},
    Role.ADMIN: COMMON
    | PRINT
    | {"export_recap", "new", "continue", "users", "settings", "roster_import", "roster_template"}
    | {"backup", "restore", "auto_backup", "new_recovery_key"}
    | {"import_transfer", "devices", "enrol_device"}
    | {"verval", "batch_export", "nik_conflicts"},
}


@pytest.fixture(scope="module")
def office_ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    folder: Path = tmp_path_factory.mktemp("main_window") / "data"
    ctx = open_app(folder, create=True)
    try:
        office.initialise(
            ctx,
            office_code="3273",
            office_name="BKD Kota Bandung",
            instansi_name="Pemerintah Kota Bandung",
        )
        for username, role in (
            ("admin", Role.ADMIN),
            ("operator", Role.OPERATOR),
            ("verifikator", Role.VERIFIKATOR),
        ):
            users.create_user(
                ctx,
                username=username,
                full_name=f"Petugas {role.label}",
                role=role,
                password="rahasia123",
                actor=actor_for(ctx),
            )
        demo.generate(ctx, 3, RecordStatus.DRAF, seed=1, actor=actor_for(ctx))
        demo.generate(ctx, 3, RecordStatus.AKUN_DIBUAT, seed=2, actor=actor_for(ctx))
        demo.generate(ctx, 3, RecordStatus.PENDAFTARAN_SELESAI, seed=3, actor=actor_for(ctx))
        yield ctx
    finally:
        ctx.close()


def _window(qtbot: QtBot, ctx: AppContext, username: str) -> MainWindow:
    user = users.authenticate(ctx, username, "rahasia123")
    window = MainWindow(ctx, user)
    qtbot.addWidget(window)
    return window


def _select(window: MainWindow, status: RecordStatus) -> RecordRow:
    board = window.dashboard
    for row in range(board.model.rowCount()):
        record = board.model.record(row)
        if record is not None and record.status is status:
            board.view.selectRow(row)
            return record
    raise AssertionError(f"no {status} record")


def _menu_texts(window: MainWindow) -> dict[str, list[str]]:
    return {
        entry.text(): [a.text() for a in entry.menu().actions() if not a.isSeparator()]
        for entry in window.menuBar().actions()
    }


@pytest.mark.parametrize("role", list(Role))
def test_actions_follow_the_role(qtbot: QtBot, office_ctx: AppContext, role: Role) -> None:
    window = _window(qtbot, office_ctx, role.value)
    assert set(window.actions_by_key) == EXPECTED_ACTIONS[role]
    shown_in_menus = {text for texts in _menu_texts(window).values() for text in texts}
    in_bar = {button.defaultAction().text() for button in window.tool_buttons.values()}
    context = {a.text() for a in window.dashboard._context_actions if a is not None}
    for key, action in window.actions_by_key.items():
        assert action.objectName() == f"action_{key}"
    everywhere = shown_in_menus | in_bar | context
    for forbidden in set(EXPECTED_ACTIONS[Role.ADMIN]) - EXPECTED_ACTIONS[role]:
        assert window.action(forbidden) is None
    texts = {a.text() for a in window.actions_by_key.values()}
    assert everywhere <= texts
    if role is Role.VERIFIKATOR:
        assert "&Pendataan Baru" not in everywhere
        assert "&Lanjutkan" not in everywhere
        assert "&Admin" not in _menu_texts(window)
        # The verifier reviews; cards are printed at the registration desk.
        assert set(window.tool_buttons) == {"verval", "refresh"}
        assert context == set()
    elif role is Role.OPERATOR:
        assert "&Admin" not in _menu_texts(window)
        assert "&Lanjutkan" in context
    else:
        assert _menu_texts(window)["&Admin"][:4] == [
            "&Pengguna…",
            "Pen&gaturan…",
            "&Impor Daftar Admin Instansi…",
            "&Unduh Templat Daftar…",
        ]


def test_title_header_and_status_bar(qtbot: QtBot, office_ctx: AppContext) -> None:
    window = _window(qtbot, office_ctx, "operator")
    assert window.windowTitle() == "Pendataan Non-ASN — BKD Kota Bandung"
    assert window.status_office.text() == "Kantor: 3273"
    assert window.status_user.text() == "Pengguna: Petugas Operator (operator) — Operator"
    assert window.status_folder.text() == f"Folder data: {office_ctx.data_dir.path}"
    assert window.dashboard.model.rowCount() == 9


def test_shortcuts(qtbot: QtBot, office_ctx: AppContext) -> None:
    window = _window(qtbot, office_ctx, "admin")
    shortcut = {key: a.shortcut() for key, a in window.actions_by_key.items()}
    assert shortcut["new"] == QKeySequence("Ctrl+N")
    assert shortcut["find"] == QKeySequence(QKeySequence.StandardKey.Find)
    assert QKeySequence("F5") in window.actions_by_key["refresh"].shortcuts()
    window.show()
    window.actions_by_key["find"].trigger()
    qtbot.waitUntil(lambda: window.dashboard.search.hasFocus() or not window.isActiveWindow())


def test_actions_depend_on_the_selected_record(qtbot: QtBot, office_ctx: AppContext) -> None:
    window = _window(qtbot, office_ctx, "operator")
    enabled = {k: window.actions_by_key[k].isEnabled for k in ("continue", "print_info")}
    enabled["print_card"] = window.actions_by_key["print_card"].isEnabled
    assert not any(check() for check in enabled.values())
    _select(window, RecordStatus.DRAF)
    assert enabled["continue"]()
    assert not enabled["print_info"]()
    assert not enabled["print_card"]()
    _select(window, RecordStatus.AKUN_DIBUAT)
    assert enabled["continue"]()
    assert enabled["print_info"]()
    assert not enabled["print_card"]()
    _select(window, RecordStatus.PENDAFTARAN_SELESAI)
    assert not enabled["continue"]()
    assert enabled["print_info"]()
    assert enabled["print_card"]()


class FakeWizard(QWidget):
    """Stands in for the wizard window: records how it was opened."""

    closed = Signal(int)
    opened: ClassVar[list[tuple[int | None, str]]] = []
    refuse: ClassVar[bool] = False

    def __init__(self, ctx: AppContext, user: UserInfo, registration_id: int | None = None):
        if FakeWizard.refuse:
            raise ConflictError("Pendaftaran ini sedang dibuka oleh Petugas Lain.")
        super().__init__()
        FakeWizard.opened.append((registration_id, user.username))


@pytest.fixture
def fake_wizard(monkeypatch: pytest.MonkeyPatch) -> type[FakeWizard]:
    module = types.ModuleType("nonasn_desktop.gui.wizard.window")
    module.WizardWindow = FakeWizard  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "nonasn_desktop.gui.wizard.window", module)
    FakeWizard.opened = []
    FakeWizard.refuse = False
    return FakeWizard


def test_pendataan_baru_opens_a_wizard_and_its_closing_refreshes(
    qtbot: QtBot, office_ctx: AppContext, fake_wizard: type[FakeWizard]
) -> None:
    window = _window(qtbot, office_ctx, "operator")
    window.actions_by_key["new"].trigger()
    assert fake_wizard.opened == [(None, "operator")]
    [wizard] = window._wizards
    assert wizard.isVisible()
    target = records.search(office_ctx, RecordQuery(), 5, 1, actor=actor_for(office_ctx))[0]
    wizard.closed.emit(target.id)
    assert window._wizards == []
    assert window.dashboard.current_record() == target


def test_lanjutkan_and_enter_open_the_selected_record_once(
    qtbot: QtBot, office_ctx: AppContext, fake_wizard: type[FakeWizard]
) -> None:
    window = _window(qtbot, office_ctx, "admin")
    draft = _select(window, RecordStatus.DRAF)
    window.actions_by_key["continue"].trigger()
    window.dashboard.activated.emit(draft)
    assert fake_wizard.opened == [(draft.id, "admin")]
    finished = _select(window, RecordStatus.PENDAFTARAN_SELESAI)
    window.dashboard.activated.emit(finished)
    window.actions_by_key["continue"].trigger()
    assert fake_wizard.opened == [(draft.id, "admin")]


def test_a_verifikator_opens_nothing(
    qtbot: QtBot, office_ctx: AppContext, fake_wizard: type[FakeWizard]
) -> None:
    window = _window(qtbot, office_ctx, "verifikator")
    draft = _select(window, RecordStatus.DRAF)
    window.dashboard.activated.emit(draft)
    assert fake_wizard.opened == []


def test_a_record_open_elsewhere_is_explained(
    qtbot: QtBot,
    office_ctx: AppContext,
    fake_wizard: type[FakeWizard],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(
        messages, "show_user_error", lambda _p, exc, title="": shown.append(str(exc))
    )
    window = _window(qtbot, office_ctx, "operator")
    _select(window, RecordStatus.DRAF)
    fake_wizard.refuse = True
    window.actions_by_key["continue"].trigger()
    assert shown == [
        "Pendataan ini sedang dibuka oleh Petugas Lain.".replace("Pendataan", "Pendaftaran")
    ]
    assert window._wizards == []


def _fake_module(monkeypatch: pytest.MonkeyPatch, name: str, **attributes: object) -> None:
    module = types.ModuleType(name)
    for key, value in attributes.items():
        setattr(module, key, value)
    monkeypatch.setitem(sys.modules, name, module)
    package, _, leaf = name.rpartition(".")
    # The package may not be imported yet when this test runs alone.
    monkeypatch.setattr(importlib.import_module(package), leaf, module, raising=False)


def test_printing_shows_the_preview(
    qtbot: QtBot, office_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[tuple[str, int]] = []
    previews: list[tuple[bytes, str, str]] = []

    class Preview(QWidget):
        def __init__(self, pdf: bytes, *, title: str, suggested_name: str, parent=None):  # type: ignore[no-untyped-def]
            super().__init__(parent)
            previews.append((pdf, title, suggested_name))

        def open(self) -> None:
            self.show()

    _fake_module(
        monkeypatch,
        "nonasn_desktop.printing.printouts",
        registration_info_pdf=lambda _ctx, rid, actor: made.append(("info", rid)) or b"%PDF-info",
        account_card_pdf=lambda _ctx, rid, actor, layout="a4": (
            made.append(("card", rid)) or b"%PDF-card"
        ),
    )
    _fake_module(monkeypatch, "nonasn_desktop.gui.print_preview", PrintPreviewDialog=Preview)
    window = _window(qtbot, office_ctx, "operator")
    done = _select(window, RecordStatus.PENDAFTARAN_SELESAI)
    window.actions_by_key["print_info"].trigger()
    window.actions_by_key["print_card"].trigger()
    assert made == [("info", done.id), ("card", done.id)]
    assert previews == [
        (b"%PDF-info", "Cetak Informasi Pendaftaran", f"informasi-pendaftaran-{done.nik}.pdf"),
        (b"%PDF-card", "Cetak Kartu Informasi Akun", f"kartu-informasi-akun-{done.nik}.pdf"),
    ]


def test_roster_and_recap_actions_call_their_dialogs(
    qtbot: QtBot, office_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    _fake_module(
        monkeypatch,
        "nonasn_desktop.gui.roster_dialogs",
        open_roster_import=lambda parent, ctx, user: calls.append(f"impor {user.username}"),
        save_roster_template=lambda parent, ctx: calls.append("templat"),
        export_recap=lambda parent, ctx, user: calls.append(f"rekap {user.username}"),
    )
    window = _window(qtbot, office_ctx, "admin")
    for key in ("roster_import", "roster_template", "export_recap"):
        window.actions_by_key[key].trigger()
    assert calls == ["impor admin", "templat", "rekap admin"]


def test_about_users_and_settings_open(
    qtbot: QtBot, office_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nonasn_desktop.gui import about, admin_dialogs

    opened: list[str] = []
    for cls in (about.AboutDialog, admin_dialogs.UsersDialog, admin_dialogs.SettingsDialog):
        monkeypatch.setattr(cls, "exec", lambda self: opened.append(self.objectName()) or 0)
    window = _window(qtbot, office_ctx, "admin")
    for key in ("about", "users", "settings"):
        window.actions_by_key[key].trigger()
    assert opened == ["about_dialog", "users_dialog", "settings_dialog"]


def test_sign_out_and_close(qtbot: QtBot, office_ctx: AppContext) -> None:
    window = _window(qtbot, office_ctx, "operator")
    window.show()
    with qtbot.waitSignal(window.finished) as blocker:
        window.actions_by_key["sign_out"].trigger()
    assert blocker.args == [True]
    # The window stays, back on its sign-in page, the workspace taken down.
    assert window.isVisible()
    assert window.stack.currentWidget() is window.sign_in_page
    assert window.user is None
    assert window.workspace is None
    assert window.actions_by_key == {}
    other = _window(qtbot, office_ctx, "operator")
    other.show()
    with qtbot.waitSignal(other.finished) as blocker:
        other.actions_by_key["quit"].trigger()
    assert blocker.args == [False]


def test_closing_waits_for_a_wizard_that_stays_open(
    qtbot: QtBot, office_ctx: AppContext, fake_wizard: type[FakeWizard]
) -> None:
    window = _window(qtbot, office_ctx, "operator")
    window.show()
    window.actions_by_key["new"].trigger()
    [wizard] = window._wizards
    wizard.closeEvent = lambda event: event.ignore()  # type: ignore[method-assign]
    emitted: list[bool] = []
    window.finished.connect(emitted.append)
    window.actions_by_key["sign_out"].trigger()
    assert window.isVisible()
    assert emitted == []
    wizard.closeEvent = lambda event: event.accept()  # type: ignore[method-assign]
    window.actions_by_key["sign_out"].trigger()
    assert emitted == [True]
    assert not wizard.isVisible()
