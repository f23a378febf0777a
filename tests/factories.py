"""Factory fixtures: each returns a callable that makes a valid object, with overrides."""

from __future__ import annotations

import itertools
import re

import pytest

from core.accounts.models import MemberRole, Membership, Organisation, OrgKind, OrgStatus, User
from core.accounts.uscc import make as make_uscc

_counter = itertools.count(1)
PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_org(app_ctx):
    from core.extensions import db

    def make(kind: OrgKind = OrgKind.FIRM, **overrides) -> Organisation:
        n = next(_counter)
        values = {
            "kind": kind,
            "name": f"测试单位{n}",
            "district_code": "310104",
            "status": OrgStatus.VERIFIED,
        }
        if kind in (OrgKind.FIRM, OrgKind.DEVELOPER, OrgKind.AGENCY):
            values["uscc"] = make_uscc(f"91310104MA1{n:06d}")
        values.update(overrides)
        org = Organisation(**values)
        db.session.add(org)
        db.session.commit()
        return org

    return make


@pytest.fixture
def make_user(app_ctx, make_org):
    """make_user(kind=OrgKind.FIRM, role=MemberRole.ADMIN, org=None, **user_fields) -> User."""
    from core.extensions import db
    from core.security import hash_password

    def make(kind: OrgKind = OrgKind.FIRM, role: MemberRole = MemberRole.ADMIN, org=None, **overrides) -> User:
        n = next(_counter)
        org = org or make_org(kind)
        values = {"email": f"user{n}@example.com", "name": f"用户{n}", "password_hash": hash_password(PASSWORD)}
        values.update(overrides)
        user = User(**values)
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(user_id=user.id, organisation_id=org.id, role=role))
        db.session.commit()
        return user

    return make


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


@pytest.fixture
def login(client):
    """login(user) signs the test client in through the real form (no second factor)."""

    def do(user: User, password: str = PASSWORD):
        page = client.get("/auth/login")
        response = client.post(
            "/auth/login",
            data={"email": user.email, "password": password, "csrf_token": csrf_token(page.get_data(as_text=True))},
        )
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
        return response

    return do
