"""Office-wide settings, typed, with defaults, stored as JSON and audited when changed.

Each setting is declared once as a :class:`SettingDef`; an unknown key cannot be written. A
stored value of the wrong type (a hand-edited database) is ignored in favour of the default,
and logged, rather than breaking start-up.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from nonasn_desktop.accounts.authz import Actor, require
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import FieldError
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.storage import jsontext
from nonasn_desktop.storage.models import Setting

log = logging.getLogger(__name__)

T = TypeVar("T", bool, int, str)


@dataclass(frozen=True)
class SettingDef(Generic[T]):
    key: str
    kind: type[T]
    default: T
    label: str
    minimum: int | None = None
    maximum: int | None = None

    def accepts(self, value: object) -> bool:
        # bool is a subclass of int: keep them apart.
        if self.kind is int:
            if isinstance(value, bool) or not isinstance(value, int):
                return False
            return (self.minimum is None or value >= self.minimum) and (
                self.maximum is None or value <= self.maximum
            )
        return type(value) is self.kind


CAPTCHA_ENABLED = SettingDef("captcha_enabled", bool, True, "Captcha aktif pada langkah 7 dan 16")
# Minutes after which another clerk may take over a record left locked for editing.
EDIT_LOCK_MINUTES = SettingDef(
    "edit_lock_minutes", int, 30, "Batas waktu kunci penyuntingan (menit)", minimum=1, maximum=1440
)

# Daily automatic backup (backup.archive.run_daily_backup_if_due): a folder, typically on a
# USB drive; empty turns it off. The newest BACKUP_KEEP automatic archives there are kept.
BACKUP_FOLDER = SettingDef("backup_folder", str, "", "Folder cadangan otomatis harian")
BACKUP_KEEP = SettingDef(
    "backup_keep", int, 7, "Jumlah cadangan otomatis yang disimpan", minimum=1, maximum=365
)

SETTINGS: dict[str, SettingDef[bool] | SettingDef[int] | SettingDef[str]] = {
    definition.key: definition
    for definition in (CAPTCHA_ENABLED, EDIT_LOCK_MINUTES, BACKUP_FOLDER, BACKUP_KEEP)
}


def _read(ctx: AppContext, setting: SettingDef[Any]) -> object:
    with ctx.db.session() as session:
        row = session.get(Setting, setting.key)
        if row is None:
            return setting.default
        try:
            value = jsontext.loads(row.value)
        except json.JSONDecodeError:
            value = None
        if not setting.accepts(value):
            log.warning(
                "setting %s holds an invalid value %r; using default", setting.key, row.value
            )
            return setting.default
        return value


def get_setting(ctx: AppContext, setting: SettingDef[T]) -> T:
    """The current value, or the default when never set (or stored damaged)."""
    return cast(T, _read(ctx, setting))


def set_setting(ctx: AppContext, setting: SettingDef[T], value: T, *, actor: Actor) -> None:
    """Change a setting (admins only), audited with the old and new value."""
    if setting.key not in SETTINGS or SETTINGS[setting.key] is not setting:
        raise ValueError(f"unknown setting {setting.key!r}")
    if not setting.accepts(value):
        bounds = ""
        if setting.minimum is not None or setting.maximum is not None:
            bounds = f" antara {setting.minimum} dan {setting.maximum}"
        raise FieldError(
            setting.key,
            f"Nilai untuk '{setting.label}' tidak sah{bounds}.",
            hint="Isi nilai yang sesuai lalu simpan lagi.",
        )
    old = get_setting(ctx, setting)
    with ctx.db.session() as session:
        require(session, ctx, actor, Permission.SETTINGS_CHANGE)
        if old == value:
            return
        row = session.get(Setting, setting.key)
        if row is None:
            session.add(Setting(key=setting.key, value=jsontext.dumps(value)))
        else:
            row.value = jsontext.dumps(value)
        audit.record(
            session,
            actor=actor.username,
            action="setting.change",
            entity="setting",
            entity_id=setting.key,
            changes={setting.key: (old, value)},
            at=ctx.now(),
        )


def all_settings(ctx: AppContext) -> dict[str, object]:
    """Every declared setting with its current value."""
    return {key: _read(ctx, definition) for key, definition in SETTINGS.items()}


def captcha_enabled(ctx: AppContext) -> bool:
    return get_setting(ctx, CAPTCHA_ENABLED)
