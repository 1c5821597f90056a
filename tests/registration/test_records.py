from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from helpers.accounts import FakeClock, actor_for
from helpers.conflicts import flag_nik_conflict
from helpers.postgres import fresh_database
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.demo import generate as demo
from nonasn_desktop.office import identity as office
from nonasn_desktop.registration import records
from nonasn_desktop.registration.records import RecordOrder, RecordQuery, SearchTerm
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.startup import open_app
from nonasn_desktop.storage.models import Registration

BASE = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)

# nik, nama, status, unit, eligible, failed, account, minutes after BASE (updated_at)
ROWS = [
    ("3273010411670001", "BUDI SANTOSO", "draf", "Dinas Pendidikan", None, None, None, 1),
    (
        "3273010411670002",
        "SANTI WULANDARI",
        "akun_dibuat",
        "Dinas Kesehatan",
        True,
        None,
        "3273-2026-000001",
        2,
    ),
    (
        "3273024512800003",
        "Siti Rahmawati",
        "pendaftaran_selesai",
        "Dinas Kesehatan",
        True,
        None,
        "3273-2026-000002",
        3,
    ),
    (
        "3171015708850004",
        "AGUS",
        "pendaftaran_selesai",
        "Sekretariat Daerah",
        False,
        "E4,E5",
        "3273-2026-000003",
        4,
    ),
    (
        "3273155501900005",
        "DEWI SANTOSA PUTRI",
        "ditolak",
        "Dinas Pendidikan",
        False,
        "E4",
        "3273-2026-000004",
        5,
    ),
    (None, None, "draf", None, None, None, None, 6),
    (
        "3273010411670007",
        "I GUSTI AYU DEWI",
        "disetujui",
        "Dinas Pendidikan",
        True,
        None,
        "3273-2026-000005",
        7,
    ),
    (
        "3273010411670008",
        "O'NEIL 100% TEST",
        "perlu_perbaikan",
        "RSUD Bandung",
        True,
        None,
        "3273-2026-000006",
        8,
    ),
]


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """One office database on the test server for this module's PostgreSQL runs."""
    with fresh_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def app_ctx(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock
) -> Iterator[AppContext]:
    """Every test of the list on both databases: they are written differently for each."""
    url = None if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    ctx = open_app(tmp_path / "data", create=True, clock=clock, database_url=url)
    try:
        yield ctx
    finally:
        if url is not None:
            with ctx.db.session() as session:
                session.execute(text("TRUNCATE registration CASCADE"))
        ctx.close()


def _add_rows(ctx: AppContext) -> dict[str, int]:
    """The rows above, written directly (precise values; no flow needed to read them)."""
    ids: dict[str, int] = {}
    with ctx.db.session() as session:
        for nik, nama, status, unit, eligible, failed, account, minutes in ROWS:
            at = BASE + dt.timedelta(minutes=minutes)
            row = Registration(
                nik=nik,
                nama=nama,
                nama_search=nama.casefold() if nama else None,
                status=RecordStatus(status),
                current_step=24 if status != "draf" else 3,
                unit_kerja=unit,
                eligible=eligible,
                failed_criteria=failed,
                account_number=account,
                draft="{}",
                created_at=at,
                updated_at=at,
            )
            session.add(row)
            session.flush()
            ids[nama or "(kosong)"] = row.id
    return ids


@pytest.fixture
def listed(app_ctx: AppContext) -> dict[str, int]:
    return _add_rows(app_ctx)


