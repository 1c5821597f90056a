from __future__ import annotations

import pytest
from sqlalchemy import update

from helpers.accounts import actor_for, sign_in
from nonasn_desktop.accounts import users
from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import AuthError, FieldError
from nonasn_desktop.office import settings
from nonasn_desktop.office.settings import CAPTCHA_ENABLED, EDIT_LOCK_MINUTES, SettingDef
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.storage.models import Setting


def test_defaults(app_ctx: AppContext) -> None:
    assert settings.captcha_enabled(app_ctx) is True
    assert settings.get_setting(app_ctx, EDIT_LOCK_MINUTES) == 30
    assert settings.all_settings(app_ctx) == {
        "captcha_enabled": True,
        "edit_lock_minutes": 30,
        "backup_folder": "",
        "backup_keep": 7,
    }


def test_set_and_audit(app_ctx: AppContext, admin_user: UserInfo) -> None:
    settings.set_setting(app_ctx, CAPTCHA_ENABLED, False, actor=admin_user.actor)
    assert settings.captcha_enabled(app_ctx) is False
    settings.set_setting(app_ctx, CAPTCHA_ENABLED, True, actor=admin_user.actor)
    assert settings.captcha_enabled(app_ctx) is True
    history = audit.history(app_ctx, "setting", "captcha_enabled")
    assert [e.changes["captcha_enabled"] for e in history] == [(True, False), (False, True)]
    assert {e.actor for e in history} == {"admin"}


def test_setting_the_same_value_records_nothing(app_ctx: AppContext, admin_user: UserInfo) -> None:
    settings.set_setting(app_ctx, EDIT_LOCK_MINUTES, 30, actor=admin_user.actor)
    assert audit.history(app_ctx, "setting", "edit_lock_minutes") == []


@pytest.mark.parametrize("value", [0, 1441, True])
def test_out_of_range_values(app_ctx: AppContext, admin_user: UserInfo, value: int) -> None:
    with pytest.raises(FieldError) as info:
        settings.set_setting(app_ctx, EDIT_LOCK_MINUTES, value, actor=admin_user.actor)
    assert info.value.field == "edit_lock_minutes"
    assert settings.get_setting(app_ctx, EDIT_LOCK_MINUTES) == 30


def test_only_admins_change_settings(app_ctx: AppContext, admin_user: UserInfo) -> None:
    users.create_user(
        app_ctx,
        username="budi",
        full_name="Budi",
        role=Role.OPERATOR,
        password="kunci2026",
        actor=admin_user.actor,
    )
    with pytest.raises(AuthError):
        settings.set_setting(
            app_ctx, CAPTCHA_ENABLED, False, actor=sign_in(app_ctx, "budi", "kunci2026").actor
        )
    assert settings.captcha_enabled(app_ctx) is True


def test_undeclared_setting_is_a_bug(app_ctx: AppContext) -> None:
    rogue = SettingDef("rogue", bool, False, "Rogue")
    with pytest.raises(ValueError, match="unknown setting"):
        settings.set_setting(app_ctx, rogue, True, actor=actor_for(app_ctx))


@pytest.mark.parametrize("stored", ['"yes"', "not json", "1"])
def test_damaged_stored_value_falls_back_to_default(
    app_ctx: AppContext, admin_user: UserInfo, stored: str
) -> None:
    settings.set_setting(app_ctx, CAPTCHA_ENABLED, False, actor=admin_user.actor)
    with app_ctx.db.session() as session:
        session.execute(update(Setting).values(value=stored))
    assert settings.captcha_enabled(app_ctx) is True
