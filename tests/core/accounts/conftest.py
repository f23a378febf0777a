"""Fixtures for accounts tests: a registration walked through the real pages, bureaus and supervisors."""

from __future__ import annotations

import pytest

from core.accounts.models import MemberRole, OrgKind
from core.accounts.uscc import make as make_uscc
from tests.factories import PASSWORD, csrf_token

FIRM_CODE = make_uscc("91310104MA1K77771")


def post_form(client, url: str, data: dict, *, follow: bool = False):
    """GET the page for its CSRF token, then POST ``data`` to it."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return client.post(url, data={**data, "csrf_token": csrf_token(page.get_data(as_text=True))}, follow_redirects=follow)


ORG_ANSWERS = {
    "name": "上海测试物业有限公司",
    "uscc": FIRM_CODE,
    "district_code": "310104",
    "address": "徐汇区测试路1号",
    "contact_phone": "021-12345678",
}
ACCOUNT_ANSWERS = {
    "admin_name": "测试管理员",
    "email": "Admin@Firm.example.com",
    "phone": "13800000000",
    "password": PASSWORD,
    "password_confirm": PASSWORD,
}


@pytest.fixture
def register(client):
    """register(kind="firm", org=..., account=...) walks every step; returns the last response."""

    def walk(kind: str = "firm", org: dict | None = None, account: dict | None = None, submit: bool = True):
        assert post_form(client, "/register/kind", {"kind": kind}).status_code == 302
        response = post_form(client, "/register/organisation", org if org is not None else ORG_ANSWERS)
        if response.status_code != 302:
            return response
        response = post_form(client, "/register/account", account if account is not None else ACCOUNT_ANSWERS)
        if response.status_code != 302 or not submit:
            return response
        return post_form(client, "/register/check", {"declaration": "y"})

    return walk


@pytest.fixture
def bureaus(app_ctx):
    """The 16 district bureaus and the city bureau, as in production."""
    from core.accounts import operations as ops
    from core.extensions import db

    ops.ensure_bureaus()
    db.session.commit()
    return {"xuhui": ops.bureau_for("310104"), "pudong": ops.bureau_for("310115"), "city": ops.bureau_for(None)}


@pytest.fixture
def supervisor(make_user, bureaus):
    """supervisor("xuhui" | "pudong" | "city") -> an enrolled supervisor of that bureau."""

    def make(which: str = "xuhui", role: MemberRole = MemberRole.ADMIN):
        return make_user(OrgKind.DISTRICT_BUREAU, role=role, org=bureaus[which])

    return make
