"""Whether this database is a field laptop's, and which device it is.

A field laptop (perangkat lapangan) is set up from an enrolment file (``nonasn init
--enrollment``, see devices/). Its identity is kept in its own database, in the setting
``field_device``, so that it travels with the database (backups, a copied folder) and never
depends on the data folder's ``meja.json`` alone: the account numbers made there carry the
device code (``1771BKD-L01-2026-000001``), and a laptop that lost its ``meja.json`` must never
start numbering like a desk of the office.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from nonasn_desktop.core.context import AppContext, use_session
from nonasn_desktop.errors import ConflictError
from nonasn_desktop.storage import jsontext
from nonasn_desktop.storage.models import Setting

FIELD_DEVICE_SETTING = "field_device"
# Device codes are allocated by the office: "L" and two to four digits (L01, L02, … L1000).
DEVICE_CODE_PATTERN = re.compile(r"L[0-9]{2,4}")


@dataclass(frozen=True)
class FieldDevice:
    """This laptop's identity as its enrolment file gave it (nothing secret but sealed_key)."""

    code: str
    name: str
    office_code: str
    # The office's minisign public key text: every office file must be signed by it.
    office_public_key: str
    # The age recipient office-bound transfer files are encrypted to.
    office_recipient: str
    # The device's signing key, sealed with the enrolment passphrase (crypto.keyfile format).
    sealed_key: str
    key_id: str
    enrolled_at: str
    # The newest roster refresh applied (0: the enrolment's own roster).
    refresh_sequence: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "office_code": self.office_code,
            "office_public_key": self.office_public_key,
            "office_recipient": self.office_recipient,
            "sealed_key": self.sealed_key,
            "key_id": self.key_id,
            "enrolled_at": self.enrolled_at,
            "refresh_sequence": self.refresh_sequence,
        }

    @classmethod
    def from_json(cls, data: Any) -> FieldDevice:
        if not isinstance(data, dict):
            raise ValueError("field device setting is not an object")
        return cls(
            code=str(data["code"]),
            name=str(data["name"]),
            office_code=str(data["office_code"]),
            office_public_key=str(data["office_public_key"]),
            office_recipient=str(data["office_recipient"]),
            sealed_key=str(data["sealed_key"]),
            key_id=str(data["key_id"]),
            enrolled_at=str(data["enrolled_at"]),
            refresh_sequence=int(data.get("refresh_sequence", 0)),
        )


def read_field_device(session: Session) -> FieldDevice | None:
    row = session.get(Setting, FIELD_DEVICE_SETTING)
    if row is None:
        return None
    try:
        return FieldDevice.from_json(jsontext.loads(row.value))
    except (KeyError, TypeError, ValueError):
        raise ConflictError(
            "Identitas perangkat lapangan di basis data ini rusak.",
            hint="Pulihkan folder data dari cadangan, atau daftarkan ulang perangkat di kantor.",
        ) from None


def write_field_device(session: Session, device: FieldDevice) -> None:
    row = session.get(Setting, FIELD_DEVICE_SETTING)
    value = jsontext.dumps(device.to_json())
    if row is None:
        session.add(Setting(key=FIELD_DEVICE_SETTING, value=value))
    else:
        row.value = value


def field_device(ctx: AppContext, *, session: Session | None = None) -> FieldDevice | None:
    """This laptop's device identity; None at the office (a desk, or a single-desk office)."""
    with use_session(ctx, session) as active:
        return read_field_device(active)


def require_office_side(ctx: AppContext, what: str) -> None:
    """Refuse ``what`` (an office-only operation) on a field laptop, pointing to the right one."""
    device = field_device(ctx)
    if device is not None:
        raise ConflictError(
            f"{what} hanya dilakukan di kantor, bukan di perangkat lapangan {device.code} "
            f"({device.name}).",
            hint="Di perangkat lapangan, kirim data ke kantor dengan: nonasn transfer export "
            "--out FOLDER; kantor yang mengimpor dan mengirimnya ke pusat.",
        )