def _names(ctx: AppContext, query: RecordQuery) -> list[str | None]:
    return [row.nama for row in records.search(ctx, query, 0, 100, actor=actor_for(ctx))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", SearchTerm("none", "")),
        ("   ", SearchTerm("none", "")),
        ("3273 0104 1167", SearchTerm("nik", "327301041167")),
        ("3273.0104.1167.0001", SearchTerm("nik", "3273010411670001")),
        ("3273-01", SearchTerm("nik", "327301")),
        ("3273-2026-0000", SearchTerm("account", "3273-2026-0000")),
        ("bkd-2026-", SearchTerm("account", "BKD-2026-")),
        ("BKD-20", SearchTerm("account", "BKD-20")),
        # Without the year's dash, digits and dashes are a NIK typed in groups.
        ("3273-2026", SearchTerm("nik", "32732026")),
        ("  Budi   SANTOSO ", SearchTerm("name", "budi santoso")),
        ("O'Neil", SearchTerm("name", "o'neil")),
        ("١٢٣", SearchTerm("name", "١٢٣")),
    ],
)
def test_search_text_is_classified(text: str, expected: SearchTerm) -> None:
    assert records.parse_search_text(text) == expected


def test_everything_newest_first(app_ctx: AppContext, listed: dict[str, int]) -> None:
    rows = records.search(app_ctx, RecordQuery(), 0, 100, actor=actor_for(app_ctx))
    assert [r.nama for r in rows] == [
        "O'NEIL 100% TEST",
        "I GUSTI AYU DEWI",
        None,
        "DEWI SANTOSA PUTRI",
        "AGUS",
        "Siti Rahmawati",
        "SANTI WULANDARI",
        "BUDI SANTOSO",
    ]
    agus = rows[4]
    assert agus.id == listed["AGUS"]
    assert agus.nik == "3171015708850004"
    assert agus.status is RecordStatus.PENDAFTARAN_SELESAI
    assert agus.unit_kerja == "Sekretariat Daerah"
    assert agus.eligible is False
    assert agus.failed_criteria == "E4,E5"
    assert agus.account_number == "3273-2026-000003"
    assert agus.current_step == 24
    assert agus.updated_at == BASE + dt.timedelta(minutes=4)
    assert records.count(app_ctx, RecordQuery(), actor=actor_for(app_ctx)) == len(ROWS)


@pytest.mark.usefixtures("listed")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "3273 0104 1167",
            ["O'NEIL 100% TEST", "I GUSTI AYU DEWI", "SANTI WULANDARI", "BUDI SANTOSO"],
        ),
        ("3273.0104.1167.0002", ["SANTI WULANDARI"]),
        ("3171", ["AGUS"]),
        ("32730245", ["Siti Rahmawati"]),
        ("9999", []),
    ],
)
def test_search_by_nik_prefix_ignores_spaces_and_dots(
    app_ctx: AppContext, text: str, expected: list[str]
) -> None:
    assert _names(app_ctx, RecordQuery(text=text)) == expected
    assert records.count(app_ctx, RecordQuery(text=text), actor=actor_for(app_ctx)) == len(expected)


@pytest.mark.usefixtures("listed")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Start of the name, any case.
        ("budi", ["BUDI SANTOSO"]),
        ("SIT", ["Siti Rahmawati"]),
        # Start of a later word.
        ("santo", ["DEWI SANTOSA PUTRI", "BUDI SANTOSO"]),
        ("dewi", ["I GUSTI AYU DEWI", "DEWI SANTOSA PUTRI"]),
        ("ayu dewi", ["I GUSTI AYU DEWI"]),
        # Inside a word is not a match (prefix or word only).
        ("antoso", []),
        # LIKE wildcards are plain characters.
        ("%", []),
        ("100%", ["O'NEIL 100% TEST"]),
        ("_", []),
        ("o'neil", ["O'NEIL 100% TEST"]),
    ],
)
def test_search_by_name_prefix_or_word(app_ctx: AppContext, text: str, expected: list[str]) -> None:
    assert _names(app_ctx, RecordQuery(text=text)) == expected


@pytest.mark.usefixtures("listed")
def test_search_by_account_number(app_ctx: AppContext) -> None:
    assert _names(app_ctx, RecordQuery(text="3273-2026-000003")) == ["AGUS"]
    assert len(_names(app_ctx, RecordQuery(text="3273-2026-"))) == 6
    assert _names(app_ctx, RecordQuery(text="3273-2025-")) == []


