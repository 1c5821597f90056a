"""Phase A, "Buat Akun": pages 1, 2, 3, 5, 6, 7, 9 and 12."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from nonasn_desktop.errors import UserError
from nonasn_desktop.flow.machine import NOT_REGISTERED
from nonasn_desktop.gui.wizard.captcha import CaptchaView
from nonasn_desktop.gui.wizard.document_view import preview_image
from nonasn_desktop.gui.wizard.look import Notice, em, set_role
from nonasn_desktop.gui.wizard.pages.base import WizardPage
from nonasn_desktop.gui.wizard.pages.parts import bullets, card, clear_layout
from nonasn_desktop.gui.wizard.pages.summary import (
    documents_card,
    field_rows,
    roster_rows,
    summary_card,
)
from nonasn_desktop.gui.wizard.values import display_value
from nonasn_desktop.registration import documents
from nonasn_desktop.rules.documents import format_limit, format_size, formats_label
from nonasn_desktop.rules.formatting import format_date


def document_findings(page: WizardPage) -> dict[int, tuple[tuple[bool, str], ...]]:
    """Findings of every document kept for the record, by document id."""
    registration_id = page.host.flow.state.registration_id
    if registration_id is None:
        return {}
    kept = documents.documents_of(
        page.host.ctx, registration_id, actor=page.host.user.actor, active_only=False
    )
    return {info.id: info.findings for info in kept}


class IntroPage(WizardPage):
    """Step 1, "Pendataan Baru": what the honorer must bring, then "Buat Akun"."""

    def build(self) -> None:
        policy = self.host.flow.policy
        frame, layout = card(self.body, "Dokumen yang perlu disiapkan")
        intro = QLabel(
            "Pastikan yang bersangkutan membawa berkas berikut (asli atau hasil scan). Berkas "
            "yang terlalu besar atau miring dapat diperbaiki otomatis oleh aplikasi.",
            frame,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid = QGridLayout()
        grid.setHorizontalSpacing(em(frame, 0.8))
        grid.setVerticalSpacing(em(frame, 0.6))
        grid.setColumnStretch(1, 1)
        for row, (kind, rule) in enumerate(policy.documents.rules.items()):
            box = QLabel("☐", frame)
            set_role(box, "checkbox_glyph")
            box.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
            limits = f"{formats_label(rule)}, paling besar {format_limit(rule.max_bytes)}"
            if rule.min_bytes:
                limits += f", paling kecil {format_size(rule.min_bytes)}"
            step = policy.step(rule.required_at_step)
            text = QLabel(
                f"<b>{html.escape(rule.label)}</b><br>"
                f"<span>{html.escape(limits)} · diunggah pada langkah {step.number} "
                f"({html.escape(step.heading)})</span>"
                + (f"<br><i>{html.escape(rule.hint)}</i>" if rule.hint else ""),
                frame,
            )
            text.setObjectName(f"siapkan_{kind}")
            text.setWordWrap(True)
            grid.addWidget(box, row, 0)
            grid.addWidget(text, row, 1)
        layout.addLayout(grid)
        self.body_layout.addWidget(frame)

        phases, phase_layout = card(self.body, "Alur pendataan")
        lines = []
        for key, title in policy.phases.items():
            numbers = [s.number for s in policy.steps if s.phase == key]
            lines.append(f"{key}. {title}: langkah {min(numbers)}–{max(numbers)}")
        text = QLabel(
            bullets(lines)
            + "\n\nSetiap isian tersimpan otomatis sebagai draf. Jendela ini boleh ditutup "
            "kapan saja dan dilanjutkan kemudian dari daftar pendaftaran.",
            phases,
        )
        text.setWordWrap(True)
        phase_layout.addWidget(text)
        self.body_layout.addWidget(phases)


class IdentityPage(WizardPage):
    """Step 2, "Pengecekan Identitas": identity fields, what the NIK says, "Cek Data"."""

    def build(self) -> None:
        super().build()
        nik = self.editors["nik"]
        self.nik_info = Notice("info", nik)
        self.nik_info.setObjectName("nik_info")
        self.nik_info.hide()
        nik.extra.addWidget(self.nik_info)
        self.nik_warnings = Notice("warning", nik)
        self.nik_warnings.setObjectName("nik_warnings")
        self.nik_warnings.hide()
        nik.extra.addWidget(self.nik_warnings)

    def enter(self) -> None:
        super().enter()
        self._update_nik()

    def value_changed(self, key: str) -> None:
        if key in ("nik", "tanggal_lahir", "jenis_kelamin"):
            self._update_nik()

    def _update_nik(self) -> None:
        flow = self.host.flow
        info = flow.nik_info()
        if info is None:
            self.nik_info.hide()
            self.nik_warnings.hide()
            return
        sex = display_value(flow.policy.fields["jenis_kelamin"], info.sex)
        self.nik_info.setText(
            f"Terbaca dari NIK: {info.regency_name}, {info.province_name} · lahir "
            f"{format_date(info.birth_date)} · {sex}"
        )
        self.nik_info.show()
        warnings = flow.nik_warnings()
        self.nik_warnings.setText(bullets(warnings))
        self.nik_warnings.setVisible(bool(warnings))


class RosterPage(WizardPage):
    """Steps 3–4: the Admin Instansi's entry beside what was typed, then "Lanjutkan"."""

    COMPARED = ("nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin")

    def build(self) -> None:
        self.banner = Notice("banner_error", self.body)
        self.banner.setText(NOT_REGISTERED)
        self.banner.setObjectName("not_registered")
        self.body_layout.addWidget(self.banner)
        self.banner_hint = QLabel(self.body)
        self.banner_hint.setObjectName("not_registered_hint")
        self.banner_hint.setWordWrap(True)
        set_role(self.banner_hint, "help")
        self.body_layout.addWidget(self.banner_hint)

        self.comparison, layout = card(self.body, "Data Admin Instansi dan data yang diisi")
        self.comparison.setObjectName("roster_comparison")
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(em(self, 1.5))
        self.grid.setVerticalSpacing(em(self, 0.45))
        layout.addLayout(self.grid)
        self.warnings = Notice("warning", self.comparison)
        self.warnings.setObjectName("roster_warnings")
        layout.addWidget(self.warnings)
        self.body_layout.addWidget(self.comparison)
        self.form_holder = QWidget(self.body)
        holder_layout = QVBoxLayout(self.form_holder)
        holder_layout.setContentsMargins(0, 0, 0, 0)
        self.add_fields(self.step.fields, holder_layout, "Lengkapi data")
        self.body_layout.addWidget(self.form_holder)

    def enter(self) -> None:
        super().enter()
        self._show_roster()

    def shows_roster_notice(self) -> bool:
        # The comparison above is this page's account of the roster.
        return False

    def adjust_problems(self, problems: Sequence[str]) -> list[str]:
        # The portal's message is the banner itself; it is not repeated in the list.
        return [p for p in super().adjust_problems(problems) if p != NOT_REGISTERED]

    def _show_roster(self) -> None:
        flow = self.host.flow
        roster = flow.state.roster
        self.banner.setVisible(roster is None)
        self.banner_hint.setVisible(roster is None)
        nik = display_value(flow.policy.fields["nik"], flow.value("nik"))
        self.banner_hint.setText(
            f"NIK yang dicari: {nik}. Bila NIK salah ketik, tekan \u201cKembali\u201d untuk "
            "memperbaikinya. Bila sudah benar, Admin Instansi perlu menambahkan yang "
            "bersangkutan ke daftar tenaga non-ASN lebih dulu."
        )
        self.comparison.setVisible(roster is not None)
        self.form_holder.setVisible(roster is not None)
        clear_layout(self.grid)
        if roster is None:
            return
        parent = self.comparison
        for column, text in enumerate(("", "Data Admin Instansi", "Data yang diisi")):
            heading = QLabel(text, parent)
            set_role(heading, "column_heading")
            self.grid.addWidget(heading, 0, column)
        policy = flow.policy
        roster_values = {
            "nama": roster.nama,
            "tempat_lahir": roster.tempat_lahir,
            "tanggal_lahir": format_date(roster.tanggal_lahir) if roster.tanggal_lahir else "",
            "jenis_kelamin": roster.jenis_kelamin,
        }
        warnings = flow.roster_warnings()
        for row, key in enumerate(self.COMPARED, start=1):
            field = policy.fields[key]
            left = display_value(field, roster_values[key])
            right = display_value(field, flow.value(key))
            differs = (
                left != "—"
                and right != "—"
                and " ".join(left.casefold().split()) != " ".join(right.casefold().split())
            )
            name = QLabel(field.label, parent)
            set_role(name, "summary_label")
            roster_label = QLabel(left, parent)
            roster_label.setObjectName(f"roster_{key}")
            typed = QLabel(right + ("  ≠" if differs else ""), parent)
            typed.setObjectName(f"diisi_{key}")
            set_role(typed, "value_differs" if differs else "value")
            self.grid.addWidget(name, row, 0)
            self.grid.addWidget(roster_label, row, 1)
            self.grid.addWidget(typed, row, 2)
        extra = [
            ("Unit kerja", roster.unit_kerja),
            ("Jabatan", roster.jabatan),
            ("Instansi", roster.instansi),
            ("Nomor THK-II", roster.nomor_thk2),
        ]
        row = len(self.COMPARED) + 1
        for label, value in extra:
            if not value:
                continue
            name = QLabel(label, parent)
            set_role(name, "summary_label")
            self.grid.addWidget(name, row, 0)
            self.grid.addWidget(QLabel(value, parent), row, 1, 1, 2)
            row += 1
        self.grid.setColumnStretch(1, 1)
        self.grid.setColumnStretch(2, 1)
        self.warnings.setText(bullets(warnings))
        self.warnings.setVisible(bool(warnings))


