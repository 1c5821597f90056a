"""Checks of the document files an honorer brings (DOMAIN.md section 4).

Every file is hostile until checked: it may be empty, truncated, renamed, a picture that
declares billions of pixels while being a few bytes long, a locked PDF, or not a document at
all. :func:`check_document` never raises for such a file; it returns a :class:`DocumentCheck`
with one :class:`Finding` per check performed, each explained in Bahasa Indonesia.

The real type of a file is decided by its content (magic bytes), never by its name. Pictures
are measured from their header before anything is decoded, and analysed on a small copy, so a
24-megapixel photo is checked in a fraction of a second. All limits and thresholds come from
the policy (``forms/documents.toml``).
"""

from __future__ import annotations

import io
import logging
import math
import stat
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageFilter

from nonasn_desktop.errors import DocumentError
from nonasn_desktop.policy import default_policy
from nonasn_desktop.policy.model import DocumentPolicy, DocumentRule, Policy
from nonasn_desktop.rules.filetypes import (
    HEAD_BYTES,
    JPEG,
    PDF,
    DetectedType,
    declared_size,
    decode_work_problem,
    detect_type,
)

# Long edge of the copy the image checks look at: enough for colour and background, cheap.
ANALYSIS_EDGE = 512
# A PDF's "%%EOF" marker must be in this many bytes at its end (as PDF readers require).
_PDF_TAIL = 1024
# Pages of a PDF whose page dictionary is looked at; beyond this the count is trusted.
_PDF_PAGES_TOUCHED = 500
# When less than this share of a picture is flat (pure texture or grain), colour is judged on
# every pixel instead of the flat ones.
_MIN_FLAT_SHARE = 0.01

# EXIF orientation → the transposition that shows the picture as meant (as ImageOps does).
_ORIENTATION_TRANSPOSE: dict[int, Image.Transpose] = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_ORIENTATION_TEXT = {
    2: "dicerminkan",
    3: "diputar 180°",
    4: "dibalik atas-bawah",
    5: "dicerminkan dan diputar 90°",
    6: "diputar 90° searah jarum jam",
    7: "dicerminkan dan diputar 90°",
    8: "diputar 90° berlawanan arah jarum jam",
}
_EXIF_ORIENTATION = 0x0112
_EXIF_GPS_IFD = 0x8825


@dataclass(frozen=True)
class Finding:
    """The outcome of one check; ``message`` (Indonesian) explains it whether ok or not."""

    code: str
    ok: bool
    message: str
    fixable: bool = False


@dataclass(frozen=True)
class DocumentCheck:
    """Everything learnt about one file for one kind of document."""

    kind: str
    size: int
    # "image/jpeg", "application/pdf", another detected type, or None when unknown.
    media_type: str | None
    # As displayed, after EXIF orientation; None for a PDF or an unreadable file.
    width: int | None
    height: int | None
    page_count: int | None
    findings: tuple[Finding, ...]

    @property
    def passed(self) -> bool:
        return all(finding.ok for finding in self.findings)

    @property
    def failures(self) -> tuple[Finding, ...]:
        return tuple(finding for finding in self.findings if not finding.ok)

    @property
    def fixable(self) -> bool:
        """True when something fails and a compliant copy can repair every failure."""
        failures = self.failures
        return bool(failures) and all(finding.fixable for finding in failures)