@pytest.mark.usefixtures("listed")
def test_filters_status_unit_and_eligibility(app_ctx: AppContext) -> None:
    assert _names(app_ctx, RecordQuery(status=RecordStatus.DRAF)) == [None, "BUDI SANTOSO"]
    assert _names(app_ctx, RecordQuery(unit_kerja="Dinas Kesehatan")) == [
        "Siti Rahmawati",
        "SANTI WULANDARI",
    ]
    assert _names(app_ctx, RecordQuery(eligibility="TMS")) == ["DEWI SANTOSA PUTRI", "AGUS"]
    assert _names(app_ctx, RecordQuery(eligibility="MS")) == [
        "O'NEIL 100% TEST",
        "I GUSTI AYU DEWI",
        "Siti Rahmawati",
        "SANTI WULANDARI",
    ]
    combined = RecordQuery(
        text="dewi", unit_kerja="Dinas Pendidikan", eligibility="TMS", status=RecordStatus.DITOLAK
    )
    assert _names(app_ctx, combined) == ["DEWI SANTOSA PUTRI"]
    assert records.count(app_ctx, combined, actor=actor_for(app_ctx)) == 1
    assert _names(app_ctx, RecordQuery(unit_kerja="Tidak Ada")) == []


@pytest.mark.usefixtures("listed")
def test_counts_by_status_ignore_the_status_filter(app_ctx: AppContext) -> None:
    counts = records.counts_by_status(
        app_ctx, RecordQuery(status=RecordStatus.DITOLAK), actor=actor_for(app_ctx)
    )
    assert counts == {
        RecordStatus.DRAF: 2,
        RecordStatus.AKUN_DIBUAT: 1,
        RecordStatus.PENDAFTARAN_SELESAI: 2,
        RecordStatus.DISETUJUI: 1,
        RecordStatus.PERLU_PERBAIKAN: 1,
        RecordStatus.DITOLAK: 1,
        RecordStatus.DIEKSPOR: 0,
    }
    in_pendidikan = records.counts_by_status(
        app_ctx, RecordQuery(unit_kerja="Dinas Pendidikan", text="dewi"), actor=actor_for(app_ctx)
    )
    assert in_pendidikan[RecordStatus.DITOLAK] == 1
    assert in_pendidikan[RecordStatus.DISETUJUI] == 1
    assert sum(in_pendidikan.values()) == 2


@pytest.mark.usefixtures("listed")
@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (RecordOrder.TERLAMA, ["BUDI SANTOSO", "SANTI WULANDARI", "Siti Rahmawati"]),
        # Names sort without regard to case; records without a name come first.
        (RecordOrder.NAMA_AZ, [None, "AGUS", "BUDI SANTOSO"]),
        (RecordOrder.NAMA_ZA, ["Siti Rahmawati", "SANTI WULANDARI", "O'NEIL 100% TEST"]),
        (RecordOrder.NIK_AZ, [None, "AGUS", "BUDI SANTOSO"]),
        (RecordOrder.NIK_ZA, ["DEWI SANTOSA PUTRI", "Siti Rahmawati", "O'NEIL 100% TEST"]),
        # Equal units keep the order of creation (id).
        (RecordOrder.UNIT_AZ, [None, "SANTI WULANDARI", "Siti Rahmawati"]),
        (RecordOrder.UNIT_ZA, ["AGUS", "O'NEIL 100% TEST", "I GUSTI AYU DEWI"]),
    ],
)
def test_orders(app_ctx: AppContext, order: RecordOrder, expected: list[str | None]) -> None:
    rows = records.search(app_ctx, RecordQuery(order=order), 0, 3, actor=actor_for(app_ctx))
    assert [r.nama for r in rows] == expected
    assert order.label


