"""Every permission the operations check, and who holds it (forms/permissions.toml).

The table itself is policy data: ``Policy.permissions`` as read by the policy loader, which
checks its shape. Here it is checked against the code: every :class:`Permission` must be in
the table, no other key may be, and every role named must be a :class:`Role`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from nonasn_desktop.errors import PolicyFileError
from nonasn_desktop.policy import Policy
from nonasn_desktop.rules.roles import Role

PERMISSIONS_FILE = "permissions.toml"


class Permission(enum.StrEnum):
    """An action an operation allows only to some roles (its key in forms/permissions.toml)."""

    RECORD_LIST = "record_list"
    DOCUMENT_READ = "document_read"
    REGISTRATION_EDIT = "registration_edit"
    CARD_PRINT = "card_print"
    VERVAL_REVIEW = "verval_review"
    VERVAL_DECIDE = "verval_decide"
    RECAP_EXPORT = "recap_export"
    BATCH_EXPORT = "batch_export"
    BACKUP_CREATE = "backup_create"
    BACKUP_RESTORE = "backup_restore"
    SETTINGS_CHANGE = "settings_change"
    USER_MANAGE = "user_manage"
    OWN_PASSWORD = "own_password"  # noqa: S105 - the name of a permission, not a secret
    KEY_MANAGE = "key_manage"
    RECOVERY_KEY_RENEW = "recovery_key_renew"
    ROSTER_IMPORT = "roster_import"
    ROSTER_LOOKUP = "roster_lookup"
    DEVICE_MANAGE = "device_manage"
    TRANSFER_IMPORT = "transfer_import"
    FIELD_TRANSFER = "field_transfer"


@dataclass(frozen=True)
class Grant:
    """Who holds one permission, and what the action is called (Indonesian)."""

    permission: Permission
    roles: frozenset[Role]
    description: str

    def refusal(self) -> str:
        """The sentence a clerk without the role reads."""
        labels = " atau ".join(role.label for role in Role if role in self.roles)
        return f"Tindakan ini ({self.description}) hanya untuk pengguna dengan peran {labels}."


def grants(policy: Policy) -> dict[Permission, Grant]:
    """The whole table, checked against the code; PolicyFileError naming what is wrong."""
    table = policy.permissions
    missing = [p.value for p in Permission if p.value not in table]
    if missing:
        raise PolicyFileError(
            PERMISSIONS_FILE, None, "izin berikut tidak ada: " + ", ".join(missing)
        )
    known = {p.value for p in Permission}
    unknown = sorted(key for key in table if key not in known)
    if unknown:
        raise PolicyFileError(
            PERMISSIONS_FILE, None, "izin tidak dikenal aplikasi: " + ", ".join(unknown)
        )
    roles = {role.value for role in Role}
    result: dict[Permission, Grant] = {}
    for permission in Permission:
        rule = table[permission.value]
        strange = [name for name in rule.roles if name not in roles]
        if strange:
            raise PolicyFileError(
                PERMISSIONS_FILE,
                None,
                f"[{permission.value}]: peran tidak dikenal: {', '.join(strange)} "
                f"(yang dikenal: {', '.join(sorted(roles))})",
            )
        result[permission] = Grant(
            permission, frozenset(Role(name) for name in rule.roles), rule.description
        )
    return result


def grant(policy: Policy, permission: Permission) -> Grant:
    return grants(policy)[permission]


def role_may(policy: Policy, role: Role, permission: Permission) -> bool:
    return role in grant(policy, permission).roles
