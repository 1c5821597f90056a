"""What a file really is and what its header declares, read before anything is decoded.

The type is decided by the content (magic bytes), never by the name. A picture's size is read
from its header, and a JPEG's structure (how many scans and segments) is counted without decoding,
so a file that would make the decoder work for minutes is refused first. Pure: bytes in, facts
out; used by :mod:`nonasn_desktop.rules.documents` and the compliant copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nonasn_desktop.policy.model import DocumentPolicy

# Bytes read from a file too large to check, to name what it is.
HEAD_BYTES = 4096


@dataclass(frozen=True)
class DetectedType:
    """What a file really is, judged by its first bytes."""

    media_type: str | None
    # Indonesian description for messages, e.g. "gambar PNG".
    label: str
    # Short name for change notes, e.g. "PNG".
    short: str
    # The Pillow plugin that may open it; None when it is not a picture we decode.
    pillow_format: str | None = None


JPEG = DetectedType("image/jpeg", "gambar JPEG", "JPEG", "JPEG")
PDF = DetectedType("application/pdf", "dokumen PDF", "PDF")
_UNKNOWN = DetectedType(None, "data yang jenisnya tidak dikenali", "tidak dikenal")
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}


def detect_type(data: bytes) -> DetectedType:
    """The real type of ``data`` by its content; the file name plays no part."""
    head = data[:HEAD_BYTES]
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return DetectedType("image/png", "gambar PNG", "PNG", "PNG")
    if head.startswith((b"GIF87a", b"GIF89a")):
        return DetectedType("image/gif", "gambar GIF", "GIF", "GIF")
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return DetectedType("image/webp", "gambar WebP", "WebP", "WEBP")
    if head.startswith(b"BM") and len(head) >= 26:
        return DetectedType("image/bmp", "gambar BMP", "BMP", "BMP")
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return DetectedType("image/tiff", "gambar TIFF", "TIFF", "TIFF")
    if head[4:8] == b"ftyp":
        return _detect_ftyp(head[8:12])
    if head.startswith(b"PK\x03\x04"):
        return _detect_zip(data)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return DetectedType("application/x-ole-storage", "dokumen Office lama (DOC/XLS/PPT)", "DOC")
    if head.startswith(b"Rar!\x1a\x07"):
        return DetectedType("application/vnd.rar", "arsip RAR", "RAR")
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return DetectedType("application/x-7z-compressed", "arsip 7-Zip", "7Z")
    if head.startswith(b"MZ"):
        return DetectedType("application/x-msdownload", "program Windows (EXE)", "EXE")
    return _detect_text(head)


def _detect_ftyp(brand: bytes) -> DetectedType:
    """An ISO media file (a phone's photo or a video) by its major brand."""
    if brand in _HEIF_BRANDS:
        return DetectedType("image/heic", "foto HEIC/HEIF (format bawaan iPhone)", "HEIC")
    if brand in _AVIF_BRANDS:
        return DetectedType("image/avif", "gambar AVIF", "AVIF")
    return DetectedType("video/mp4", "berkas video", "video")


def _detect_zip(data: bytes) -> DetectedType:
    """A ZIP container: an Office document by the folders it holds, else a plain archive."""
    if b"word/" in data:
        return DetectedType(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "dokumen Word (DOCX)",
            "DOCX",
        )
    if b"xl/" in data:
        return DetectedType(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "lembar kerja Excel (XLSX)",
            "XLSX",
        )
    return DetectedType("application/zip", "arsip ZIP", "ZIP")


def _detect_text(head: bytes) -> DetectedType:
    if b"\x00" in head:
        return _UNKNOWN
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the end of the head is still text.
        if exc.start < len(head) - 4:
            return _UNKNOWN
        text = head[: exc.start].decode("utf-8")
    lowered = text.lstrip("\ufeff \t\r\n").lower()
    if lowered.startswith(("<!doctype html", "<html")) or "<html" in lowered[:1024]:
        return DetectedType("text/html", "halaman web (HTML)", "HTML")
    if "<svg" in lowered[:1024]:
        return DetectedType("image/svg+xml", "gambar SVG", "SVG")
    printable = sum(ch.isprintable() or ch in "\t\r\n" for ch in text)
    if text and printable >= 0.95 * len(text):
        return DetectedType("text/plain", "teks biasa", "teks")
    return _UNKNOWN


# --- keeping hostile files quiet -----------------------------------------------------------


# --- header measurements (before Pillow sees the file) -------------------------------------

_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_JPEG_STANDALONE = {0x01, *range(0xD0, 0xD9)}


def _jpeg_declared_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a JPEG's SOF segment, or None when no SOF precedes the scan."""
    index = 2
    end = len(data)
    while index + 4 <= end:
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        if marker == 0xFF:  # fill byte
            index += 1
            continue
        if marker in _JPEG_STANDALONE:
            index += 2
            continue
        length = int.from_bytes(data[index + 2 : index + 4], "big")
        if marker in _JPEG_SOF:
            if index + 9 > end:
                return None
            height = int.from_bytes(data[index + 5 : index + 7], "big")
            width = int.from_bytes(data[index + 7 : index + 9], "big")
            return width, height
        if marker == 0xDA or length < 2:
            return None
        index += 2 + length
    return None


# The next marker after a scan's entropy-coded data: 0xFF (after any fill bytes) followed by
# a byte that is not a stuffed zero, a restart marker or another fill byte.
_NEXT_MARKER = re.compile(rb"\xff(?=[^\x00\xd0-\xd7\xff])")


@dataclass(frozen=True)
class JpegSegments:
    """How many scans (SOS) and marker segments a JPEG holds, counted up to a bound."""

    scans: int
    segments: int
    # False when the walk stopped at the bound: there are at least this many.
    complete: bool


def count_jpeg_segments(data: bytes, max_segments: int) -> JpegSegments:
    """Walk the JPEG's markers (skipping segment payloads such as an EXIF thumbnail, and each
    scan's entropy-coded data) without decoding anything.

    Stops once more than ``max_segments`` segments were seen, so a hostile file costs at most
    that many steps; each step is a C-speed search. A structure it cannot follow ends the walk
    early (the decoder then reports the damage).
    """
    index, end = 2, len(data)
    scans = segments = 0
    while index + 1 < end:
        if segments > max_segments:
            return JpegSegments(scans, segments, complete=False)
        if data[index] != 0xFF:
            break
        marker = data[index + 1]
        if marker == 0xFF:  # fill byte
            index += 1
            continue
        if marker == 0xD9:  # end of image
            break
        if marker in _JPEG_STANDALONE:
            index += 2
            continue
        if index + 4 > end:
            break
        length = int.from_bytes(data[index + 2 : index + 4], "big")
        if length < 2:
            break
        segments += 1
        index += 2 + length
        if marker == 0xDA:
            scans += 1
            found = _NEXT_MARKER.search(data, index)
            if found is None:
                break
            index = found.start()
    return JpegSegments(scans, segments, complete=True)


def decode_work_problem(
    data: bytes, detected: DetectedType, documents: DocumentPolicy
) -> str | None:
    """Why decoding ``data`` would cost far more than any real document (None: it would not).

    A progressive JPEG is decoded once per scan over the whole picture; pixels are bounded by
    ``max_pixels``, scans by ``max_jpeg_scans``, so the work is bounded by their product.
    Checked before Pillow decodes anything.
    """
    if detected is not JPEG:
        return None
    counted = count_jpeg_segments(data, documents.max_jpeg_segments)
    if counted.scans > documents.max_jpeg_scans:
        found = f"{counted.scans}" if counted.complete else f"paling sedikit {counted.scans}"
        return (
            f"Berkas JPEG ini terdiri dari {found} bagian gambar (scan), padahal foto "
            f"atau pindaian biasa paling banyak {documents.max_jpeg_scans}; berkas seperti ini "
            "dapat membuat komputer macet sehingga tidak dibuka. Minta foto atau pindaian "
            "ulang, atau simpan ulang gambarnya sebagai JPEG biasa."
        )
    if counted.segments > documents.max_jpeg_segments:
        return (
            f"Berkas JPEG ini terdiri dari lebih dari {documents.max_jpeg_segments} bagian "
            "(segmen), jauh lebih banyak daripada foto atau pindaian biasa; berkas seperti ini "
            "dapat membuat komputer macet sehingga tidak dibuka. Minta foto atau pindaian ulang."
        )
    return None


def _png_declared_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def declared_size(data: bytes, detected: DetectedType) -> tuple[int, int] | None:
    if detected.pillow_format == "JPEG":
        return _jpeg_declared_size(data)
    if detected.pillow_format == "PNG":
        return _png_declared_size(data)
    return None
