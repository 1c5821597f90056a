"""The wizard's dialogs: the confirmations of steps 11 and 23, the compliant copy of a
document, and "Lupa Kata Sandi".

Every dialog here is opened with ``open()`` (window-modal, not blocking the event loop) and
reports through its ``finished``/``accepted`` signals, so the wizard stays responsive and tests
can answer it by clicking its buttons, found by objectName.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nonasn_desktop.errors import FlowError, UserError
from nonasn_desktop.gui.messages import show_bug
from nonasn_desktop.gui.responsive import fit_to_screen
from nonasn_desktop.gui.wizard.look import Notice, button_name, em, set_role
from nonasn_desktop.gui.wizard.owner import FlowOwner
from nonasn_desktop.policy import Step
from nonasn_desktop.rules.documents import format_size


def _cancel_and_primary(
    dialog: QDialog, layout: QVBoxLayout, word: str, on_primary: Callable[[], object]
) -> tuple[QPushButton, QPushButton]:
    """The bottom row "Batal" + the dialog's main action (default, styled primary)."""
    row = QHBoxLayout()
    row.addStretch(1)
    cancel = QPushButton("Batal", dialog)
    cancel.setObjectName("button_batal")
    cancel.setAutoDefault(True)
    cancel.clicked.connect(dialog.reject)
    primary = QPushButton(word, dialog)
    primary.setObjectName(button_name(word))
    primary.setAutoDefault(True)
    primary.setDefault(True)
    set_role(primary, "primary")
    primary.clicked.connect(on_primary)
    row.addWidget(cancel)
    row.addWidget(primary)
    layout.addLayout(row)
    return cancel, primary


