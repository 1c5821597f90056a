"""Which permission of forms/permissions.toml stands behind each action of the main window.

The window shows an action exactly when :func:`~nonasn_desktop.rules.permissions.role_may`
says the clerk's role holds its permission: the button and the check the operation makes read
the same table, so they cannot disagree (the operation refuses whatever the GUI shows).
"""

from __future__ import annotations

from nonasn_desktop.rules.permissions import Permission

# Action key -> the permission (forms/permissions.toml) its operation checks; None for what
# every signed-in clerk may do (it touches no data: signing out, quitting, "Tentang").
ACTION_PERMISSIONS: dict[str, Permission | None] = {
    "new": Permission.REGISTRATION_EDIT,
    "continue": Permission.REGISTRATION_EDIT,
    "print_info": Permission.CARD_PRINT,
    "print_card": Permission.CARD_PRINT,
    "export_recap": Permission.RECAP_EXPORT,
    "refresh": Permission.RECORD_LIST,
    "find": Permission.RECORD_LIST,
    "change_password": Permission.OWN_PASSWORD,
    "sign_out": None,
    "quit": None,
    "about": None,
    "users": Permission.USER_MANAGE,
    "settings": Permission.SETTINGS_CHANGE,
    "roster_import": Permission.ROSTER_IMPORT,
    "roster_template": Permission.ROSTER_IMPORT,
    # Made by gui/backup_dialogs.add_backup_actions.
    "backup": Permission.BACKUP_CREATE,
    "restore": Permission.BACKUP_RESTORE,
    "auto_backup": Permission.SETTINGS_CHANGE,
    # -- verval and batch export (gui/verval/) --
    "verval": Permission.VERVAL_REVIEW,
    "batch_export": Permission.BATCH_EXPORT,
    # Made by gui/conflict_dialogs.add_conflict_action (settling one is verval_decide, held
    # by the same roles).
    "nik_conflicts": Permission.VERVAL_REVIEW,
    # Made by gui/new_recovery_key.add_recovery_key_action (an encrypted folder of its own,
    # or the office data key at a desk of an office database server).
    "new_recovery_key": Permission.RECOVERY_KEY_RENEW,
    # Made by gui/device_dialogs.add_device_actions, at the office.
    "import_transfer": Permission.TRANSFER_IMPORT,
    "devices": Permission.DEVICE_MANAGE,
    "enrol_device": Permission.DEVICE_MANAGE,
}
