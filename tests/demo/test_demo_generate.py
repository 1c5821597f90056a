"""Demo data on the common progress and cancellation protocol."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.accounts import actor_for
from nonasn_desktop.core.progress import OperationCancelledError, ProgressStep
from nonasn_desktop.demo import generate as demo
from nonasn_desktop.office.identity import initialise
from nonasn_desktop.registration.store import count_by_status
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.startup import open_app


def test_progress_names_the_phase_and_cancel_keeps_what_was_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Groups of one record, so that a cancel can fall between two groups.
    monkeypatch.setattr(demo, "BATCH_SIZE", 1)
    with open_app(tmp_path / "data", create=True) as ctx:
        initialise(ctx, office_code="3273", office_name="BKD Kota Bandung")
        seen: list[ProgressStep] = []
        with pytest.raises(demo.DemoCancelledError, match="1 data yang sudah dibuat") as info:
            demo.generate(
                ctx,
                3,
                RecordStatus.DRAF,
                seed=5,
                progress=seen.append,
                cancelled=lambda: len(seen) >= 1,
                actor=actor_for(ctx),
            )
        assert isinstance(info.value, OperationCancelledError)
        assert seen == [ProgressStep(demo.PHASE_DEMO, 1, 3)]
        assert sum(count_by_status(ctx).values()) == 1
