"""The database schema as typed SQLAlchemy models.

Column names of registration data are the field keys of ``forms/fields.toml``. Every constraint
is named through :data:`NAMING_CONVENTION`, so migrations (which rebuild SQLite tables in batch
mode) can always address them. Timestamps are stored in UTC and come back timezone-aware; dates
are plain ``Date``. JSON lives in TEXT columns, see :mod:`nonasn_desktop.storage.jsontext`.

Changing a model means writing a migration in ``storage/migrations/versions``; a test compares
the migrated database with these models.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from nonasn_desktop.rules.roles import Role
from nonasn_desktop.rules.status import RecordStatus

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

NIK_LENGTH = 16
SHA256_HEX_LENGTH = 64
STEP_COUNT = 24
# A device code names where a record, an account number or an audit entry was made: a desk of
# the office network (see storage.deskconfig) or, later, an enrolled field laptop.
DEVICE_CODE_LENGTH = 16
DEVICE_NAME_LENGTH = 60


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware datetime stored as naive UTC (SQLite has no time zones).

    Naive datetimes are refused: whether they meant local or UTC time cannot be known.
    """

    impl = DateTime
    cache_ok = True

    # SQLAlchemy's TypeDecorator interface: the conversion is the same for every dialect.
    def process_bind_param(
        self,
        value: dt.datetime | None,
        dialect: Dialect,  # noqa: ARG002
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}; use an aware UTC datetime")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(
        self,
        value: dt.datetime | None,
        dialect: Dialect,  # noqa: ARG002 (as above)
    ) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)


def _enum(enum_class: type[Role] | type[RecordStatus], name: str, length: int) -> Enum:
    # Stored as the enum's value (the lower-case key), guarded by a named CHECK constraint.
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
    )


class Base(DeclarativeBase):
    metadata = metadata


class Office(Base):
    """The office that owns this data folder. Exactly one row (id 1)."""

    __tablename__ = "office"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(150))
    instansi_name: Mapped[str | None] = mapped_column(String(150))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)


class OfficeKey(Base):
    """The office's signing key, sealed with the admin's passphrase. Exactly one row (id 1).

    Kept in the office database so that every desk of the office signs with the same key
    (see office.keys); ``sealed`` is the key file format of crypto.keyfile, never plain.
    """

    __tablename__ = "office_key"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(16))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)


class OfficeDataKeySlot(Base):
    """One copy of the office data key of a PostgreSQL office, wrapped for one clerk.

    The office data key encrypts every document in ``document_blob`` (storage.docstore). Each
    active clerk's row holds it wrapped with a key derived from that clerk's password (argon2id
    with a salt of its own, never the salt of the stored password hash: whoever reads this
    database must not be able to open a slot); the ``pemulihan`` row holds it wrapped with the
    recovery key. ``slot`` is crypto.keyslots' JSON of one slot; ``key_id`` names the key (it is
    in every slot's associated data). Nothing here is secret. Empty on SQLite, and on an office
    whose documents are not encrypted yet (see accounts.slots).
    """

    __tablename__ = "office_data_key_slot"
    __table_args__ = (UniqueConstraint("kind", "label"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(64))
    slot: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)


class DocumentBlob(Base):
    """The bytes of a stored document, by SHA-256, when the office database is PostgreSQL.

    Written in the transaction of the Document row that names it, so every desk sees the
    scan the moment it sees the record (see storage.docstore). SQLite keeps documents in the
    data folder instead, and this table stays empty there.
    """

    __tablename__ = "document_blob"
    __table_args__ = (
        CheckConstraint(f"length(sha256) = {SHA256_HEX_LENGTH}", name="sha256_length"),
    )

    sha256: Mapped[str] = mapped_column(String(SHA256_HEX_LENGTH), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)


class Device(Base):
    """An enrolled field laptop (perangkat lapangan) of this office (see devices/).

    ``code`` (e.g. ``L01``) is allocated by the office and is part of every account number
    made on the device; ``public_key`` (base64 Ed25519) and ``key_id`` verify its transfer
    files; ``recipient`` (age X25519) is what office files for the device are encrypted to.
    """

    __tablename__ = "device"
    __table_args__ = (CheckConstraint("last_sequence >= 0", name="last_sequence_range"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(DEVICE_CODE_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(DEVICE_NAME_LENGTH))
    public_key: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(16), unique=True)
    recipient: Mapped[str] = mapped_column(String(100))
    enrolled_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    enrolled_by: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(64))
    # The newest transfer imported from the device: its sequence and the SHA-256 of its
    # manifest (which names the SHA-256 of every member: the content, whatever encryption).
    last_sequence: Mapped[int] = mapped_column(Integer, default=0)
    last_sha256: Mapped[str | None] = mapped_column(String(SHA256_HEX_LENGTH))
    # The newest roster refresh written for the device (a device refuses an older one).
    refresh_sequence: Mapped[int] = mapped_column(Integer, default=0)


