"""The captcha of steps 7 and 16: the flow's picture, a "Ganti gambar" button, the input."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from nonasn_desktop.flow.captcha import CaptchaChallenge
from nonasn_desktop.gui.wizard.look import em, set_role


class CaptchaView(QFrame):
    """Shows the current challenge; ``fetch`` returns it (the flow's captcha_challenge)."""

    refresh_requested = Signal()

    def __init__(
        self, fetch: Callable[[], CaptchaChallenge | None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("captcha_view")
        self._fetch = fetch
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(em(self, 1))
        self.image = QLabel(self)
        self.image.setObjectName("captcha_image")
        self.image.setAccessibleName("Gambar kode captcha")
        set_role(self.image, "captcha_image")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.image)
        side = QVBoxLayout()
        side.setSpacing(em(self, 0.4))
        self.refresh_button = QPushButton("Ganti gambar", self)
        self.refresh_button.setObjectName("button_ganti_captcha")
        self.refresh_button.setToolTip("Tampilkan kode lain bila gambar sulit dibaca")
        self.refresh_button.setAutoDefault(True)
        self.refresh_button.clicked.connect(self.refresh_requested.emit)
        side.addWidget(self.refresh_button)
        hint = QLabel("Huruf besar dan kecil dianggap sama.", self)
        hint.setWordWrap(True)
        set_role(hint, "help")
        side.addWidget(hint)
        side.addStretch(1)
        layout.addLayout(side)
        layout.addStretch(1)

    def reload(self) -> None:
        """Show the flow's current challenge (or nothing when there is none)."""
        challenge = self._fetch()
        if challenge is None:
            self.image.clear()
            self.image.setText("Captcha dinonaktifkan")
            return
        pixmap = QPixmap()
        pixmap.loadFromData(challenge.png, "PNG")
        # The picture is small: show it at 1.5× so the honorer can read it across the desk.
        ratio = self.devicePixelRatioF() or 1.0
        target = round(challenge.width * 1.5 * ratio), round(challenge.height * 1.5 * ratio)
        scaled = pixmap.scaled(
            target[0],
            target[1],
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        scaled.setDevicePixelRatio(ratio)
        self.image.setPixmap(scaled)