class _PypdfSilencer:
    """Raises pypdf's log level while any thread reads a PDF, and restores it afterwards.

    pypdf reports every repair of a damaged file on its logger; for us a damaged file is an
    expected input whose outcome is reported as a finding, not as console noise.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved = logging.NOTSET
        self._logger = logging.getLogger("pypdf")

    def enter(self) -> None:
        with self._lock:
            if self._depth == 0:
                self._saved = self._logger.level
                self._logger.setLevel(logging.CRITICAL + 1)
            self._depth += 1

    def leave(self) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0:
                self._logger.setLevel(self._saved)


_PYPDF_SILENCER = _PypdfSilencer()


@contextmanager
def quiet_decoders() -> Iterator[None]:
    """No warning or log line from Pillow or pypdf escapes while a hostile file is read."""
    _PYPDF_SILENCER.enter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        _PYPDF_SILENCER.leave()


# --- formatting for messages ---------------------------------------------------------------


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _one_decimal(value: float) -> str:
    """Truncated to one decimal with a decimal comma; whole numbers without decimals."""
    tenths = math.floor(value * 10 + 1e-9)
    if tenths % 10 == 0 and math.isclose(value, tenths / 10):
        return _thousands(tenths // 10)
    return f"{_thousands(tenths // 10)},{tenths % 10}"


def format_size(size: int) -> str:
    """A size in KB or MB (1 KB = 1024 byte), e.g. "226 KB", "1,4 MB", "512 byte"."""
    if size >= 1024 * 1024:
        return f"{_one_decimal(size / (1024 * 1024))} MB"
    if size >= 1024:
        return f"{_one_decimal(size / 1024)} KB"
    return f"{_thousands(size)} byte"


def format_bytes(size: int) -> str:
    """Bytes and the human size: "231.424 byte (226 KB)"."""
    if size < 1024:
        return f"{_thousands(size)} byte"
    return f"{_thousands(size)} byte ({format_size(size)})"


def format_limit(size: int) -> str:
    """A limit, human size first: "200 KB (204.800 byte)"."""
    if size < 1024:
        return f"{_thousands(size)} byte"
    return f"{format_size(size)} ({_thousands(size)} byte)"


def _percent(fraction: float) -> str:
    text = f"{fraction * 100:.1f}".removesuffix(".0")
    return text.replace(".", ",") + "%"


def _megapixels(pixels: int) -> str:
    return f"{_one_decimal(pixels / 1_000_000)} juta piksel"


def formats_label(rule: DocumentRule) -> str:
    """The accepted formats as a clerk reads them: "JPG/JPEG" or "PDF atau JPG/JPEG"."""
    names = {"jpeg": "JPG/JPEG", "pdf": "PDF"}
    return " atau ".join(names[fmt] for fmt in rule.formats)


# --- image helpers shared with the compliant copy ------------------------------------------


def exif_orientation(image: Image.Image) -> int:
    """The EXIF orientation (1..8) of an opened image; 1 when absent or nonsense."""
    try:
        value = image.getexif().get(_EXIF_ORIENTATION, 1)
    except Exception:  # A hostile EXIF block must not stop the check.
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def has_gps(image: Image.Image) -> bool:
    """Whether the picture carries a GPS position in its EXIF."""
    try:
        return bool(image.getexif().get_ifd(_EXIF_GPS_IFD))
    except Exception:  # A hostile EXIF block must not stop the copy.
        return False


def orient(image: Image.Image, orientation: int) -> Image.Image:
    """The picture as displayed for ``orientation`` (a new image unless it is 1)."""
    method = _ORIENTATION_TRANSPOSE.get(orientation)
    return image.transpose(method) if method is not None else image


def has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        image.mode == "P" and "transparency" in image.info
    )


def flatten(image: Image.Image, *, keep_grey: bool) -> Image.Image:
    """A loaded picture as plain RGB (or L when ``keep_grey`` and it has no colour).

    Transparency is laid on white, CMYK and palettes become RGB, 16-bit grey is scaled down.
    """
    if has_alpha(image):
        rgba = image.convert("RGBA")
        base = Image.new("RGB", rgba.size, (255, 255, 255))
        base.paste(rgba, mask=rgba.getchannel("A"))
        return base
    if image.mode.startswith("I"):
        grey = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
        return grey if keep_grey else grey.convert("RGB")
    if image.mode in ("1", "L", "F"):
        grey = image.convert("L")
        return grey if keep_grey else grey.convert("RGB")
    return image.convert("RGB")


def open_image(data: bytes, detected: DetectedType) -> Image.Image:
    """Open (headers only) with the one Pillow plugin that matches the content."""
    if detected.pillow_format is None:
        raise ValueError(f"{detected.label} bukan gambar yang dapat dibuka")
    return Image.open(io.BytesIO(data), formats=[detected.pillow_format])


# --- the check -----------------------------------------------------------------------------


def _rule(kind: str, policy: Policy | None) -> tuple[DocumentRule, DocumentPolicy]:
    documents = (policy or default_policy()).documents
    rule = documents.rules.get(kind)
    if rule is None:
        raise ValueError(f"unknown document kind {kind!r}")
    return rule, documents


def check_document(kind: str, data: bytes, *, policy: Policy | None = None) -> DocumentCheck:
    """Check ``data`` against the rule for ``kind``; never raises for a bad file.

    Raises ValueError only for an unknown ``kind`` (a programming error).
    """
    rule, documents = _rule(kind, policy)
    size = len(data)
    if size == 0:
        finding = Finding(
            "empty",
            False,
            "Berkas kosong (0 byte). Pilih berkas yang benar atau pindai ulang dokumennya.",
        )
        return DocumentCheck(kind, 0, None, None, None, None, (finding,))
    if size > documents.max_file_bytes:
        return _too_large(kind, size, data[:HEAD_BYTES], rule, documents)

    detected = detect_type(data)
    accepted = _accepted(detected, rule)
    analysis = _Analysis()
    if detected is PDF and accepted:
        _analyse_pdf(data, analysis)
    elif detected.pillow_format is not None:
        _analyse_image(data, detected, rule, documents, analysis)

    image_ok = detected.pillow_format is not None and analysis.decoded
    can_convert = image_ok and "jpeg" in rule.formats
    findings = [
        *_size_findings(size, rule, detected, can_convert),
        _format_finding(detected, rule, accepted, can_convert, analysis.cmyk),
        *analysis.findings,
    ]
    return DocumentCheck(
        kind=kind,
        size=size,
        media_type=detected.media_type,
        width=analysis.width,
        height=analysis.height,
        page_count=analysis.page_count,
        findings=tuple(findings),
    )


def check_document_file(
    kind: str, path: str | Path, *, policy: Policy | None = None
) -> DocumentCheck:
    """Check the file at ``path``. A file above the policy's ``max_file_bytes`` is refused
    before it is read. Raises DocumentError when the path cannot be read at all."""
    rule, documents = _rule(kind, policy)
    path = Path(path)
    try:
        status = path.stat()
        if stat.S_ISDIR(status.st_mode):
            raise DocumentError(
                f"'{path.name}' adalah folder, bukan berkas.",
                hint="Buka folder itu lalu pilih berkas dokumennya.",
            )
        if not stat.S_ISREG(status.st_mode):
            raise DocumentError(
                f"'{path.name}' bukan berkas biasa (mungkin perangkat atau saluran sistem).",
                hint="Pilih berkas dokumen hasil pindaian atau foto.",
            )
        size = status.st_size
        with path.open("rb") as handle:
            if size > documents.max_file_bytes:
                return _too_large(kind, size, handle.read(HEAD_BYTES), rule, documents)
            # The file may have grown since stat(): never read more than the limit allows.
            data = handle.read(documents.max_file_bytes + 1)
    except FileNotFoundError:
        raise DocumentError(
            f"Berkas '{path.name}' tidak ditemukan.",
            hint="Mungkin sudah dipindah atau dihapus; pilih berkasnya lagi.",
        ) from None
    except PermissionError:
        raise DocumentError(
            f"Berkas '{path.name}' tidak boleh dibaca (akses ditolak).",
            hint="Salin berkas itu ke folder Dokumen lalu pilih salinannya.",
        ) from None
    except OSError as exc:
        raise DocumentError(
            f"Berkas '{path.name}' tidak dapat dibaca ({exc.strerror or exc}).",
            hint="Periksa flashdisk/kartu memori atau salin berkasnya ke komputer lalu coba lagi.",
        ) from None
    if len(data) > documents.max_file_bytes:
        return _too_large(kind, len(data), data[:HEAD_BYTES], rule, documents)
    return check_document(kind, data, policy=policy)


def _too_large(
    kind: str, size: int, head: bytes, rule: DocumentRule, documents: DocumentPolicy
) -> DocumentCheck:
    detected = detect_type(head)
    finding = Finding(
        "size_max",
        False,
        f"Berkas {format_size(size)} ({detected.label}) terlalu besar untuk diperiksa "
        f"(batas {format_limit(documents.max_file_bytes)}), sedangkan dokumen ini paling besar "
        f"{format_limit(rule.max_bytes)}. Pindai ulang dengan resolusi lebih rendah "
        "(mis. 150 dpi) atau kirim ulang foto dengan ukuran lebih kecil.",
    )
    return DocumentCheck(kind, size, detected.media_type, None, None, None, (finding,))


def _accepted(detected: DetectedType, rule: DocumentRule) -> bool:
    if detected is JPEG:
        return "jpeg" in rule.formats
    if detected is PDF:
        return "pdf" in rule.formats
    return False


def _size_findings(
    size: int, rule: DocumentRule, detected: DetectedType, can_convert: bool
) -> list[Finding]:
    findings = []
    if rule.min_bytes:
        if size < rule.min_bytes:
            findings.append(
                Finding(
                    "size_min",
                    False,
                    f"Ukuran {format_bytes(size)} kurang dari batas minimal "
                    f"{format_limit(rule.min_bytes)}. Pindai ulang dengan resolusi lebih "
                    "tinggi dan berwarna; berkas tidak diperbesar secara otomatis.",
                )
            )
        else:
            findings.append(
                Finding(
                    "size_min",
                    True,
                    f"Ukuran {format_bytes(size)} tidak kurang dari batas minimal "
                    f"{format_limit(rule.min_bytes)}.",
                )
            )
    if size <= rule.max_bytes:
        findings.append(
            Finding(
                "size_max",
                True,
                f"Ukuran {format_bytes(size)} dalam batas {format_limit(rule.max_bytes)}.",
            )
        )
        return findings
    message = f"Ukuran {format_bytes(size)} melebihi batas {format_limit(rule.max_bytes)}."
    if can_convert:
        message += " Salinan sesuai ketentuan dapat memperkecilnya."
    elif detected is PDF:
        message += (
            " Kompres PDF itu atau pindai ulang dengan resolusi lebih rendah (mis. 150 dpi),"
            " lalu unggah lagi."
        )
    else:
        message += " Unggah berkas yang lebih kecil."
    findings.append(Finding("size_max", False, message, fixable=can_convert))
    return findings


def _format_finding(
    detected: DetectedType,
    rule: DocumentRule,
    accepted: bool,
    can_convert: bool,
    cmyk: bool,
) -> Finding:
    wanted = formats_label(rule)
    if accepted and not cmyk:
        name = "JPG/JPEG" if detected is JPEG else "PDF"
        return Finding("format", True, f"Berkas benar-benar {name} sesuai isinya.")
    if accepted and cmyk:
        return Finding(
            "format",
            False,
            "Berkas JPEG memakai mode warna CMYK (untuk percetakan) yang sering tidak tampil "
            "dengan benar; harus RGB. Salinan sesuai ketentuan dapat mengubahnya.",
            fixable=can_convert,
        )
    message = (
        f"Berkas ini berisi {detected.label}, bukan {wanted} (jenis berkas ditentukan dari isinya, "
        "bukan dari namanya)."
    )
    if can_convert:
        message += " Salinan sesuai ketentuan dapat mengubahnya menjadi JPG/JPEG."
    elif detected.media_type == "image/heic":
        message += (
            f" Unggah {wanted}: di iPhone pilih Pengaturan › Kamera › Format › Paling "
            "Kompatibel lalu foto ulang, atau kirim fotonya lewat aplikasi yang mengubahnya "
            "ke JPG."
        )
    else:
        message += f" Unggah {wanted}."
    return Finding("format", False, message, fixable=can_convert)


class _Analysis:
    """What the content analysis learnt, filled in step by step."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.width: int | None = None
        self.height: int | None = None
        self.page_count: int | None = None
        self.decoded = False
        self.cmyk = False

    def add(self, code: str, ok: bool, message: str, fixable: bool = False) -> None:
        self.findings.append(Finding(code, ok, message, fixable))