class DeviceTransfer(Base):
    """One transfer file imported from a device; (device, sequence) is imported only once."""

    __tablename__ = "device_transfer"
    __table_args__ = (UniqueConstraint("device_id", "sequence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    manifest_sha256: Mapped[str] = mapped_column(String(SHA256_HEX_LENGTH))
    # The BLAKE2b-512 of the file as received: the digest its signature covers.
    file_blake2b: Mapped[str] = mapped_column(String(128))
    file_name: Mapped[str] = mapped_column(String(255))
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    imported_by: Mapped[str] = mapped_column(String(64))
    record_count: Mapped[int] = mapped_column(Integer)


class Setting(Base):
    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    # JSON text.
    value: Mapped[str] = mapped_column(Text)


class Clerk(Base):
    """A user of the application (operator, verifikator or admin)."""

    __tablename__ = "clerk"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    full_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(_enum(Role, "role", 20))
    password_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)


class RosterEntry(Base):
    """One person on the Admin Instansi list; only listed people may register."""

    __tablename__ = "roster_entry"
    __table_args__ = (CheckConstraint(f"length(nik) = {NIK_LENGTH}", name="nik_length"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nik: Mapped[str] = mapped_column(String(NIK_LENGTH), unique=True)
    nama: Mapped[str] = mapped_column(String(100))
    nomor_thk2: Mapped[str | None] = mapped_column(String(30))
    tempat_lahir: Mapped[str | None] = mapped_column(String(60))
    tanggal_lahir: Mapped[dt.date | None] = mapped_column(Date)
    jenis_kelamin: Mapped[str | None] = mapped_column(String(1))
    pendidikan_jenjang: Mapped[str | None] = mapped_column(String(10))
    nama_sekolah: Mapped[str | None] = mapped_column(String(150))
    jurusan: Mapped[str | None] = mapped_column(String(150))
    nomor_ijazah: Mapped[str | None] = mapped_column(String(60))
    tanggal_ijazah: Mapped[dt.date | None] = mapped_column(Date)
    nomor_sk: Mapped[str | None] = mapped_column(String(100))
    tanggal_sk: Mapped[dt.date | None] = mapped_column(Date)
    tmt: Mapped[dt.date | None] = mapped_column(Date)
    tanggal_selesai: Mapped[dt.date | None] = mapped_column(Date)
    jabatan: Mapped[str | None] = mapped_column(String(150))
    unit_kerja: Mapped[str | None] = mapped_column(String(150))
    pejabat_penandatangan: Mapped[str | None] = mapped_column(String(40))
    sumber_gaji: Mapped[str | None] = mapped_column(String(40))
    # Whole rupiah.
    gaji_bulanan: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utc_now, onupdate=utc_now
    )
    # Where the entry came from, e.g. the file name of an import; None when typed by hand.
    source: Mapped[str | None] = mapped_column(String(255))


class Batch(Base):
    """A signed export file sent to the central office."""

    __tablename__ = "batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    sequence: Mapped[int] = mapped_column(Integer, unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
    record_count: Mapped[int] = mapped_column(Integer, default=0)
    file_name: Mapped[str | None] = mapped_column(String(255))
    # Written by the export (migration 0003), so that a lost batch can be written again with
    # the same content: the app version named in its manifest, the SHA-256 of that manifest,
    # the signing key's id, and the age recipients it was encrypted to (JSON list; None: plain).
    app_version: Mapped[str | None] = mapped_column(String(20))
    manifest_sha256: Mapped[str | None] = mapped_column(String(SHA256_HEX_LENGTH))
    key_id: Mapped[str | None] = mapped_column(String(16))
    recipients: Mapped[str | None] = mapped_column(Text)


class Registration(Base):
    """One honorer's registration, from the first draft to the export."""

    __tablename__ = "registration"
    __table_args__ = (
        CheckConstraint(f"length(nik) = {NIK_LENGTH}", name="nik_length"),
        CheckConstraint(f"current_step BETWEEN 1 AND {STEP_COUNT}", name="current_step_range"),
        # Covers every column the record list filters, counts and orders by (see migration
        # 0002): the list reads this index instead of the wide rows. An office database on
        # PostgreSQL also has an index per filter and order (migration 0005, PostgreSQL only,
        # so not declared here: SQLite's schema must keep matching these models).
        Index(
            "ix_registration_list",
            "updated_at",
            "status",
            "eligible",
            "unit_kerja",
            "nik",
            "account_number",
            "nama_search",
            "nama",
        ),
        # Counting the records of a work unit or an eligibility per status reads only these
        # (migration 0009), not the whole list index above.
        Index("ix_registration_unit_counts", "unit_kerja", "eligible", "status"),
        Index("ix_registration_eligible_counts", "eligible", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The record's identity everywhere (UUID4 text), made when it is first saved: a record
    # carried from a field device to the office is "the same record" by this.
    # Nullable in the schema only because SQLite adds a column to a filled table that way
    # (migration 0005 gives every existing row one); every row has one.
    uid: Mapped[str | None] = mapped_column(
        String(36), default=lambda: str(uuid.uuid4()), index=True, unique=True
    )
    # None while the NIK typed is not yet valid (the raw text is in ``draft``).
    nik: Mapped[str | None] = mapped_column(String(NIK_LENGTH), unique=True)
    # A NIK registered twice (at the office and on a field device, or on two devices): both
    # records are kept and flagged, each pointing at the other (``nik_conflict_with``); the
    # one that arrived second holds the NIK in ``conflict_nik`` (``nik`` stays unique). The
    # verifier sees the pair side by side. NULL: no conflict.
    nik_conflict: Mapped[bool | None] = mapped_column(Boolean)
    conflict_nik: Mapped[str | None] = mapped_column(String(NIK_LENGTH), index=True)
    nik_conflict_with: Mapped[int | None] = mapped_column(Integer)
    # The device's own updated_at of the version last merged from a transfer.
    source_updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The field device a record was sent back to for correction ("Perlu Perbaikan").
    returned_to_device: Mapped[str | None] = mapped_column(String(DEVICE_CODE_LENGTH))
    roster_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("roster_entry.id", ondelete="SET NULL")
    )
    status: Mapped[RecordStatus] = mapped_column(
        _enum(RecordStatus, "status", 30), index=True, default=RecordStatus.DRAF
    )
    current_step: Mapped[int] = mapped_column(Integer, default=1)
    # Given at step 11 ("Iya"); unique once given.
    account_number: Mapped[str | None] = mapped_column(String(32), unique=True)

    # Identity (Langkah 1: Pengecekan Identitas).
    nomor_kk: Mapped[str | None] = mapped_column(String(16))
    nama: Mapped[str | None] = mapped_column(String(100), index=True)
    # Lower-cased (casefolded) copy of nama for fast search.
    nama_search: Mapped[str | None] = mapped_column(String(100), index=True)
    tempat_lahir: Mapped[str | None] = mapped_column(String(60))
    tanggal_lahir: Mapped[dt.date | None] = mapped_column(Date)
    jenis_kelamin: Mapped[str | None] = mapped_column(String(1))
    # E.164, e.g. +6281234567890.
    nomor_hp: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    nomor_thk2: Mapped[str | None] = mapped_column(String(30))

    # Account (argon2id hashes only).
    password_hash: Mapped[str | None] = mapped_column(Text)
    pertanyaan_pengaman: Mapped[str | None] = mapped_column(String(40))
    jawaban_pengaman_hash: Mapped[str | None] = mapped_column(Text)

    # Biodata.
    agama: Mapped[str | None] = mapped_column(String(20))
    status_perkawinan: Mapped[str | None] = mapped_column(String(20))
    alamat: Mapped[str | None] = mapped_column(String(300))

    # Education.
    pendidikan_jenjang: Mapped[str | None] = mapped_column(String(10))
    nama_sekolah: Mapped[str | None] = mapped_column(String(150))
    jurusan: Mapped[str | None] = mapped_column(String(150))
    nomor_ijazah: Mapped[str | None] = mapped_column(String(60))
    tanggal_ijazah: Mapped[dt.date | None] = mapped_column(Date)

    masih_aktif: Mapped[bool | None] = mapped_column(Boolean)
    bentuk_sk: Mapped[str | None] = mapped_column(String(40))
    declaration_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    # Eligibility: None until assessed.
    eligible: Mapped[bool | None] = mapped_column(Boolean)
    # Comma-separated criterion codes, e.g. "E4,E5".
    failed_criteria: Mapped[str | None] = mapped_column(String(40))
    # JSON text.
    eligibility_detail: Mapped[str | None] = mapped_column(Text)

    # JSON text {field key: raw value as typed}: values not (yet) valid. Nothing typed is lost.
    draft: Mapped[str] = mapped_column(Text, default="{}")

    # Denormalised from the current work history entry, for filtering.
    unit_kerja: Mapped[str | None] = mapped_column(String(150))

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utc_now, onupdate=utc_now
    )
    account_created_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("clerk.id"))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("clerk.id"))

    # Editing lock: one clerk at one desk edits a record at a time (registration.store).
    locked_by: Mapped[int | None] = mapped_column(ForeignKey("clerk.id"))
    locked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The desk holding the lock: its code (same clerk, other desk is refused) and its name
    # (shown to whoever is refused).
    locked_device: Mapped[str | None] = mapped_column(String(DEVICE_CODE_LENGTH))
    locked_device_name: Mapped[str | None] = mapped_column(String(DEVICE_NAME_LENGTH))
    # The device the record was first saved on (None: made before devices were recorded).
    origin_device: Mapped[str | None] = mapped_column(String(DEVICE_CODE_LENGTH))

    # Verval.
    decision_reason: Mapped[str | None] = mapped_column(Text)
    # JSON text: list of field keys to correct.
    correction_fields: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("clerk.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batch.id"))

    roster_entry: Mapped[RosterEntry | None] = relationship()
    work_history: Mapped[list[WorkHistory]] = relationship(
        back_populates="registration",
        order_by="WorkHistory.seq",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="registration",
        order_by="Document.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
        foreign_keys="Document.registration_id",
    )
    batch: Mapped[Batch | None] = relationship()


