from __future__ import annotations

import datetime as dt
import decimal
from pathlib import PurePosixPath

import pytest

from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.storage import jsontext


def test_domain_values_become_plain_json() -> None:
    value = {
        "tanggal_lahir": dt.date(1990, 1, 5),
        "at": dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC),
        "status": RecordStatus.DRAF,
        "gaji": decimal.Decimal("1500000"),
        "kinds": {"ktp", "kk"},
        "pair": (1, 2),
        "file": PurePosixPath("/tmp/a.jpg"),
        "nama": "Siti Nurhaliza",
    }
    assert jsontext.loads(jsontext.dumps(value)) == {
        "tanggal_lahir": "1990-01-05",
        "at": "2026-01-05T08:00:00+00:00",
        "status": "draf",
        "gaji": "1500000",
        "kinds": ["kk", "ktp"],
        "pair": [1, 2],
        "file": "/tmp/a.jpg",
        "nama": "Siti Nurhaliza",
    }


def test_non_ascii_stays_readable() -> None:
    assert jsontext.dumps({"alamat": "Jl. Ṣalīḥ"}) == '{"alamat": "Jl. Ṣalīḥ"}'


def test_unknown_types_are_a_bug() -> None:
    with pytest.raises(TypeError, match="object"):
        jsontext.dumps({"x": object()})


def test_null_column() -> None:
    assert jsontext.loads(None) is None