def _analyse_image(
    data: bytes,
    detected: DetectedType,
    rule: DocumentRule,
    documents: DocumentPolicy,
    analysis: _Analysis,
) -> None:
    label = detected.label[0].upper() + detected.label[1:]
    unreadable = (
        f"{label} rusak atau terpotong sehingga tidak dapat dibaca "
        "sampai habis. Minta berkas aslinya lagi, atau pindai/foto ulang dokumennya."
    )
    declared = declared_size(data, detected)
    if declared is not None and not _pixels_ok(declared, documents, analysis):
        return
    too_much_work = decode_work_problem(data, detected, documents)
    if too_much_work is not None:
        analysis.add("decode_work", False, too_much_work)
        return
    with quiet_decoders():
        try:
            image = open_image(data, detected)
        except Image.DecompressionBombError:
            _pixel_bomb(None, documents, analysis)
            return
        except Exception:  # Any failure to parse a hostile header is "unreadable".
            analysis.add("readable", False, unreadable)
            return
        with image:
            width, height = image.size
            if width < 1 or height < 1:
                analysis.add("readable", False, unreadable)
                return
            if declared is None and not _pixels_ok((width, height), documents, analysis):
                return
            orientation = exif_orientation(image)
            analysis.cmyk = image.mode == "CMYK" and detected is JPEG
            try:
                rgb = orient(_decode_small(image), orientation)
            except Exception:  # Truncated or corrupt picture data.
                analysis.add("readable", False, unreadable)
                return
    analysis.decoded = True
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    analysis.width, analysis.height = width, height
    analysis.add("readable", True, f"Gambar dapat dibaca utuh ({width}×{height} piksel).")
    if orientation == 1:
        analysis.add("orientation_exif", True, "Orientasi gambar tersimpan normal.")
    else:
        analysis.add(
            "orientation_exif",
            False,
            f"Gambar menyimpan penanda orientasi EXIF {orientation} "
            f"({_ORIENTATION_TEXT[orientation]}); tidak semua aplikasi menampilkannya dengan "
            "benar. Salinan sesuai ketentuan dapat memutarnya secara permanen.",
            fixable=True,
        )
    if rule.colour:
        _colour(rgb, documents, analysis)
    if rule.portrait:
        if height > width:
            analysis.add("portrait", True, f"Foto tegak (potret), {width}×{height} piksel.")
        else:
            analysis.add(
                "portrait",
                False,
                f"Foto tampil {'persegi' if width == height else 'mendatar (lanskap)'} "
                f"{width}×{height} piksel; pas foto harus tegak (potret). Foto ulang dengan "
                "posisi tegak, tinggi lebih besar daripada lebar.",
            )
    if rule.blue_background:
        _blue_background(rgb, documents, analysis)


