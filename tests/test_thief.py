"""The thief test: a copied data folder and backup archive give away nobody without a password.

A field laptop set up from its enrolment file (encrypted at once) and its transfer file give
away nobody either, and the office still imports that file.

An office of an older version with 100 finished demo records (documents included) is
converted at its admin's sign-in; a backup archive is made. The folder and the archive are
copied elsewhere, as a thief would. No file, no member of any archive, and nothing a wrong key
"decrypts" holds any NIK, name or phone number of those records, a JPEG or PDF, or SQLite's
header. A wrong password is refused and repeated failures are throttled; the right password
and the recovery key each open the copy.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import distinct, func, select

from helpers.accounts import ADMIN_PASSWORD, ADMIN_USERNAME, FakeClock, actor_for, signed_in
from helpers.fieldwork import (
    ENROLMENT_PASSPHRASE,
    OFFICE_PASSPHRASE,
    enrol_laptop,
    field_operator,
    make_office,
    office_admin,
)
from nonasn_desktop.backup import archive as backup
from nonasn_desktop.backup import sealed
from nonasn_desktop.crypto import atrest, keyslots
from nonasn_desktop.demo import generate as demo
from nonasn_desktop.errors import AuthError, FolderLockedError, UserError
from nonasn_desktop.office import identity as office
from nonasn_desktop.registration import store as registrations
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.startup import encrypt_field_device, open_app, unlock, unlock_with_recovery_key
from nonasn_desktop.storage import vault
from nonasn_desktop.storage.models import Document, Registration
from nonasn_desktop.transfer.export import export_transfer
from nonasn_desktop.transfer.merge import import_transfer

RECORDS = 100


def _secrets(path: Path, clock: FakeClock) -> list[bytes]:
    """The office of an older version (plain) and the personal values a thief would want."""
    with open_app(path, create=True, clock=clock) as ctx:
        office.initialise(
            ctx, office_code="3273", office_name="BKD", admin=(ADMIN_USERNAME, ADMIN_PASSWORD)
        )
        demo.generate(ctx, RECORDS, RecordStatus.PENDAFTARAN_SELESAI, seed=11, actor=signed_in(ctx))
        with ctx.db.session() as session:
            rows = session.execute(
                select(Registration.nik, Registration.nama, Registration.nomor_hp)
            ).all()
    assert len(rows) == RECORDS
    values: list[bytes] = []
    for nik, nama, hp in rows:
        values += [nik.encode(), nama.encode()]
        if hp:
            # Stored E.164; the local form a clerk typed too.
            values += [hp.encode(), ("0" + hp.removeprefix("+62")).encode()]
    return _searchable(values)


# Ciphertext is random bytes: in the ~50 MB a thief carries off here, a given 3-byte value
# turns up about three times by chance, a 4-byte one once in a few runs, a 6-byte one never. So
# the file signatures looked for are long, and a personal value shorter than 6 bytes (a
# one-word name such as "ANI") is no evidence either way and is not looked for.
MIN_SECRET = 6


def _searchable(values: list[bytes]) -> list[bytes]:
    return [value for value in values if len(value) >= MIN_SECRET]


def _leaks(data: bytes, secrets: list[bytes]) -> list[str]:
    found = [repr(s) for s in secrets if s in data]
    if data.startswith(b"\xff\xd8\xff") or b"JFIF\x00" in data or b"Exif\x00\x00" in data:
        found.append("JPEG")
    if b"%PDF-1." in data:
        found.append("PDF")
    if b"SQLite format 3\x00" in data:
        found.append("SQLite")
    return found


def _everything(root: Path) -> list[tuple[str, bytes]]:
    """Every file under ``root``, and every member of every ZIP among them."""
    items: list[tuple[str, bytes]] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        items.append((str(path.relative_to(root)), data))
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                items += [(f"{path.name}!{n}", archive.read(n)) for n in archive.namelist()]
    return items


def test_a_stolen_folder_and_backup_give_away_nobody(tmp_path: Path, clock: FakeClock) -> None:
    folder = tmp_path / "data"
    secrets = _secrets(folder, clock)
    # The detector works: the folder of the older version gives everything away.
    plain = set().union(*(_leaks(data, secrets) for _, data in _everything(folder)))
    assert {"JPEG", "SQLite"} <= plain
    assert {repr(s) for s in secrets if not s.startswith(b"08")} <= plain
    converted = unlock(folder, ADMIN_USERNAME, ADMIN_PASSWORD, clock=clock)
    assert converted.key is not None
    assert converted.recovery_text is not None
    with open_app(folder, key=converted.key, clock=clock) as ctx:
        archive = backup.create_backup(ctx, tmp_path / "cadangan.zip", actor=signed_in(ctx)).path
    # What the thief carries away.
    loot = tmp_path / "curian"
    shutil.copytree(folder, loot / "data")
    shutil.copy2(archive, loot / "cadangan.zip")
    items = _everything(loot)
    assert any(name.endswith("cadangan.age") for name, _ in items)
    documents = sum(1 for name, _ in items if name.startswith("data/documents/"))
    # The recovery key, kept sealed until an admin has seen it, is carried away too: unreadable.
    assert vault.PENDING_RECOVERY_FILE in [Path(name).name for name, _ in items]
    recovery = [
        converted.recovery_text.encode(),
        converted.recovery_text.replace("-", "").encode(),
        keyslots.parse_recovery_key(converted.recovery_text),
    ]
    for name, data in items:
        assert not _leaks(data, [*secrets, *recovery]), name
    # A wrong key "decrypts" nothing at all.
    wrong = bytes(32)
    for name, data in items:
        if atrest.is_encrypted(data[:64]):
            for kind in ("document", "backup", "recovery"):
                with pytest.raises(UserError):
                    atrest.decrypt_bytes(data, wrong, kind, where=name)
    copy = loot / "data"
    with pytest.raises(FolderLockedError):
        open_app(copy, clock=clock)
    for _ in range(4):
        with pytest.raises(AuthError, match="kata sandi salah"):
            unlock(copy, ADMIN_USERNAME, "tebak-tebak", clock=clock)
    with pytest.raises(AuthError, match="dikunci sementara"):
        unlock(copy, ADMIN_USERNAME, "tebak-tebak", clock=clock)
    with pytest.raises(AuthError, match="dikunci sementara"):
        unlock(copy, ADMIN_USERNAME, ADMIN_PASSWORD, clock=clock)
    clock.advance(minutes=1)
    by_password = unlock(copy, ADMIN_USERNAME, ADMIN_PASSWORD, clock=clock).key
    by_recovery = unlock_with_recovery_key(copy, converted.recovery_text, clock=clock)
    assert by_password == by_recovery == converted.key
    with open_app(copy, key=by_password, clock=clock) as ctx:
        assert sum(registrations.count_by_status(ctx).values()) == RECORDS
        with ctx.db.session() as session:
            stored = session.scalar(select(func.count(distinct(Document.sha256))))
        # Every document of every record was among the files searched (each stored once).
        assert stored == documents >= RECORDS // 2
    assert sealed.unlock_archive(loot / "cadangan.zip", ADMIN_USERNAME, ADMIN_PASSWORD) == (
        converted.key
    )


def test_a_lost_field_laptop_and_its_transfer_file_give_away_nobody(
    tmp_path: Path, clock: FakeClock
) -> None:
    office_ctx = make_office(tmp_path / "kantor", clock)
    enrolled = enrol_laptop(office_ctx, tmp_path, clock=clock)
    enrolled.laptop.close()
    laptop_key = encrypt_field_device(enrolled.folder).key
    with open_app(enrolled.folder, key=laptop_key, clock=clock) as laptop:
        demo.generate(
            laptop, RECORDS, RecordStatus.PENDAFTARAN_SELESAI, seed=5, actor=actor_for(laptop)
        )
        with laptop.db.session() as session:
            rows = session.execute(select(Registration.nik, Registration.nama)).all()
        sent = export_transfer(
            laptop, tmp_path / "usb", passphrase=ENROLMENT_PASSPHRASE, actor=field_operator(laptop)
        )
    secrets = _searchable([value.encode() for row in rows for value in row])
    loot = tmp_path / "curian"
    shutil.copytree(enrolled.folder, loot / "laptop")
    shutil.copy2(sent.file, loot / sent.file.name)
    for name, data in _everything(loot):
        assert not _leaks(data, secrets), name
    with pytest.raises(FolderLockedError):
        open_app(loot / "laptop", clock=clock)
    # The office still imports what the laptop sent.
    imported = import_transfer(
        office_ctx, sent.file, passphrase=OFFICE_PASSPHRASE, actor=office_admin(office_ctx)
    )
    assert imported.added == RECORDS
    office_ctx.close()
