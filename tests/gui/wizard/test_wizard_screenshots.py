"""render_all_pages: one picture per page of the wizard, for `make screenshots`."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from helpers.accounts import actor_for
from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.core.context import AppContext

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def test_every_page_is_pictured_at_1366_by_768(
    qtbot: object, office_ready: AppContext, operator: UserInfo, tmp_path: Path
) -> None:
    from nonasn_desktop.gui.wizard.screenshots import render_all_pages

    paths = render_all_pages(
        office_ready, operator, tmp_path / "layar", roster_admin=actor_for(office_ready)
    )
    steps = {int(path.name[5:7]) for path in paths}
    pages = {s.number for s in office_ready.policy.steps if s.kind != "button"}
    assert steps == pages  # every page and both dialogs (the captcha is on)
    assert "page_01_pendataan_baru.png" in {p.name for p in paths}
    for path in paths:
        image = QImage(str(path))
        assert not image.isNull(), path
        assert (image.width(), image.height()) == (1366, 768), path