def _pixels_ok(size: tuple[int, int], documents: DocumentPolicy, analysis: _Analysis) -> bool:
    width, height = size
    if width * height > documents.max_pixels:
        _pixel_bomb(size, documents, analysis)
        return False
    analysis.add(
        "pixels",
        True,
        f"Ukuran gambar {width}×{height} piksel dalam batas {_megapixels(documents.max_pixels)}.",
    )
    return True


def _pixel_bomb(
    size: tuple[int, int] | None, documents: DocumentPolicy, analysis: _Analysis
) -> None:
    declared = (
        f"ukuran {size[0]}×{size[1]} piksel ({_megapixels(size[0] * size[1])})"
        if size
        else "jumlah piksel yang sangat besar"
    )
    analysis.add(
        "pixels",
        False,
        f"Gambar menyatakan {declared}, melebihi batas "
        f"{_megapixels(documents.max_pixels)}; berkas seperti ini dapat membuat komputer macet "
        "sehingga tidak dibuka. Minta foto atau pindaian dengan resolusi biasa.",
    )


def _decode_small(image: Image.Image) -> Image.Image:
    """Decode every byte of the picture (so truncation shows) into an RGB copy whose long
    edge is at most ANALYSIS_EDGE."""
    width, height = image.size
    scale = ANALYSIS_EDGE / max(width, height)
    if scale < 1:
        # For a JPEG, decode at 1/2, 1/4 or 1/8 scale directly: far faster, same verdict.
        image.draft(image.mode, (max(1, int(width * scale)), max(1, int(height * scale))))
    image.load()
    rgb = flatten(image, keep_grey=False)
    if max(rgb.size) > ANALYSIS_EDGE:
        rgb.thumbnail((ANALYSIS_EDGE, ANALYSIS_EDGE), Image.Resampling.BILINEAR)
    return rgb