class WorkHistory(Base):
    """One SK of the work history (riwayat pekerjaan); ``seq`` orders them from 1."""

    __tablename__ = "work_history"
    __table_args__ = (UniqueConstraint("registration_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    unit_kerja: Mapped[str | None] = mapped_column(String(150))
    jabatan: Mapped[str | None] = mapped_column(String(150))
    nomor_sk: Mapped[str | None] = mapped_column(String(100))
    tanggal_sk: Mapped[dt.date | None] = mapped_column(Date)
    tmt: Mapped[dt.date | None] = mapped_column(Date)
    tanggal_selesai: Mapped[dt.date | None] = mapped_column(Date)
    pejabat_penandatangan: Mapped[str | None] = mapped_column(String(40))
    sumber_gaji: Mapped[str | None] = mapped_column(String(40))
    melalui_pengadaan: Mapped[bool | None] = mapped_column(Boolean)
    gaji_bulanan: Mapped[int | None] = mapped_column(Integer)

    registration: Mapped[Registration] = relationship(back_populates="work_history")


class Document(Base):
    """An uploaded file; the bytes live in the blob store under ``sha256``.

    A superseded upload stays (inactive). A compliant copy made by the application points at
    its original through ``source_document_id``; the original is kept untouched.
    """

    __tablename__ = "document"
    __table_args__ = (
        CheckConstraint(f"length(sha256) = {SHA256_HEX_LENGTH}", name="sha256_length"),
        CheckConstraint("size >= 0", name="size_not_negative"),
        Index("ix_document_registration_id_kind", "registration_id", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    # Which form of the document was given (e.g. the SK variant); None when not applicable.
    variant: Mapped[str | None] = mapped_column(String(40))
    original_name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(SHA256_HEX_LENGTH), index=True)
    check_passed: Mapped[bool] = mapped_column(Boolean, default=False)
    # JSON text.
    check_results: Mapped[str | None] = mapped_column(Text)
    is_compliant_copy: Mapped[bool] = mapped_column(Boolean, default=False)
    source_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="SET NULL")
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("clerk.id"))

    registration: Mapped[Registration] = relationship(
        back_populates="documents", foreign_keys=[registration_id]
    )


class AuditLog(Base):
    """Who did what, when and why. Append-only: database triggers refuse UPDATE and DELETE."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity_entity_id", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    # A clerk's username, or "system".
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    # JSON text {field: [old, new]}.
    changes: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    # The device (desk code) the change was made on; None for entries older than devices.
    device: Mapped[str | None] = mapped_column(String(DEVICE_CODE_LENGTH))
    # "<device>:<id on the device>" of an entry merged from a transfer file (unique).
    origin_ref: Mapped[str | None] = mapped_column(String(48), index=True, unique=True)
