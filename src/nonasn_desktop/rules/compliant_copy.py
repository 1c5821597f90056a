"""A compliant copy of a picture that fails only on size, format or orientation.

A clerk cannot send the honorer home because a scan is 230 KB (DOMAIN.md section 4). When
:func:`check_document` says a file is ``fixable``, :func:`make_compliant_copy` makes a new
JPEG from it: the EXIF orientation baked in, converted to plain RGB, every piece of metadata
(EXIF with the GPS position, ICC, XMP, comments) left out, re-compressed with the policy's
qualities and, only when that is not enough, made smaller step by step. It never enlarges a
picture, never goes below the policy's shortest long edge, and never touches the original
bytes. The copy is checked again with the same rules and must pass.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from nonasn_desktop.errors import DocumentError
from nonasn_desktop.policy import default_policy
from nonasn_desktop.policy.model import DocumentRule, Policy
from nonasn_desktop.rules.decoders import (
    exif_orientation,
    flatten,
    has_alpha,
    has_gps,
    open_image,
    orient,
    quiet_decoders,
)
from nonasn_desktop.rules.documents import DocumentCheck, check_document, format_limit
from nonasn_desktop.rules.filetypes import JPEG, decode_work_problem, detect_type

# A scale step is skipped without encoding when the smallest encoding at the previous scale,
# shrunk in proportion to the pixel count, would still exceed the limit by this factor.
_SKIP_MARGIN = 1.25


@dataclass(frozen=True)
class CompliantCopy:
    """The new file, what was done to make it (Indonesian, for the clerk) and its check."""

    data: bytes
    changes: tuple[str, ...]
    check: DocumentCheck


def make_compliant_copy(kind: str, data: bytes, *, policy: Policy | None = None) -> CompliantCopy:
    """A JPEG copy of ``data`` that meets the rule for ``kind``.

    Raises DocumentError (Indonesian, saying why and what to do) when the file already passes,
    when a failure cannot be repaired by a copy, or when no copy within the limits meets the
    rule. Raises ValueError for an unknown ``kind``.
    """
    policy = policy or default_policy()
    original = check_document(kind, data, policy=policy)
    if original.passed:
        raise DocumentError("Berkas sudah memenuhi ketentuan; tidak perlu diperbaiki.")
    if not original.fixable:
        reasons = " ".join(f.message for f in original.failures if not f.fixable)
        raise DocumentError(f"Salinan sesuai ketentuan tidak dapat dibuat. {reasons}")

    rule = policy.documents.rules[kind]
    detected = detect_type(data)
    # The check above refuses such a file already; decoding is bounded here as well, so that
    # this decoder never depends on what a caller did before.
    too_much_work = decode_work_problem(data, detected, policy.documents)
    if too_much_work is not None:
        raise DocumentError(f"Salinan sesuai ketentuan tidak dapat dibuat. {too_much_work}")
    changes: list[str] = []
    with quiet_decoders():
        try:
            with open_image(data, detected) as image:
                orientation = exif_orientation(image)
                metadata = _metadata_note(image)
                image.load()
                mode = image.mode
                transparent = has_alpha(image)
                picture = flatten(image, keep_grey=not rule.colour)
            # Pillow would carry a JPEG comment over from info; the copy has no metadata.
            picture.info = {}
        except Exception:  # The check decoded it; a failure here is still the file's fault.
            raise DocumentError(
                "Gambar tidak dapat dibaca untuk dibuatkan salinan.",
                hint="Minta berkas aslinya lagi, atau pindai/foto ulang dokumennya.",
            ) from None
    if orientation != 1:
        picture = orient(picture, orientation)
        changes.append("Diputar sesuai orientasi EXIF")
    if detected is not JPEG:
        changes.append(f"Diubah dari {detected.short} ke JPEG")
    if mode == "CMYK":
        changes.append("Warna diubah dari CMYK ke RGB")
    if transparent:
        changes.append("Bagian transparan diisi putih")
    if metadata:
        changes.append(metadata)

    encoded, quality, size = _encode_within(picture, rule, policy)
    if size != picture.size:
        changes.append(
            f"Diperkecil dari {picture.width}×{picture.height} ke {size[0]}×{size[1]} piksel"
        )
    changes.append(f"Dikompres ulang (kualitas {quality})")

    check = check_document(kind, encoded, policy=policy)
    if not check.passed:
        reasons = " ".join(f.message for f in check.failures)
        raise DocumentError(f"Salinan yang dibuat masih belum memenuhi ketentuan. {reasons}")
    return CompliantCopy(encoded, tuple(changes), check)


def _metadata_note(image: Image.Image) -> str | None:
    """The change note for the metadata the copy leaves out, or None when there is none."""
    try:
        has_exif = bool(image.getexif())
    except Exception:  # A hostile EXIF block is left out all the same.
        has_exif = True
    info_keys = {"icc_profile", "xmp", "XML:com.adobe.xmp", "comment", "photoshop"}
    if has_gps(image):
        return "Metadata dihapus (EXIF, termasuk lokasi GPS)"
    if has_exif:
        return "Metadata dihapus (EXIF)"
    if info_keys & set(image.info):
        return "Metadata dihapus"
    return None


def _encode(picture: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    # No exif/icc_profile arguments: the copy carries no metadata at all.
    picture.save(buffer, "JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def _sizes(width: int, height: int, step: float, min_long_edge: int) -> list[tuple[int, int]]:
    """The original size, then each step smaller, ending at ``min_long_edge`` at the least."""
    long_edge = max(width, height)
    sizes = [(width, height)]
    if long_edge <= min_long_edge:
        return sizes
    factor = 1.0
    while True:
        factor *= step
        if long_edge * factor < min_long_edge:
            factor = min_long_edge / long_edge
        size = (max(1, round(width * factor)), max(1, round(height * factor)))
        if size != sizes[-1]:
            sizes.append(size)
        if max(size) <= min_long_edge:
            return sizes


def _encode_within(
    picture: Image.Image, rule: DocumentRule, policy: Policy
) -> tuple[bytes, int, tuple[int, int]]:
    """The first encoding, best quality and largest size first, whose size fits the rule."""
    settings = policy.documents.compliant_copy
    qualities = settings.qualities
    lowest = min(qualities)
    sizes = _sizes(picture.width, picture.height, settings.scale_step, settings.min_long_edge)
    index = 0
    while index < len(sizes):
        size = sizes[index]
        frame = (
            picture
            if size == picture.size
            else picture.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        )
        smallest = _encode(frame, lowest)
        if len(smallest) <= rule.max_bytes:
            encoded, quality = _best_quality(frame, qualities, rule.max_bytes, smallest)
            if len(encoded) < rule.min_bytes:
                # The best quality that fits is the largest file at this size; smaller
                # sizes only give smaller files.
                raise DocumentError(
                    f"Salinan JPEG menjadi lebih kecil daripada batas minimal "
                    f"{format_limit(rule.min_bytes)}.",
                    hint="Pindai ulang dokumennya dengan resolusi lebih tinggi dan berwarna.",
                )
            return encoded, quality, size
        index = _next_size(sizes, index, len(smallest), rule.max_bytes)
    raise DocumentError(
        f"Gambar tidak dapat dikecilkan sampai {format_limit(rule.max_bytes)} tanpa menjadi "
        f"terlalu kecil untuk dibaca (sisi panjang paling sedikit "
        f"{settings.min_long_edge} piksel).",
        hint="Pindai ulang dengan resolusi lebih rendah (mis. 150 dpi) atau foto ulang dokumennya "
        "dengan latar polos.",
    )


def _best_quality(
    frame: Image.Image, qualities: tuple[int, ...], limit: int, smallest: bytes
) -> tuple[bytes, int]:
    """The encoding at the best quality whose size is within ``limit``, given ``smallest``,
    the encoding at the lowest quality, which is. A binary search: a JPEG grows with its
    quality."""
    ordered = sorted(set(qualities), reverse=True)
    best = (smallest, ordered[-1])
    low, high = 0, len(ordered) - 2  # candidates better than the lowest quality
    while low <= high:
        middle = (low + high) // 2
        encoded = _encode(frame, ordered[middle])
        if len(encoded) <= limit:
            best = (encoded, ordered[middle])
            high = middle - 1
        else:
            low = middle + 1
    return best


def _next_size(sizes: list[tuple[int, int]], index: int, smallest: int, limit: int) -> int:
    """The next size worth encoding: sizes whose proportional estimate is still clearly too
    large are skipped (a smaller picture never takes fewer bytes per pixel than this estimate
    by much), but the last (smallest allowed) size is always tried."""
    current = sizes[index][0] * sizes[index][1]
    following = index + 1
    while following < len(sizes) - 1:
        pixels = sizes[following][0] * sizes[following][1]
        if smallest * pixels / current <= limit * _SKIP_MARGIN:
            break
        following += 1
    return following