def _colour(rgb: Image.Image, documents: DocumentPolicy, analysis: _Analysis) -> None:
    """Colour or grey: the share of pixels whose chroma (max - min of R, G, B) exceeds the
    policy, counted on flat areas only. Scanners and lenses paint false colour fringes along
    black text; a sharp light/dark edge there is left out, while the blue of a KTP, a stamp
    or a photo covers flat areas and counts."""
    policy = documents.colour
    red, green, blue = rgb.split()
    highest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    lowest = ImageChops.darker(ImageChops.darker(red, green), blue)
    chroma = ImageChops.subtract(highest, lowest)
    edges = rgb.convert("L").filter(ImageFilter.FIND_EDGES).filter(ImageFilter.MaxFilter(3))
    flat = edges.point([255 if v < policy.edge_contrast else 0 for v in range(256)])
    histogram = chroma.histogram(mask=flat)
    if sum(histogram) < _MIN_FLAT_SHARE * rgb.width * rgb.height:
        histogram = chroma.histogram()  # all texture, no flat area to judge: use everything
    fraction = sum(histogram[policy.pixel_chroma + 1 :]) / max(1, sum(histogram))
    if fraction >= policy.min_coloured_fraction:
        analysis.add(
            "colour", True, f"Gambar berwarna ({_percent(fraction)} bagian gambar berwarna)."
        )
    else:
        analysis.add(
            "colour",
            False,
            f"Gambar tampak hitam-putih/abu-abu (hanya {_percent(fraction)} bagian gambar "
            f"berwarna, perlu paling sedikit {_percent(policy.min_coloured_fraction)}). Pindai "
            "ulang dokumen asli dengan mode Warna (Color), bukan Grayscale/Hitam-putih dan "
            "bukan dari fotokopi, atau foto ulang dengan kamera berwarna.",
        )


