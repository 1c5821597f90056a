"""``nonasn check nik|eligibility|document``: the rules core, from the command line.

These commands need no data folder: IT staff can script them against any input.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from nonasn_desktop.atomicfile import write_bytes_atomically
from nonasn_desktop.cli.argparse_id import ArgumentParser, UsageError
from nonasn_desktop.core.context import utc_now
from nonasn_desktop.errors import DocumentError, FieldError
from nonasn_desktop.policy import default_policy
from nonasn_desktop.rules.compliant_copy import make_compliant_copy
from nonasn_desktop.rules.documents import DocumentCheck, check_document_file
from nonasn_desktop.rules.eligibility import EligibilityInput, evaluate
from nonasn_desktop.rules.formatting import format_date, parse_date
from nonasn_desktop.rules.identity import nik_disagreements, parse_nik

OK, FAILED = 0, 1
_SEX_LABEL = {"L": "Laki-laki", "P": "Perempuan"}


def register(commands: Any) -> None:
    policy = default_policy()
    check: ArgumentParser = commands.add_parser("check", help="periksa NIK, kelayakan, dokumen")
    kinds = check.add_subparsers(dest="check", metavar="JENIS", required=True)

    nik = kinds.add_parser("nik", help="periksa NIK")
    nik.add_argument("nik", metavar="NIK")
    nik.add_argument("--birth-date", metavar="YYYY-MM-DD", help="tanggal lahir yang diketik")
    nik.add_argument("--sex", choices=["L", "P"], help="jenis kelamin yang dipilih")
    nik.set_defaults(handler=check_nik)

    elig = kinds.add_parser("eligibility", help="periksa kriteria E1-E5")
    elig.add_argument("--birth-date", required=True, metavar="D", help="tanggal lahir")
    elig.add_argument("--start-date", required=True, metavar="D", help="TMT SK pertama")
    elig.add_argument(
        "--funding",
        choices=[c.key for c in policy.eligibility.funding_sources],
        default="apbd",
        help="sumber honorarium (bawaan: apbd)",
    )
    elig.add_argument(
        "--procurement", action="store_true", help="dibayar melalui pengadaan barang/jasa"
    )
    elig.add_argument(
        "--appointer",
        choices=[c.key for c in policy.eligibility.appointers],
        default=policy.eligibility.lowest_appointer,
        metavar="LEVEL",
        help="jabatan penandatangan SK: "
        + ", ".join(c.key for c in policy.eligibility.appointers)
        + f" (bawaan: {policy.eligibility.lowest_appointer})",
    )
    elig.add_argument("--inactive", action="store_true", help="tidak lagi aktif bekerja")
    elig.add_argument(
        "--agency", choices=["pusat", "daerah"], help="tingkat instansi (untuk kriteria E2)"
    )
    elig.set_defaults(handler=check_eligibility)

    doc = kinds.add_parser("document", help="periksa berkas dokumen")
    doc.add_argument("--kind", required=True, choices=list(policy.documents.rules), metavar="KIND")
    doc.add_argument("file", type=Path, metavar="FILE")
    doc.add_argument("--fix", type=Path, metavar="OUT", help="tulis salinan yang memenuhi syarat")
    doc.set_defaults(handler=check_document_cmd)


def _date_argument(raw: str, option: str) -> dt.date:
    try:
        return parse_date(raw, option)
    except FieldError as exc:
        raise UsageError(
            f"{option}: {exc.message} (Di baris perintah juga boleh YYYY-MM-DD.)"
        ) from None


def check_nik(args: argparse.Namespace) -> int:
    birth_date = _date_argument(args.birth_date, "--birth-date") if args.birth_date else None
    try:
        # The century of the NIK's two-digit birth year depends on the date of the check.
        info = parse_nik(args.nik, today=utc_now().astimezone().date())
    except FieldError as exc:
        print(f"NIK tidak sah: {exc}", file=sys.stderr)
        return FAILED
    print(f"NIK {info.nik} sah.")
    print(f"Provinsi       : {info.province_name} ({info.province_code})")
    print(f"Kabupaten/Kota : {info.regency_name} ({info.regency_code})")
    print(f"Kode kecamatan : {info.district_code}")
    print(f"Tanggal lahir  : {format_date(info.birth_date)}")
    print(f"Jenis kelamin  : {_SEX_LABEL[info.sex]} ({info.sex})")
    problems = nik_disagreements(info, birth_date, args.sex)
    for problem in problems:
        print(problem, file=sys.stderr)
    return FAILED if problems else OK


def check_eligibility(args: argparse.Namespace) -> int:
    policy = default_policy().eligibility
    data = EligibilityInput(
        birth_date=_date_argument(args.birth_date, "--birth-date"),
        first_tmt=_date_argument(args.start_date, "--start-date"),
        active=not args.inactive,
        funding=args.funding,
        procurement=args.procurement,
        appointer=args.appointer,
        agency_level=args.agency,
    )
    result = evaluate(data, policy)
    for item in result.criteria:
        verdict = "memenuhi" if item.met else "TIDAK memenuhi"
        print(f"{item.code} {item.title}: {verdict}. {item.reason}")
    if result.eligible:
        print("Hasil: MS (memenuhi syarat)")
        return OK
    print(f"Hasil: TMS (tidak memenuhi syarat: {', '.join(result.failed_codes)})")
    return FAILED


def _print_check(check: DocumentCheck, stream: Any = None) -> None:
    out = stream or sys.stdout
    for finding in check.findings:
        mark = "[OK]   " if finding.ok else "[GAGAL]"
        print(f"  {mark} {finding.message}", file=out)


def check_document_cmd(args: argparse.Namespace) -> int:
    source: Path = args.file
    rule = default_policy().document(args.kind)
    if args.fix is not None and args.fix.resolve() == source.resolve():
        raise UsageError("--fix tidak boleh sama dengan berkas asli; berkas asli tidak diubah.")
    check = check_document_file(args.kind, source)
    print(f"Berkas {source.name} sebagai {rule.label}:")
    _print_check(check)
    if check.passed:
        print("Hasil: memenuhi ketentuan.")
        if args.fix is not None:
            print("Tidak ada yang perlu diperbaiki; salinan tidak dibuat.")
        return OK
    if args.fix is None:
        print("Hasil: TIDAK memenuhi ketentuan.", file=sys.stderr)
        if check.fixable:
            print(
                "Berkas ini dapat diperbaiki otomatis: ulangi dengan --fix BERKAS_BARU.",
                file=sys.stderr,
            )
        return FAILED
    try:
        copy = make_compliant_copy(args.kind, source.read_bytes())
    except DocumentError as exc:
        print(f"Salinan tidak dapat dibuat: {exc}", file=sys.stderr)
        return FAILED
    except OSError as exc:
        raise DocumentError(f"Berkas {source} tidak dapat dibaca: {exc.strerror}.") from None
    try:
        write_bytes_atomically(args.fix, copy.data)
    except OSError as exc:
        raise DocumentError(
            f"Salinan tidak dapat ditulis ke {args.fix}: {exc.strerror}.",
            hint="Pilih folder lain yang dapat ditulisi.",
        ) from None
    print(f"Salinan yang memenuhi ketentuan ditulis ke {args.fix} (berkas asli tidak diubah):")
    for change in copy.changes:
        print(f"  - {change}")
    _print_check(copy.check)
    return OK
