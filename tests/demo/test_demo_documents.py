"""Synthetic sample documents: they pass their rules, are reproducible and quick to make."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image

from nonasn_desktop.demo.documents import SAMPLE_KINDS, make_sample_document
from nonasn_desktop.policy import default_policy
from nonasn_desktop.rules.documents import check_document
from nonasn_desktop.rules.filetypes import detect_type

SEEDS = range(5)


def test_every_policy_kind_has_a_generator() -> None:
    assert set(SAMPLE_KINDS) == set(default_policy().documents.rules)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", SAMPLE_KINDS)
def test_sample_passes_its_rule(kind: str, seed: int) -> None:
    data, filename = make_sample_document(kind, seed=seed)
    check = check_document(kind, data)
    assert check.passed, [finding.message for finding in check.failures]
    extension = filename.rsplit(".", 1)[1]
    assert (
        detect_type(data).media_type == {"jpg": "image/jpeg", "pdf": "application/pdf"}[extension]
    )
    assert filename == f"{kind}_contoh_{seed}.{extension}"


@pytest.mark.parametrize("kind", SAMPLE_KINDS)
def test_same_seed_same_bytes_other_seed_other_bytes(kind: str) -> None:
    first, _ = make_sample_document(kind, seed=7)
    again, _ = make_sample_document(kind, seed=7)
    other, _ = make_sample_document(kind, seed=8)
    assert first == again
    assert first != other


def test_name_is_used_in_the_file_name_and_changes_the_document() -> None:
    plain, _ = make_sample_document("ktp", seed=1)
    named, filename = make_sample_document("ktp", seed=1, name="Siti Nurhaliza")
    assert filename == "ktp_siti_nurhaliza_1.jpg"
    assert named != plain


def test_ijazah_is_a_realistic_size() -> None:
    rule = default_policy().document("ijazah")
    for seed in SEEDS:
        data, filename = make_sample_document("ijazah", seed=seed)
        assert filename.endswith(".pdf")
        assert rule.min_bytes <= len(data) <= rule.max_bytes


def test_kk_comes_as_jpeg_and_as_pdf() -> None:
    extensions = {make_sample_document("kk", seed=seed)[1].rsplit(".", 1)[1] for seed in range(8)}
    assert extensions == {"jpg", "pdf"}


def test_pas_foto_is_an_upright_blue_portrait() -> None:
    data, _ = make_sample_document("pas_foto", seed=3)
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        corner = image.convert("RGB").getpixel((3, 3))
    assert height > width
    assert isinstance(corner, tuple)
    assert corner[2] > corner[0] + 60  # blue dominates the background


def test_ktp_is_a_card_shaped_colour_scan() -> None:
    data, _ = make_sample_document("ktp", seed=2)
    check = check_document("ktp", data)
    assert check.width is not None
    assert check.height is not None
    assert abs(check.width / check.height - 85.6 / 54) < 0.02


def test_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="no sample generator"):
        make_sample_document("paspor", seed=1)


def test_generation_is_fast() -> None:
    make_sample_document("ktp", seed=0)  # warm up fonts and imports
    start = time.perf_counter()
    count = 0
    for seed in range(3):
        for kind in SAMPLE_KINDS:
            make_sample_document(kind, seed=100 + seed)
            count += 1
    average = (time.perf_counter() - start) / count
    # About 20 ms on a developer machine; the bound leaves room for a busy CI runner.
    assert average < 0.12, f"{average * 1000:.0f} ms per document"