def _band_mask(hsv: Image.Image, documents: DocumentPolicy) -> Image.Image:
    """255 where a pixel of an HSV picture is blue by the policy, 0 elsewhere."""
    policy = documents.blue_background
    low = policy.hue_min / 360 * 255
    high = policy.hue_max / 360 * 255
    if low <= high:
        hue_lut = [255 if low <= h <= high else 0 for h in range(256)]
    else:  # a range that wraps around 0°
        hue_lut = [255 if h >= low or h <= high else 0 for h in range(256)]
    sat_lut = [255 if s >= policy.min_saturation * 255 else 0 for s in range(256)]
    val_lut = [255 if v >= policy.min_value * 255 else 0 for v in range(256)]
    hue, sat, val = hsv.split()
    return ImageChops.multiply(
        ImageChops.multiply(hue.point(hue_lut), sat.point(sat_lut)), val.point(val_lut)
    )


def _blue_background(rgb: Image.Image, documents: DocumentPolicy, analysis: _Analysis) -> None:
    band = documents.blue_background.band
    width, height = rgb.size
    band_h = max(1, round(height * band))
    band_w = max(1, round(width * band))
    mask = _band_mask(rgb.convert("HSV"), documents)
    boxes = [
        (0, 0, width, band_h),  # top
        (0, band_h, band_w, height),  # left, below the top band
        (max(band_w, width - band_w), band_h, width, height),  # right
    ]
    blue = 0
    total = 0
    for box in boxes:
        region = mask.crop(box)
        blue += region.histogram()[255]
        total += region.width * region.height
    fraction = blue / total if total else 0.0
    needed = documents.blue_background.min_fraction
    if fraction >= needed:
        analysis.add(
            "blue_background",
            True,
            f"Latar belakang biru ({_percent(fraction)} tepi foto berwarna biru).",
        )
    else:
        analysis.add(
            "blue_background",
            False,
            f"Latar belakang bukan biru (hanya {_percent(fraction)} tepi foto berwarna biru, "
            f"perlu paling sedikit {_percent(needed)}). Foto ulang dengan latar belakang biru "
            "polos.",
        )


def _analyse_pdf(data: bytes, analysis: _Analysis) -> None:
    damaged = (
        "PDF rusak atau terpotong sehingga tidak dapat dibaca. Minta berkas aslinya lagi atau "
        "simpan ulang/pindai ulang dokumennya sebagai PDF."
    )
    if b"%%EOF" not in data[-_PDF_TAIL:]:
        analysis.add(
            "readable",
            False,
            "PDF terpotong: akhir berkasnya tidak ada (mungkin unduhan atau penyalinan belum "
            "selesai). Salin atau unduh ulang berkas itu dari sumbernya.",
        )
        return
    # Imported here, not at the top: pypdf takes 0.1-0.2 s to import and is needed only when
    # a PDF is checked, never at start-up (this module is imported on the way to the window).
    import pypdf

    with quiet_decoders():
        try:
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            encrypted = reader.is_encrypted
        except Exception:  # Any parse failure of a hostile PDF is "unreadable".
            analysis.add("readable", False, damaged)
            return
        if encrypted:
            analysis.add("readable", True, "PDF dapat dibuka.")
            analysis.add(
                "pdf_encrypted",
                False,
                "PDF terkunci (dienkripsi atau dilindungi kata sandi), sehingga tidak dapat "
                "diperiksa dan dikirim. Simpan ulang tanpa kata sandi (mis. Cetak › Simpan "
                "sebagai PDF) lalu unggah lagi.",
            )
            return
        try:
            count = len(reader.pages)
            for page in reader.pages[:_PDF_PAGES_TOUCHED]:
                _ = page.mediabox
        except Exception:  # A broken page tree.
            analysis.add("readable", False, damaged)
            return
    analysis.decoded = True
    analysis.page_count = count
    analysis.add("readable", True, f"PDF dapat dibaca ({count} halaman).")
    analysis.add("pdf_encrypted", True, "PDF tidak terkunci.")
    if count >= 1:
        analysis.add("pdf_pages", True, f"PDF berisi {count} halaman.")
    else:
        analysis.add(
            "pdf_pages",
            False,
            "PDF tidak berisi satu halaman pun. Pindai atau simpan ulang dokumennya.",
        )