class ImageBox(QLabel):
    """A picture scaled to fit a box whose size follows the font (sharp on HiDPI screens)."""

    def __init__(self, width_em: float, height_em: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setFixedSize(em(self, width_em), em(self, height_em))
        set_role(self, "image_box")
        self.set_placeholder("Belum ada berkas")

    def set_placeholder(self, text: str) -> None:
        self._image = None
        self.clear()
        self.setText(text)
        self.setWordWrap(True)

    def set_image(
        self, image: QImage | None, placeholder: str = "Pratinjau tidak tersedia"
    ) -> None:
        if image is None or image.isNull():
            self.set_placeholder(placeholder)
            return
        self._image = image
        ratio = self.devicePixelRatioF() or 1.0
        inner = self.contentsRect().size()
        scaled = image.scaled(
            max(1, round((inner.width() - 4) * ratio)),
            max(1, round((inner.height() - 4) * ratio)),
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        pixmap = QPixmap.fromImage(scaled)
        pixmap.setDevicePixelRatio(ratio)
        self.setPixmap(pixmap)

    @property
    def image(self) -> QImage | None:
        return self._image


def _bullets(items: Sequence[str]) -> str:
    return "\n".join(f"• {item}" for item in items)


class ConfirmStepDialog(QDialog):
    """Dialog steps 11 and 23: the step's question with the portal's "Iya" / "Tidak".

    "Tidak" is the default button, so Enter or Esc never creates an account or ends a
    registration by accident. ``answered`` carries True for "Iya".
    """

    answered = Signal(bool)

    def __init__(self, step: Step, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.step = step
        self.setObjectName(f"dialog_langkah_{step.number}")
        self.setWindowTitle(step.heading)
        self.setModal(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(em(self, 1.5), em(self, 1.2), em(self, 1.5), em(self, 1))
        layout.setSpacing(em(self, 0.8))
        title = QLabel(step.heading, self)
        set_role(title, "dialog_title")
        layout.addWidget(title)
        text = QLabel(step.description, self)
        text.setObjectName("dialog_text")
        text.setWordWrap(True)
        text.setMinimumWidth(em(self, 26))
        layout.addWidget(text)
        row = QHBoxLayout()
        row.addStretch(1)
        words = list(step.buttons) or ["Iya", "Tidak"]
        self.buttons: dict[str, QPushButton] = {}
        for word in words:
            button = QPushButton(word, self)
            button.setObjectName(button_name(word))
            button.setAutoDefault(True)
            row.addWidget(button)
            self.buttons[word] = button
        yes, no = self.buttons[words[0]], self.buttons[words[-1]]
        # Neither looks like "the" action: the answer must be read, and Enter means "Tidak".
        no.setDefault(True)
        no.setFocus(Qt.FocusReason.OtherFocusReason)
        yes.clicked.connect(self.accept)
        no.clicked.connect(self.reject)
        layout.addLayout(row)
        self.finished.connect(
            lambda result: self.answered.emit(result == QDialog.DialogCode.Accepted)
        )


class CompliantCopyDialog(QDialog):
    """Before / after of "Perbaiki otomatis": the clerk sees the copy before it is used."""

    def __init__(
        self,
        *,
        label: str,
        before: QImage | None,
        after: QImage | None,
        original_size: int,
        new_size: int,
        changes: Sequence[str],
        findings: Sequence[tuple[bool, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dialog_salinan")
        self.setWindowTitle("Salinan yang memenuhi ketentuan")
        self.setModal(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(em(self, 1.5), em(self, 1.2), em(self, 1.5), em(self, 1))
        layout.setSpacing(em(self, 0.8))
        title = QLabel(f"Salinan untuk: {label}", self)
        set_role(title, "dialog_title")
        layout.addWidget(title)
        intro = QLabel(
            "Periksa salinan di sebelah kanan. Berkas asli tidak diubah dan tetap tersimpan; "
            "salinan baru dipakai bila Anda memilih \u201cGunakan salinan ini\u201d.",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        # The pictures on the left, what changed and the checks beside them: stacked, the
        # dialog was taller than a 150 % laptop screen and its parts were drawn over each other.
        body = QHBoxLayout()
        body.setSpacing(em(self, 1.5))
        body.addLayout(self._pictures(before, after, original_size, new_size))
        body.addLayout(self._notes(changes, findings), 1)
        layout.addLayout(body)

        self.cancel_button, self.use_button = _cancel_and_primary(
            self, layout, "Gunakan salinan ini", self.accept
        )
        fit_to_screen(self)

    def _pictures(
        self, before: QImage | None, after: QImage | None, original_size: int, new_size: int
    ) -> QHBoxLayout:
        """The original and the copy side by side, each with its size."""
        pictures = QHBoxLayout()
        pictures.setSpacing(em(self, 1.2))
        for caption, image, size, name in (
            ("Berkas asli", before, original_size, "preview_asli"),
            ("Salinan baru", after, new_size, "preview_salinan"),
        ):
            column = QVBoxLayout()
            column.setSpacing(em(self, 0.4))
            heading = QLabel(f"<b>{caption}</b> · {format_size(size)}", self)
            heading.setObjectName(f"{name}_ukuran")
            column.addWidget(heading)
            box = ImageBox(18, 14, self)
            box.setObjectName(name)
            box.set_image(image)
            column.addWidget(box)
            column.addStretch(1)
            pictures.addLayout(column)
        return pictures

    def _notes(self, changes: Sequence[str], findings: Sequence[tuple[bool, str]]) -> QVBoxLayout:
        """What was changed, and the copy's checks."""
        notes = QVBoxLayout()
        notes.setSpacing(em(self, 0.4))
        changes_label = QLabel("<b>Yang diubah</b>", self)
        notes.addWidget(changes_label)
        self.changes = QLabel(_bullets(changes) or "—", self)
        self.changes.setObjectName("daftar_perubahan")
        self.changes.setTextFormat(Qt.TextFormat.PlainText)
        self.changes.setWordWrap(True)
        notes.addWidget(self.changes)
        notes.addSpacing(em(self, 0.4))
        checked = QLabel("<b>Hasil pemeriksaan salinan</b>", self)
        notes.addWidget(checked)
        result = QLabel(
            "\n".join(("✓ " if ok else "✗ ") + message for ok, message in findings), self
        )
        result.setObjectName("hasil_periksa_salinan")
        result.setTextFormat(Qt.TextFormat.PlainText)
        result.setWordWrap(True)
        result.setMinimumWidth(em(self, 24))
        set_role(result, "help")
        notes.addWidget(result)
        notes.addStretch(1)
        return notes


class ForgotPasswordDialog(QDialog):
    """ "Lupa Kata Sandi": the security question, its answer and a new password twice.

    The argon2id check and the new hash run off the GUI thread (slow on purpose); the flow is
    then changed by its owner on the GUI thread. Problems are listed inside the dialog; on
    success it is accepted and the honorer logs in again.
    """

    def __init__(self, owner: FlowOwner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._owner = owner
        flow = owner.flow
        self.setObjectName("dialog_lupa_kata_sandi")
        self.setWindowTitle("Lupa Kata Sandi")
        self.setModal(True)
        policy = flow.policy
        question_field = policy.fields["pertanyaan_pengaman"]
        raw_question = flow.value("pertanyaan_pengaman")
        question = next(
            (c.label for c in question_field.choices if c.key == raw_question), raw_question
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(em(self, 1.5), em(self, 1.2), em(self, 1.5), em(self, 1))
        layout.setSpacing(em(self, 0.8))
        title = QLabel("Lupa Kata Sandi", self)
        set_role(title, "dialog_title")
        layout.addWidget(title)
        intro = QLabel(
            "Jawab pertanyaan pengaman yang dipilih saat membuat akun, lalu ketik kata sandi "
            "baru dua kali.",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.problems = Notice("problems_box", self)
        self.problems.setObjectName("reset_problems")
        self.problems.hide()
        layout.addWidget(self.problems)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setHorizontalSpacing(em(self, 1))
        self.question = QLabel(question or "—", self)
        self.question.setObjectName("reset_pertanyaan")
        self.question.setWordWrap(True)
        form.addRow("Pertanyaan pengaman:", self.question)
        self.answer = self._line("reset_jawaban", "Jawaban pengaman")
        self.password = self._line("reset_kata_sandi", "Kata sandi baru")
        self.password_again = self._line("reset_kata_sandi_ulang", "Ulangi kata sandi baru")
        for text, line in (
            ("&Jawaban pengaman:", self.answer),
            ("Kata &sandi baru:", self.password),
            ("&Ulangi kata sandi baru:", self.password_again),
        ):
            label = QLabel(text, self)
            label.setBuddy(line)
            form.addRow(label, line)
        layout.addLayout(form)
        rules = policy.password
        hint = QLabel(
            f"Kata sandi paling sedikit {rules.min_length} karakter"
            + (", berisi huruf" if rules.require_letter else "")
            + (" dan angka" if rules.require_digit else "")
            + ".",
            self,
        )
        set_role(hint, "help")
        layout.addWidget(hint)

        self.cancel_button, self.save_button = _cancel_and_primary(
            self, layout, "Simpan Kata Sandi Baru", self.submit
        )
        self.busy = False

    def _line(self, name: str, accessible: str) -> QLineEdit:
        line = QLineEdit(self)
        line.setObjectName(name)
        line.setAccessibleName(accessible)
        line.setEchoMode(QLineEdit.EchoMode.Password)
        line.setMinimumWidth(em(self, 18))
        return line

    def submit(self) -> None:
        if self.busy:
            return
        answer, first, second = (
            self.answer.text(),
            self.password.text(),
            self.password_again.text(),
        )
        self._set_busy(True)
        # The argon2id work runs on a worker; the owner then changes the flow here.
        owner = self._owner
        owner.run(
            lambda: owner.reset_password(answer, first, second),
            owner.reset_password_work(answer, first),
            on_success=lambda _result: self.accept(),
            on_failure=self._failed,
            on_crash=lambda exc: show_bug(self, exc),
            on_finished=self._done,
        )

    def _done(self) -> None:
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in (self.answer, self.password, self.password_again, self.save_button):
            widget.setEnabled(not busy)
        self.save_button.setText("Memeriksa…" if busy else "Simpan Kata Sandi Baru")

    def _failed(self, exc: UserError) -> None:
        problems = exc.problems if isinstance(exc, FlowError) else [str(exc)]
        self.problems.setText(_bullets(problems))
        self.problems.show()
        self.answer.setFocus(Qt.FocusReason.OtherFocusReason)
