"""Print runs: 1,000 Kartu Informasi Akun into one PDF (A4 sheets, and ID-1 cards).

The data: 50 finished registrations made by ``demo.generate.generate`` in the benchmark's own
temporary data folder; their account numbers, each asked for 20 times, make 1,000 pages. Every
page is drawn in full (letterhead, QR code, fields), as for 1,000 different people; only the
photos (the demo pool shares a few) are embedded once each, as any repeated photo would be.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Literal

from benchmarks.harness import Result, reported, signed_in_admin

PEOPLE = 50
CARDS = 1_000
REPEAT = 3
LAYOUTS: tuple[tuple[Literal["a4", "id1"], str], ...] = (("a4", "A4"), ("id1", "ID-1"))


def _prepare(folder: Path) -> list[str]:
    """The data folder with PEOPLE finished registrations; returns their account numbers."""
    from nonasn_desktop.demo import generate as demo
    from nonasn_desktop.office import identity as office
    from nonasn_desktop.printing.printouts import load_printable, select_printable
    from nonasn_desktop.rules.status import RecordStatus
    from nonasn_desktop.startup import open_app

    with open_app(folder, create=True) as ctx:
        office.initialise(
            ctx,
            office_code="3273",
            office_name="Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kota Bandung",
            instansi_name="Pemerintah Kota Bandung",
        )
        demo.generate(
            ctx, PEOPLE, RecordStatus.PENDAFTARAN_SELESAI, actor=signed_in_admin(ctx), seed=2022
        )
        ids = select_printable(ctx, "kartu", all_records=True)
        numbers = [load_printable(ctx, i, with_photo=False).account_number for i in ids]
    assert len(numbers) == PEOPLE, numbers
    return numbers


def _time_run(
    folder: Path, out: Path, numbers: list[str], layout: Literal["a4", "id1"]
) -> tuple[float, float, int]:
    """Seconds (wall clock, processor) to write CARDS cards into ``out``; the PDF's bytes."""
    from nonasn_desktop.printing.printouts import write_printouts
    from nonasn_desktop.startup import open_app

    wanted = (numbers * (CARDS // len(numbers) + 1))[:CARDS]
    with open_app(folder) as ctx:
        actor = signed_in_admin(ctx)
        started, cpu = time.perf_counter(), time.process_time()
        pages = write_printouts(
            ctx, out, actor=actor, kind="kartu", layout=layout, account_numbers=wanted
        )
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert pages == CARDS, pages
    return elapsed, cpu, out.stat().st_size


def run() -> list[Result]:
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="nonasn-bench-cards-") as tmp:
        folder = Path(tmp) / "data"
        numbers = _prepare(folder)
        for layout, label in LAYOUTS:
            timings, cpu_timings = [], []
            size = 0
            for attempt in range(REPEAT):
                out = Path(tmp) / f"kartu-{layout}-{attempt}.pdf"
                elapsed, cpu, size = _time_run(folder, out, numbers, layout)
                timings.append(elapsed)
                cpu_timings.append(cpu)
            median = statistics.median(timings)
            # Processor time as well: on a busy machine the wall clock also counts waiting.
            cpu_median = statistics.median(cpu_timings)
            results.append(
                reported(
                    f"{CARDS:,} kartu {label} ke satu PDF (median {REPEAT}x)",
                    f"{median:.2f} s = {median / CARDS * 1000:.1f} ms/kartu "
                    f"(CPU {cpu_median / CARDS * 1000:.1f} ms), {size / 1024 / 1024:.1f} MB",
                )
            )
    return results
