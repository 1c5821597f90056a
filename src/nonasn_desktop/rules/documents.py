"""Checks of the document files an honorer brings (DOMAIN.md section 4).

Every file is hostile until checked: it may be empty, truncated, renamed, a picture that
declares billions of pixels while being a few bytes long, a locked PDF, or not a document at
all. :func:`check_document` never raises for such a file; it returns a :class:`DocumentCheck`
with one :class:`Finding` per check performed, each explained in Bahasa Indonesia.

The real type of a file is decided by its content (magic bytes), never by its name. Pictures
are measured from their header before anything is decoded, and analysed on a small copy, so a
24-megapixel photo is checked in a fraction of a second. All limits and thresholds come from
the policy (``forms/documents.toml``).

This module decides size and format; the content of a picture is analysed in
:mod:`~nonasn_desktop.rules.image_checks`, that of a PDF in
:mod:`~nonasn_desktop.rules.pdf_checks`.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path

from nonasn_desktop.errors import DocumentError
from nonasn_desktop.policy import default_policy
from nonasn_desktop.policy.model import DocumentPolicy, DocumentRule, Policy
from nonasn_desktop.rules.filetypes import HEAD_BYTES, JPEG, PDF, DetectedType, detect_type
from nonasn_desktop.rules.findings import Analysis, Finding, one_decimal, thousands
from nonasn_desktop.rules.image_checks import analyse_image
from nonasn_desktop.rules.pdf_checks import analyse_pdf


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


# --- formatting for messages ---------------------------------------------------------------


def format_size(size: int) -> str:
    """A size in KB or MB (1 KB = 1024 byte), e.g. "226 KB", "1,4 MB", "512 byte"."""
    if size >= 1024 * 1024:
        return f"{one_decimal(size / (1024 * 1024))} MB"
    if size >= 1024:
        return f"{one_decimal(size / 1024)} KB"
    return f"{thousands(size)} byte"


def format_bytes(size: int) -> str:
    """Bytes and the human size: "231.424 byte (226 KB)"."""
    if size < 1024:
        return f"{thousands(size)} byte"
    return f"{thousands(size)} byte ({format_size(size)})"


def format_limit(size: int) -> str:
    """A limit, human size first: "200 KB (204.800 byte)"."""
    if size < 1024:
        return f"{thousands(size)} byte"
    return f"{format_size(size)} ({thousands(size)} byte)"


def formats_label(rule: DocumentRule) -> str:
    """The accepted formats as a clerk reads them: "JPG/JPEG" or "PDF atau JPG/JPEG"."""
    names = {"jpeg": "JPG/JPEG", "pdf": "PDF"}
    return " atau ".join(names[fmt] for fmt in rule.formats)


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
    analysis = Analysis()
    if detected is PDF and accepted:
        analyse_pdf(data, analysis)
    elif detected.pillow_format is not None:
        analyse_image(data, detected, rule, documents, analysis)

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