@pytest.mark.usefixtures("listed")
def test_paging_is_stable_and_complete(app_ctx: AppContext) -> None:
    for order in RecordOrder:
        query = RecordQuery(order=order)
        whole = [r.id for r in records.search(app_ctx, query, 0, 100, actor=actor_for(app_ctx))]
        paged = [
            r.id
            for offset in range(0, 9, 3)
            for r in records.search(app_ctx, query, offset, 3, actor=actor_for(app_ctx))
        ]
        assert paged == whole
        assert len(set(whole)) == len(ROWS)
    assert records.search(app_ctx, RecordQuery(), 8, 10, actor=actor_for(app_ctx)) == []
    assert records.search(app_ctx, RecordQuery(), 0, 0, actor=actor_for(app_ctx)) == []


def test_page_size_and_offsets_are_checked(app_ctx: AppContext) -> None:
    with pytest.raises(ValueError, match="negative"):
        records.search(app_ctx, RecordQuery(), -1, 10, actor=actor_for(app_ctx))
    with pytest.raises(ValueError, match="negative"):
        records.search(app_ctx, RecordQuery(), 0, -10, actor=actor_for(app_ctx))


def test_a_page_is_at_most_max_page(app_ctx: AppContext) -> None:
    with app_ctx.db.session() as session:
        for number in range(records.MAX_PAGE + 5):
            at = BASE + dt.timedelta(seconds=number)
            session.add(Registration(draft="{}", created_at=at, updated_at=at))
    assert (
        len(
            records.search(
                app_ctx, RecordQuery(), 0, records.MAX_PAGE + 5, actor=actor_for(app_ctx)
            )
        )
        == records.MAX_PAGE
    )
    assert records.count(app_ctx, RecordQuery(), actor=actor_for(app_ctx)) == records.MAX_PAGE + 5


@pytest.mark.usefixtures("listed")
def test_unit_names_sorted_and_distinct(app_ctx: AppContext) -> None:
    assert records.unit_names(app_ctx, actor=actor_for(app_ctx)) == [
        "Dinas Kesehatan",
        "Dinas Pendidikan",
        "RSUD Bandung",
        "Sekretariat Daerah",
    ]


def test_an_empty_office(app_ctx: AppContext) -> None:
    assert records.search(app_ctx, RecordQuery(text="budi"), 0, 50, actor=actor_for(app_ctx)) == []
    assert records.count(app_ctx, RecordQuery(), actor=actor_for(app_ctx)) == 0
    assert set(
        records.counts_by_status(app_ctx, RecordQuery(), actor=actor_for(app_ctx)).values()
    ) == {0}
    assert records.unit_names(app_ctx, actor=actor_for(app_ctx)) == []


# -- against registrations made by the real flow -------------------------------------------


@pytest.fixture(scope="module")
def demo_ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    folder: Path = tmp_path_factory.mktemp("records") / "data"
    ctx = open_app(folder, create=True)
    try:
        office.initialise(ctx, office_code="3273", office_name="BKD Kota Bandung")
        demo.generate(ctx, 6, RecordStatus.DRAF, seed=1, actor=actor_for(ctx))
        demo.generate(ctx, 6, RecordStatus.AKUN_DIBUAT, seed=2, actor=actor_for(ctx))
        demo.generate(ctx, 8, RecordStatus.PENDAFTARAN_SELESAI, seed=3, actor=actor_for(ctx))
        yield ctx
    finally:
        ctx.close()


def _all_rows(ctx: AppContext) -> list[Registration]:
    with ctx.db.session() as session:
        return list(session.query(Registration).all())