class PasswordPage(WizardPage):
    """Step 5: password twice, the security question and its answer."""

    def build(self) -> None:
        super().build()
        rules = self.host.flow.policy.password
        self.kept = Notice("info", self.body)
        self.kept.setObjectName("kata_sandi_tersimpan")
        self.kept.setText(
            "Kata sandi sudah dibuat dan tetap berlaku. Kosongkan kedua isian kata sandi untuk "
            "tetap memakainya, atau ketik kata sandi baru dua kali."
        )
        self.kept.hide()
        self.body_layout.insertWidget(0, self.kept)
        parts = [f"paling sedikit {rules.min_length} karakter"]
        if rules.require_letter:
            parts.append("berisi huruf")
        if rules.require_digit:
            parts.append("berisi angka")
        self.editors["kata_sandi"].help.setText("Kata sandi " + ", ".join(parts) + ".")
        self.editors["kata_sandi"].help.show()

    def enter(self) -> None:
        super().enter()
        self.kept.setVisible(self.host.flow.state.password_hash is not None)


class DocumentsPage(WizardPage):
    """Step 6: KTP and pas foto (the default body: the step's documents)."""


class CaptchaPage(WizardPage):
    """Steps 7 and 16: the picture, "Ganti gambar", the code."""

    def build(self) -> None:
        frame, layout = card(self.body, "Kode captcha")
        self.captcha = CaptchaView(self.host.flow.captcha_challenge, frame)
        self.captcha.refresh_requested.connect(self.new_picture)
        layout.addWidget(self.captcha)
        self.add_fields(self.step.fields, into=(frame, layout))
        self.body_layout.addWidget(frame)

    def focus_chain(self) -> list[QWidget]:
        # The code first, then "Ganti gambar", then the page buttons.
        return [self.editors["captcha"].input, self.captcha.refresh_button]

    def enter(self) -> None:
        super().enter()
        self.captcha.reload()

    def current_problems(self) -> list[str]:
        # While the code is still being typed there is nothing to complain about yet; once it
        # is complete the list says whether it matches (and disappears when it does).
        challenge = self.host.flow.captcha_challenge()
        typed = "".join(self.host.flow.value("captcha").split())
        if challenge is not None and len(typed) < len(challenge.text):
            return []
        return super().current_problems()

    def after_failure(self) -> None:
        # A wrong code draws a new picture in the flow; show it and empty the input.
        self.captcha.reload()
        self.editors["captcha"].set_raw("")
        self.editors["captcha"].input.setFocus(Qt.FocusReason.OtherFocusReason)

    def new_picture(self) -> None:
        flow = self.host.flow
        if flow.page != self.step.number:
            return
        self.host.owner.refresh_captcha()
        self.captcha.reload()
        editor = self.editors["captcha"]
        editor.set_raw("")
        editor.set_error(None)
        editor.touched = False
        editor.input.setFocus(Qt.FocusReason.OtherFocusReason)
        self.refresh_problems()


