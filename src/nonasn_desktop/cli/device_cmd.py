"""``nonasn device``: field laptops. At the office: enroll, list, revoke, refresh; on the laptop:
apply a refresh.

Passphrases: the office key's as every office-key command takes it (``--passphrase-file``,
``NONASN_KEY_PASSPHRASE`` or a prompt); the *enrolment passphrase* of a new device from
``--enrollment-passphrase-file FILE``, ``NONASN_ENROLLMENT_PASSPHRASE`` or a prompt (twice).
On a laptop the device key is sealed with the enrolment passphrase, so there the "key
passphrase" (``NONASN_KEY_PASSPHRASE``…) is the enrolment passphrase.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from nonasn_desktop.cli.argparse_id import ArgumentParser
from nonasn_desktop.cli.common import (
    add_data_dir_option,
    data_dir_of,
    database_url_of,
    open_signed_in,
    open_unlocked,
)
from nonasn_desktop.cli.keys_cmd import add_passphrase_option, read_passphrase
from nonasn_desktop.devices import field, registry
from nonasn_desktop.errors import UserError
from nonasn_desktop.rules.formatting import format_date

ENROLMENT_PASSPHRASE_ENV = "NONASN_ENROLLMENT_PASSPHRASE"  # noqa: S105 - a variable name


def read_enrolment_passphrase(args: argparse.Namespace, *, confirm: bool) -> str:
    path: Path | None = getattr(args, "enrollment_passphrase_file", None)
    if path is not None:
        try:
            lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "bukan berkas teks UTF-8"
            raise UserError(f"Berkas frasa sandi {path} tidak dapat dibaca ({reason}).") from None
        if not lines or not lines[0]:
            raise UserError(f"Berkas frasa sandi {path} kosong.")
        return lines[0]
    from_env = os.environ.get(ENROLMENT_PASSPHRASE_ENV)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise UserError(
            "Frasa sandi pendaftaran perangkat tidak diberikan.",
            hint="Ketik di terminal, pakai --enrollment-passphrase-file FILE, atau setel "
            f"{ENROLMENT_PASSPHRASE_ENV}.",
        )
    first = getpass.getpass("Frasa sandi pendaftaran perangkat: ")
    if confirm and getpass.getpass("Ulangi frasa sandi pendaftaran: ") != first:
        raise UserError("Frasa sandi dan ulangannya tidak sama; tidak ada yang diubah.")
    return first


def register(commands: Any) -> None:
    parser: ArgumentParser = commands.add_parser("device", help="perangkat lapangan")
    sub = parser.add_subparsers(
        dest="device_command", metavar="PERINTAH", parser_class=ArgumentParser
    )
    sub.required = True

    enroll = sub.add_parser("enroll", help="daftarkan laptop lapangan, tulis berkas pendaftaran")
    add_data_dir_option(enroll)
    enroll.add_argument("--name", required=True, metavar="NAMA", help="nama perangkat")
    enroll.add_argument("--out", type=Path, required=True, metavar="FILE", help="berkas tujuan")
    enroll.add_argument(
        "--clerk",
        action="append",
        metavar="USERNAME",
        help="pengguna yang boleh masuk di perangkat (bawaan: semua operator aktif)",
    )
    add_passphrase_option(enroll)
    enroll.add_argument(
        "--enrollment-passphrase-file",
        type=Path,
        metavar="FILE",
        help=f"frasa sandi pendaftaran (bawaan: {ENROLMENT_PASSPHRASE_ENV} atau ketik)",
    )
    enroll.set_defaults(handler=run_enroll)

    listing = sub.add_parser("list", help="daftar perangkat lapangan kantor")
    add_data_dir_option(listing)
    listing.set_defaults(handler=run_list)

    revoke = sub.add_parser("revoke", help="cabut perangkat (berkasnya tidak diterima lagi)")
    add_data_dir_option(revoke)
    revoke.add_argument("code", metavar="KODE", help="kode perangkat, mis. L01")
    revoke.set_defaults(handler=run_revoke)

    refresh = sub.add_parser("refresh", help="tulis pembaruan daftar untuk perangkat")
    add_data_dir_option(refresh)
    refresh.add_argument("--device", required=True, metavar="KODE", help="kode perangkat")
    refresh.add_argument("--out", type=Path, required=True, metavar="FILE", help="berkas tujuan")
    refresh.add_argument(
        "--clerk",
        action="append",
        metavar="USERNAME",
        help="pengguna perangkat (bawaan: semua operator aktif)",
    )
    add_passphrase_option(refresh)
    refresh.set_defaults(handler=run_refresh)

    apply = sub.add_parser("apply", help="di laptop: pakai pembaruan daftar dari kantor")
    add_data_dir_option(apply)
    apply.add_argument("file", type=Path, metavar="FILE", help="berkas pembaruan")
    add_passphrase_option(apply)
    apply.set_defaults(handler=run_apply)


def _open(args: argparse.Namespace) -> Any:
    return open_unlocked(data_dir_of(args), database_url=database_url_of(args))


def run_enroll(args: argparse.Namespace) -> int:
    with open_signed_in(args) as (ctx, actor):
        registry.clean_device_name(args.name)
        office_passphrase = read_passphrase(args)
        enrolment_passphrase = read_enrolment_passphrase(args, confirm=True)
        registry.validate_enrolment_passphrase(enrolment_passphrase)
        result = registry.enrol_device(
            ctx,
            name=args.name,
            out=args.out,
            office_passphrase=office_passphrase,
            enrolment_passphrase=enrolment_passphrase,
            clerks=args.clerk,
            actor=actor,
        )
    device = result.device
    print(f"Perangkat {device.code} ({device.name}) didaftarkan; kunci perangkat {device.key_id}.")
    print(f"Pengguna di perangkat: {', '.join(result.clerks)}")
    print(f"Daftar Admin Instansi: {result.roster_count} orang.")
    print(f"Berkas pendaftaran: {result.file}")
    print(
        "Di laptop: nonasn --data-dir FOLDER init --enrollment BERKAS (frasa sandi pendaftaran "
        "disampaikan langsung, jangan bersama berkasnya)."
    )
    return 0


def run_list(args: argparse.Namespace) -> int:
    with open_signed_in(args) as (ctx, actor):
        devices = registry.list_devices(ctx, actor=actor)
    if not devices:
        print("Belum ada perangkat lapangan yang didaftarkan.")
        return 0
    for device in devices:
        state = (
            f"dicabut {format_date(device.revoked_at.date())} oleh {device.revoked_by}"
            if device.revoked_at is not None
            else "aktif"
        )
        print(
            f"{device.code}  {device.name}  kunci {device.key_id}  didaftarkan "
            f"{format_date(device.enrolled_at.date())}  transfer terakhir "
            f"#{device.last_sequence}  {state}"
        )
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    with open_signed_in(args) as (ctx, actor):
        device = registry.revoke_device(ctx, args.code, actor=actor)
    assert device.revoked_at is not None
    print(
        f"Perangkat {device.code} ({device.name}) dicabut sejak "
        f"{format_date(device.revoked_at.date())}; berkas transfernya tidak diterima lagi."
    )
    return 0


def run_refresh(args: argparse.Namespace) -> int:
    with open_signed_in(args) as (ctx, actor):
        result = registry.write_refresh(
            ctx,
            args.device,
            out=args.out,
            office_passphrase=read_passphrase(args),
            clerks=args.clerk,
            actor=actor,
        )
    print(
        f"Pembaruan nomor {result.sequence} untuk perangkat {result.device.code} ditulis ke "
        f"{result.file}: {result.roster_count} orang, pengguna {', '.join(result.clerks)}."
    )
    return 0


def run_apply(args: argparse.Namespace) -> int:
    with _open(args) as ctx:
        result = field.apply_refresh(ctx, args.file, read_passphrase(args))
    print(
        f"Pembaruan nomor {result.sequence} dipakai: {result.roster_count} orang di daftar "
        f"Admin Instansi, pengguna {', '.join(result.clerks)}."
    )
    return 0
