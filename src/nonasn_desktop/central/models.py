"""The central office's database: batches received, their records and documents.

Kept apart from the office schema (its own ``MetaData``, its own ``central_`` tables): the
centre never runs the office's migrations and an office database never holds these tables. The
schema is created with ``create_all`` (new tables only); a change to it gets a new table or a
documented manual step, not an in-place migration.

A record is stored as received (its JSON, exactly as in the batch) plus the columns the centre
searches and reports by; their bounds are the batch format's (``central/format.py``), so a
batch that passed verification fits them. The same NIK may appear in several batches (that is a
conflict to report, not to refuse); within one batch it is unique.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from nonasn_desktop.central import format as fmt
from nonasn_desktop.storage.models import NAMING_CONVENTION, UTCDateTime

central_metadata = MetaData(naming_convention=NAMING_CONVENTION)


class CentralBase(DeclarativeBase):
    metadata = central_metadata


class CentralBatch(CentralBase):
    """One batch file loaded (or refused as a different file with a known batch id)."""

    __tablename__ = "central_batch"
    __table_args__ = (Index("ix_central_batch_office_sequence", "office_code", "sequence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    office_code: Mapped[str] = mapped_column(String(fmt.OFFICE_CODE_LENGTH))
    office_name: Mapped[str] = mapped_column(String(fmt.OFFICE_NAME_LENGTH))
    instansi_name: Mapped[str | None] = mapped_column(String(fmt.OFFICE_NAME_LENGTH))
    sequence: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    app_version: Mapped[str] = mapped_column(String(fmt.APP_VERSION_LENGTH))
    record_count: Mapped[int] = mapped_column(Integer)
    document_count: Mapped[int] = mapped_column(Integer)
    key_id: Mapped[str] = mapped_column(String(16))
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64))
    encrypted: Mapped[bool] = mapped_column(Boolean)
    ingested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    records: Mapped[list[CentralRecord]] = relationship(back_populates="batch")


class CentralRecord(CentralBase):
    __tablename__ = "central_record"
    __table_args__ = (
        UniqueConstraint("batch_id", "nik"),
        UniqueConstraint("batch_id", "account_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("central_batch.id"), index=True)
    office_code: Mapped[str] = mapped_column(String(fmt.OFFICE_CODE_LENGTH), index=True)
    nik: Mapped[str] = mapped_column(String(16), index=True)
    account_number: Mapped[str] = mapped_column(String(fmt.ACCOUNT_NUMBER_LENGTH))
    nama: Mapped[str] = mapped_column(String(fmt.NAME_LENGTH))
    tanggal_lahir: Mapped[dt.date | None] = mapped_column(Date)
    jenis_kelamin: Mapped[str | None] = mapped_column(String(1))
    unit_kerja: Mapped[str | None] = mapped_column(String(fmt.UNIT_KERJA_LENGTH))
    # "MS", "TMS" or None.
    outcome: Mapped[str | None] = mapped_column(String(3))
    # The record exactly as received (JSON text).
    data: Mapped[str] = mapped_column(Text)

    batch: Mapped[CentralBatch] = relationship(back_populates="records")
    documents: Mapped[list[CentralRecordDocument]] = relationship(back_populates="record")


class CentralDocument(CentralBase):
    """A document's bytes, once per content; the bytes live in the documents folder."""

    __tablename__ = "central_document"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(fmt.MEDIA_TYPE_LENGTH))
    size: Mapped[int] = mapped_column(Integer)
    first_batch_id: Mapped[int] = mapped_column(ForeignKey("central_batch.id"))


class CentralRecordDocument(CentralBase):
    __tablename__ = "central_record_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("central_record.id"), index=True)
    kind: Mapped[str] = mapped_column(String(fmt.DOCUMENT_KIND_LENGTH))
    variant: Mapped[str | None] = mapped_column(String(fmt.DOCUMENT_VARIANT_LENGTH))
    original_name: Mapped[str | None] = mapped_column(String(fmt.ORIGINAL_NAME_LENGTH))
    sha256: Mapped[str] = mapped_column(ForeignKey("central_document.sha256"), index=True)

    record: Mapped[CentralRecord] = relationship(back_populates="documents")
