"""People and print jobs for the printing tests: ordinary ones and the longest allowed.

Pytest fixtures, imported by the test modules that use them (a conftest.py here would shadow
the top-level one for modules that import names from ``conftest``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from nonasn_desktop.demo.documents import make_sample_document
from nonasn_desktop.printing.common import PrintJob
from nonasn_desktop.printing.model import PrintableRegistration
from nonasn_desktop.rules.status import RecordStatus

WHEN = dt.datetime(2022, 10, 3, 2, 15, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def photo() -> bytes:
    return make_sample_document("pas_foto", seed=1)[0]


@pytest.fixture
def job() -> PrintJob:
    return PrintJob(
        office_code="3273",
        office_name="Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kota Bandung",
        instansi_name="Pemerintah Kota Bandung",
        printed_at=WHEN,
        printed_by="Siti Rahmawati",
    )


@pytest.fixture
def person(photo: bytes) -> PrintableRegistration:
    return PrintableRegistration(
        registration_id=7,
        account_number="3273-2022-000007",
        status=RecordStatus.PENDAFTARAN_SELESAI,
        nik="3273014508900001",
        nama="Dewi Lestari",
        tempat_lahir="Bandung",
        tanggal_lahir=dt.date(1990, 8, 5),
        jenis_kelamin="Perempuan",
        nomor_hp="+6281234567890",
        instansi="Pemerintah Kota Bandung",
        unit_kerja="Dinas Pendidikan",
        jabatan="Tenaga Administrasi",
        account_created_at=WHEN,
        completed_at=WHEN,
        photo=photo,
        photo_sha256="a" * 64,
    )


@pytest.fixture
def long_job(job: PrintJob) -> PrintJob:
    """Office and instansi names at their 150-character limit."""
    return dataclasses.replace(
        job,
        office_code="BKDJAKPUS123",
        office_name=(
            "Badan Kepegawaian Daerah Provinsi Daerah Khusus Ibukota Jakarta Bidang "
            "Pengadaan, Pemberhentian dan Informasi Kepegawaian Wilayah Utara Raya"
        )[:150],
        instansi_name=("Pemerintah Provinsi Daerah Khusus Ibukota Jakarta " * 4)[:150],
        printed_by="Petugas Pendaftaran Dengan Nama Yang Sangat Panjang Sekali",
    )


@pytest.fixture
def long_person(person: PrintableRegistration) -> PrintableRegistration:
    """Every text at the longest the forms allow (nama 100, unit kerja/jabatan 150)."""
    return dataclasses.replace(
        person,
        account_number="BKDJAKPUS123-2022-000123",
        nama=(
            "Raden Roro Ayu Kusumawardhani Setyaningrum Puspitasari Wulandari "
            "Hadiningrat Sastrodiningrat Kusuma"
        )[:100],
        tempat_lahir="Kabupaten Kepulauan Siau Tagulandang Biaro Sulawesi Utara Indonesia"[:60],
        instansi=("Pemerintah Provinsi Daerah Khusus Ibukota Jakarta " * 4)[:150],
        unit_kerja=(
            "Unit Pelaksana Teknis Daerah Pusat Pelayanan Kesehatan Masyarakat "
            "Kecamatan Tanjung Priok Kota Administrasi Jakarta Utara Bagian Tata Usaha"
        )[:150],
        jabatan=(
            "Pengadministrasi Umum pada Subbagian Tata Usaha dan Kepegawaian Bidang "
            "Pelayanan Kesehatan Rujukan Tingkat Lanjut dan Penunjang Medis Lainnya"
        )[:150],
    )
