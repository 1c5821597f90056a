"""forms/permissions.toml against the code: every permission there, known roles only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nonasn_desktop.errors import PolicyFileError
from nonasn_desktop.policy import default_policy, forms_dir, load_policy
from nonasn_desktop.rules.permissions import Permission, grant, grants, role_may
from nonasn_desktop.rules.roles import Role


@pytest.fixture
def forms_copy(tmp_path: Path) -> Path:
    target = tmp_path / "forms"
    shutil.copytree(str(forms_dir()), target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_every_permission_of_the_code_is_granted() -> None:
    table = grants(default_policy())
    assert set(table) == set(Permission)
    # The decisions the issue names, as the shipped table has them.
    admin_only = {
        Permission.BACKUP_CREATE,
        Permission.BACKUP_RESTORE,
        Permission.BATCH_EXPORT,
        Permission.RECAP_EXPORT,
        Permission.USER_MANAGE,
        Permission.KEY_MANAGE,
        Permission.RECOVERY_KEY_RENEW,
        Permission.SETTINGS_CHANGE,
        Permission.ROSTER_IMPORT,
    }
    for permission in admin_only:
        assert table[permission].roles == {Role.ADMIN}, permission
    assert table[Permission.REGISTRATION_EDIT].roles == {Role.OPERATOR, Role.ADMIN}
    assert table[Permission.VERVAL_DECIDE].roles == {Role.VERIFIKATOR, Role.ADMIN}
    assert role_may(default_policy(), Role.OPERATOR, Permission.RECORD_LIST)


def test_refusal_names_the_action_and_the_roles() -> None:
    text = grant(default_policy(), Permission.VERVAL_DECIDE).refusal()
    assert text == (
        "Tindakan ini (memutuskan verval) hanya untuk pengguna dengan peran Verifikator atau Admin."
    )


def test_a_missing_permission_is_named(forms_copy: Path) -> None:
    _edit(forms_copy / "permissions.toml", "[backup_restore]", "[backup_restore_lama]")
    with pytest.raises(PolicyFileError) as caught:
        grants(load_policy(forms_copy))
    assert caught.value.file == "permissions.toml"
    assert "backup_restore" in caught.value.message


def test_an_unknown_role_is_named(forms_copy: Path) -> None:
    _edit(
        forms_copy / "permissions.toml",
        'roles = ["admin"]\ndescription = "membuat cadangan data"',
        'roles = ["admin", "kepala"]\ndescription = "membuat cadangan data"',
    )
    with pytest.raises(PolicyFileError, match="kepala"):
        grants(load_policy(forms_copy))


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            'roles = ["admin"]\ndescription = "mengelola pengguna"',
            'roles = []\ndescription = "mengelola pengguna"',
            "tidak boleh kosong",
        ),
        ('description = "mengelola pengguna"', 'description = ""', "tidak boleh kosong"),
        ('description = "mengelola pengguna"', 'description = "x"\nsemua = true', "tidak dikenal"),
        (
            'roles = ["admin"]\ndescription = "mengelola pengguna"',
            'roles = ["admin", "admin"]\ndescription = "mengelola pengguna"',
            "ganda",
        ),
    ],
)
def test_the_loader_checks_the_shape(forms_copy: Path, old: str, new: str, problem: str) -> None:
    _edit(forms_copy / "permissions.toml", old, new)
    with pytest.raises(PolicyFileError, match=problem) as caught:
        load_policy(forms_copy)
    assert caught.value.file == "permissions.toml"
    assert caught.value.line is not None
