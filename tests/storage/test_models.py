from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.dialects import sqlite

from nonasn_desktop.storage.models import NAMING_CONVENTION, UTCDateTime, metadata

DIALECT = sqlite.dialect()


def test_aware_datetimes_are_stored_as_utc() -> None:
    jakarta = dt.timezone(dt.timedelta(hours=7))
    stored = UTCDateTime().process_bind_param(
        dt.datetime(2026, 1, 5, 15, 30, tzinfo=jakarta), DIALECT
    )
    assert stored == dt.datetime(2026, 1, 5, 8, 30)  # noqa: DTZ001 (stored as naive UTC)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(dt.datetime(2026, 1, 5, 8, 30), DIALECT)  # noqa: DTZ001 (naive on purpose)


def test_loaded_datetimes_are_aware_utc() -> None:
    loaded = UTCDateTime().process_result_value(dt.datetime(2026, 1, 5, 8, 30), DIALECT)  # noqa: DTZ001 (naive on purpose)
    assert loaded == dt.datetime(2026, 1, 5, 8, 30, tzinfo=dt.UTC)
    assert UTCDateTime().process_result_value(None, DIALECT) is None


def test_metadata_uses_the_naming_convention() -> None:
    assert metadata.naming_convention == NAMING_CONVENTION
    expected = {
        "audit_log",
        "batch",
        "clerk",
        "device",
        "device_transfer",
        "document",
        "document_blob",
        "office",
        "office_key",
        "office_data_key_slot",
        "registration",
        "roster_entry",
        "setting",
        "work_history",
    }
    assert set(metadata.tables) == expected


def test_registration_columns_are_named_after_field_keys() -> None:
    columns = set(metadata.tables["registration"].columns.keys())
    identity = {"nik", "nomor_kk", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin"}
    others = {"nomor_hp", "email", "nomor_thk2", "pertanyaan_pengaman", "agama", "alamat"}
    education = {"pendidikan_jenjang", "nama_sekolah", "jurusan", "nomor_ijazah", "tanggal_ijazah"}
    assert identity | others | education | {"masih_aktif", "bentuk_sk"} <= columns


def test_only_hashes_of_secrets_are_columns() -> None:
    for table in metadata.tables.values():
        for name in (column.name for column in table.columns):
            if "password" in name or "kata_sandi" in name or "jawaban" in name:
                assert name.endswith("_hash"), f"{table.name}.{name} would hold a plain secret"