class ReviewPage(WizardPage):
    """Steps 9–11: everything of phase A once more, "Kembali" (10) or the account (11)."""

    def build(self) -> None:
        self.lock_notice = Notice("warning", self.body)
        self.lock_notice.setObjectName("peringatan_kunci")
        self.lock_notice.setText(
            "Periksa bersama yang bersangkutan, lalu tekan \u201cProses Pembuatan Akun\u201d. "
            "Untuk memperbaiki isian, tekan \u201cKembali\u201d: semua isian tetap tersimpan."
        )
        self.body_layout.addWidget(self.lock_notice)
        self.content = QWidget(self.body)
        self.content_layout = QHBoxLayout(self.content)
        self.content_layout.setContentsMargins(0, 0, 0, 0)
        self.content_layout.setSpacing(em(self, 1))
        self.body_layout.addWidget(self.content)

    def enter(self) -> None:
        super().enter()
        self._rebuild()

    def _rebuild(self) -> None:
        clear_layout(self.content_layout)
        flow = self.host.flow
        policy = flow.policy
        left = QVBoxLayout()
        left.setSpacing(em(self, 1))
        right = QVBoxLayout()
        right.setSpacing(em(self, 1))
        identity, _ = summary_card(
            self.content, "Identitas", field_rows(flow, policy.step(2).fields)
        )
        left.addWidget(identity)
        contact_rows = field_rows(flow, policy.step(3).fields)
        question = field_rows(flow, ("pertanyaan_pengaman",))
        password = [
            (
                "kata_sandi",
                policy.fields["kata_sandi"].label,
                "Sudah dibuat" if flow.state.password_hash else "Belum dibuat",
            )
        ]
        account, _ = summary_card(
            self.content, "Kontak dan akun", contact_rows + password + question
        )
        right.addWidget(account)
        roster, _ = summary_card(self.content, "Data Admin Instansi", roster_rows(flow))
        right.addWidget(roster)
        kinds = policy.step(6).documents
        docs = documents_card(
            self.content, flow, kinds, document_findings(self), previews=self._previews(kinds)
        )
        left.addWidget(docs)
        left.addStretch(1)
        right.addStretch(1)
        self.content_layout.addLayout(left, 3)
        self.content_layout.addLayout(right, 2)

    def narrow_changed(self, narrow: bool) -> None:
        # The two columns of cards one under the other on a narrow window (150 % scaling).
        self.content_layout.setDirection(
            QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight
        )

    def _previews(self, kinds: Sequence[str]) -> dict[str, QImage | None]:
        """Thumbnails of the page-6 pictures (small JPEGs by rule: read at once)."""
        previews: dict[str, QImage | None] = {}
        for kind in kinds:
            ref = self.host.flow.state.documents.get(kind)
            if ref is None:
                continue
            try:
                data = documents.document_bytes(
                    self.host.ctx, ref.document_id, actor=self.host.user.actor
                )
            except UserError:
                previews[kind] = None
                continue
            previews[kind] = preview_image(data, "image/jpeg" if data[:2] == b"\xff\xd8" else None)
        return previews

    def handlers(self) -> dict[str, Callable[[], None]]:
        handlers = super().handlers()
        handlers["Kembali"] = self.fix
        return handlers

    def fix(self) -> None:
        """Step 10, "Kembali": back to the identity page to correct, every value kept."""
        self.host.run_flow(self.host.owner.back_to_fix)

    def update_buttons(self) -> None:
        flow = self.host.flow
        back = self.buttons.get("Kembali")
        if back is not None:
            back.setEnabled(not flow.state.has_account)