def test_demo_records_are_found_as_the_flow_stored_them(demo_ctx: AppContext) -> None:
    stored = _all_rows(demo_ctx)
    counts = records.counts_by_status(demo_ctx, RecordQuery(), actor=actor_for(demo_ctx))
    assert counts[RecordStatus.DRAF] == 6
    assert counts[RecordStatus.AKUN_DIBUAT] == 6
    assert counts[RecordStatus.PENDAFTARAN_SELESAI] == 8
    for row in stored:
        if row.nik:
            spaced = " ".join(row.nik[i : i + 4] for i in range(0, 16, 4))
            found = records.search(
                demo_ctx, RecordQuery(text=spaced), 0, 10, actor=actor_for(demo_ctx)
            )
            assert [r.id for r in found] == [row.id]
        if row.nama:
            last_word = row.nama.split()[-1].lower()
            found_ids = {
                r.id
                for r in records.search(
                    demo_ctx, RecordQuery(text=last_word), 0, 100, actor=actor_for(demo_ctx)
                )
            }
            assert row.id in found_ids
    tms = {r.id for r in stored if r.eligible is False}
    ms = {r.id for r in stored if r.eligible is True}
    assert {
        r.id
        for r in records.search(
            demo_ctx, RecordQuery(eligibility="TMS"), 0, 100, actor=actor_for(demo_ctx)
        )
    } == tms
    assert {
        r.id
        for r in records.search(
            demo_ctx, RecordQuery(eligibility="MS"), 0, 100, actor=actor_for(demo_ctx)
        )
    } == ms
    units = sorted({r.unit_kerja for r in stored if r.unit_kerja})
    assert records.unit_names(demo_ctx, actor=actor_for(demo_ctx)) == units
    for unit in units:
        expected = {r.id for r in stored if r.unit_kerja == unit}
        found = records.search(
            demo_ctx, RecordQuery(unit_kerja=unit), 0, 100, actor=actor_for(demo_ctx)
        )
        assert {r.id for r in found} == expected


@pytest.mark.usefixtures("listed")
@pytest.mark.parametrize("order", list(RecordOrder))
def test_orders_with_a_filter_agree_with_the_unfiltered_ones(
    app_ctx: AppContext, order: RecordOrder
) -> None:
    # With a filter the query is planned differently (see records._ordering); same result.
    everything = records.search(app_ctx, RecordQuery(order=order), 0, 100, actor=actor_for(app_ctx))
    for query in (
        RecordQuery(order=order, eligibility="MS"),
        RecordQuery(order=order, unit_kerja="Dinas Pendidikan"),
        RecordQuery(order=order, status=RecordStatus.PENDAFTARAN_SELESAI),
        RecordQuery(order=order, text="3273"),
    ):
        found = records.search(app_ctx, query, 0, 100, actor=actor_for(app_ctx))
        expected = [
            r
            for r in everything
            if (query.eligibility is None or r.eligible is True)
            and (query.unit_kerja is None or r.unit_kerja == query.unit_kerja)
            and (query.status is None or r.status is query.status)
            and (not query.text or (r.nik or "").startswith(query.text))
        ]
        assert found == expected
        assert found


def test_a_whole_nik_finds_both_records_of_a_flagged_pair(
    app_ctx: AppContext, listed: dict[str, int]
) -> None:
    # Issue 10's leftover: the second holder keeps the NIK in conflict_nik, not in nik.
    nik = flag_nik_conflict(app_ctx, listed["I GUSTI AYU DEWI"], listed["O'NEIL 100% TEST"])
    both = RecordQuery(text=f"{nik[:4]} {nik[4:8]} {nik[8:12]} {nik[12:]}")
    assert sorted(_names(app_ctx, both), key=str) == ["I GUSTI AYU DEWI", "O'NEIL 100% TEST"]
    assert records.count(app_ctx, both, actor=actor_for(app_ctx)) == 2
    counts = records.counts_by_status(app_ctx, both, actor=actor_for(app_ctx))
    assert counts[RecordStatus.DISETUJUI] == counts[RecordStatus.PERLU_PERBAIKAN] == 1
    # A prefix finds the holder of the NIK only (Data › NIK Ganda lists every pair).
    by_prefix = _names(app_ctx, RecordQuery(text=nik[:15]))
    assert "I GUSTI AYU DEWI" in by_prefix
    assert "O'NEIL 100% TEST" not in by_prefix
