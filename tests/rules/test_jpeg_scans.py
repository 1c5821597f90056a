"""A JPEG whose decoding costs far more than any real document is refused before decoding.

The attack: a progressive JPEG whose last scan is repeated thousands of times. Every scan is
decoded over the whole picture, so a 318 KB file of 6000×6000 pixels with 3,000 scans kept
``nonasn check document`` busy for over a minute and was then accepted. The files here are
small (the refusal is by the count of scans, not by size or time).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PIL import Image

from helpers.files import (
    colour_jpeg,
    exif_rotated_jpeg,
    flat_progressive_jpeg,
    progressive_jpeg,
    repeated_last_scan,
)
from nonasn_desktop.errors import DocumentError
from nonasn_desktop.policy import default_policy
from nonasn_desktop.rules import image_checks
from nonasn_desktop.rules.compliant_copy import make_compliant_copy
from nonasn_desktop.rules.documents import check_document, check_document_file
from nonasn_desktop.rules.filetypes import count_jpeg_segments

LIMITS = default_policy().documents


@pytest.fixture(scope="module")
def hostile() -> bytes:
    return repeated_last_scan(flat_progressive_jpeg(), 3000)


def test_scans_are_counted_without_decoding() -> None:
    baseline = count_jpeg_segments(colour_jpeg(200, 150), 1000)
    assert (baseline.scans, baseline.complete) == (1, True)
    progressive = count_jpeg_segments(progressive_jpeg(), 1000)
    assert 2 <= progressive.scans <= LIMITS.max_jpeg_scans
    repeated = count_jpeg_segments(repeated_last_scan(progressive_jpeg(), 5), 1000)
    assert repeated.scans == progressive.scans + 5


def test_an_exif_thumbnail_is_not_counted() -> None:
    # The EXIF block (with its own markers) is skipped as a whole segment.
    data = exif_rotated_jpeg(6)
    assert count_jpeg_segments(data, 1000).scans == 1


def test_the_walk_stops_at_its_bound(hostile: bytes) -> None:
    counted = count_jpeg_segments(hostile, 100)
    assert not counted.complete
    assert counted.segments == 101
    assert (
        count_jpeg_segments(hostile, 10_000).scans
        == 3000 + count_jpeg_segments(flat_progressive_jpeg(), 100).scans
    )


def test_a_jpeg_with_thousands_of_scans_is_refused_before_decoding(
    hostile: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_decoding(*_args: object, **_kwargs: object) -> Image.Image:
        raise AssertionError("the picture must not be decoded")

    monkeypatch.setattr(image_checks, "open_image", no_decoding)
    check = check_document("kk", hostile)
    assert not check.passed
    assert not check.fixable
    (refusal,) = [f for f in check.failures if f.code == "decode_work"]
    assert "bagian gambar (scan)" in refusal.message
    assert f"paling banyak {LIMITS.max_jpeg_scans}" in refusal.message


def test_the_limits_are_policy(hostile: bytes) -> None:
    policy = default_policy()
    relaxed = dataclasses.replace(
        policy,
        documents=dataclasses.replace(
            policy.documents, max_jpeg_scans=10_000, max_jpeg_segments=10_000
        ),
    )
    relaxed_check = check_document("kk", hostile, policy=relaxed)
    assert "decode_work" not in {f.code for f in relaxed_check.failures}
    thirty = repeated_last_scan(flat_progressive_jpeg(), 30)

    def refusal_with(**limits: int) -> str:
        documents = dataclasses.replace(policy.documents, **limits)
        limited = dataclasses.replace(policy, documents=documents)
        check = check_document("kk", thirty, policy=limited)
        (refusal,) = [f for f in check.failures if f.code == "decode_work"]
        return refusal.message

    # The walk stops at the segment bound: the scans are "at least" what it counted.
    assert "paling sedikit 27 bagian" in refusal_with(max_jpeg_scans=20, max_jpeg_segments=40)
    assert "lebih dari 20 bagian (segmen)" in refusal_with(max_jpeg_segments=20)


def test_an_ordinary_progressive_jpeg_is_still_accepted() -> None:
    check = check_document("kk", progressive_jpeg(1200, 900))
    assert "decode_work" not in {f.code for f in check.findings}


def test_no_compliant_copy_is_made_of_it(hostile: bytes) -> None:
    with pytest.raises(DocumentError, match=r"bagian gambar \(scan\)"):
        make_compliant_copy("kk", hostile)


def test_a_file_on_disk_is_refused_the_same_way(hostile: bytes, tmp_path: Path) -> None:
    path = tmp_path / "kk.jpg"
    path.write_bytes(hostile)
    check = check_document_file("kk", path)
    assert "decode_work" in {f.code for f in check.failures}