class AccountCreatedPage(WizardPage):
    """Step 12: the account number, "Cetak Informasi Pendaftaran", "Lanjutkan Pendaftaran"."""

    def build(self) -> None:
        frame, layout = card(self.body)
        heading = QLabel("Akun berhasil dibuat", frame)
        set_role(heading, "success_title")
        layout.addWidget(heading)
        caption = QLabel("Nomor akun", frame)
        set_role(caption, "help")
        layout.addWidget(caption)
        self.account_number = QLabel(frame)
        self.account_number.setObjectName("account_number")
        self.account_number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_role(self.account_number, "big_number")
        layout.addWidget(self.account_number)
        self.person = QLabel(frame)
        self.person.setObjectName("akun_pemilik")
        self.person.setWordWrap(True)
        layout.addWidget(self.person)
        note = QLabel(
            "Cetak informasi pendaftaran dan serahkan kepada yang bersangkutan. Nama, tempat "
            "lahir, tanggal lahir dan pas foto kini terkunci. Lanjutkan ke login pendaftaran "
            "untuk melengkapi biodata, pendidikan dan riwayat pekerjaan.",
            frame,
        )
        note.setWordWrap(True)
        set_role(note, "help")
        layout.addWidget(note)
        self.body_layout.addWidget(frame)

    def enter(self) -> None:
        super().enter()
        flow = self.host.flow
        self.account_number.setText(flow.state.account_number or "—")
        nik = display_value(flow.policy.fields["nik"], flow.value("nik"))
        self.person.setText(f"{flow.value('nama')} · NIK {nik}")
