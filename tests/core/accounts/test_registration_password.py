"""Registration applies the same password rule as the account settings (core.auth.passwords)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core.accounts.models import User
from core.extensions import db
from core.security import check_password
from tests.core.accounts.conftest import ACCOUNT_ANSWERS

SUMMARY_LINK = 'href="#password"'


def _users() -> int:
    return db.session.scalar(sa.select(sa.func.count(User.id)))


@pytest.mark.parametrize(
    "password, message",
    [
        ("1234567890", "过于常见"),  # long enough, but everybody's first guess
        ("abababababab", "过于常见"),
        ("admin@firm.example.com", "不能使用电子邮箱地址作为密码"),  # the address typed in the same form
        ("ADMIN@Firm.example.com", "不能使用电子邮箱地址作为密码"),
        ("short", "至少需要 10 个字符"),
        ("x" * 201, "密码最多 200 个字符"),
    ],
)
def test_a_password_the_settings_page_refuses_is_a_field_error_and_nothing_is_kept(client, app_ctx, register, password, message):
    response = register(account={**ACCOUNT_ANSWERS, "password": password, "password_confirm": password})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert SUMMARY_LINK in html and message in html
    assert _users() == 0
    # The step was not recorded: the check page sends the user back to the account step.
    check = client.get("/register/check")
    assert check.status_code == 302 and check.headers["Location"].endswith("/register/account")


def test_a_password_the_settings_page_accepts_is_accepted(client, app_ctx, register):
    ten = "harbour 9x"  # ten characters: the settings page's minimum
    response = register(account={**ACCOUNT_ANSWERS, "password": ten, "password_confirm": ten})
    assert response.status_code == 302 and response.headers["Location"].endswith("/register/confirmation")
    user = db.session.scalar(sa.select(User))
    assert check_password(user.password_hash, ten)
