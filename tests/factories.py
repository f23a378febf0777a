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
    """make_user(kind=OrgKind.FIRM, role=MemberRole.ADMIN, org=None, totp=None, **user_fields) -> User.

    ``totp=None`` enrols an authenticator exactly when the user must have a second factor
    (supervisors, experts, operators, key custodians); ``True``/``False`` force it either way.
    """
    from core.accounts.models import requires_second_factor
    from core.auth import totp as totp_codes
    from core.db import utcnow
    from core.extensions import db
    from core.security import hash_password

    def make(
        kind: OrgKind = OrgKind.FIRM, role: MemberRole = MemberRole.ADMIN, org=None, totp: bool | None = None, **overrides
    ) -> User:
        n = next(_counter)
        org = org or make_org(kind)
        values = {"email": f"user{n}@example.com", "name": f"用户{n}", "password_hash": hash_password(PASSWORD)}
        values.update(overrides)
        user = User(**values)
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(user_id=user.id, organisation_id=org.id, role=role))
        db.session.flush()
        if totp if totp is not None else requires_second_factor(user):
            user.totp_secret = totp_codes.new_secret()
            user.totp_enabled_at = utcnow()
        db.session.commit()
        return user

    return make


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def unused_totp_code(user: User) -> str:
    """A valid authenticator code for ``user`` that has not been used yet.

    Codes are accepted for the current step and one step either side, each only once; when a test
    signs the same user in more often than that within 30 seconds, the last-used step is moved
    back, as if time had passed.
    """
    from core.auth import totp
    from core.extensions import db

    db.session.refresh(user)
    now = totp.current_step()
    # The current step first: the server may check a moment later, in the next step, and then the
    # current one is still within its one step of drift (the previous one would not be).
    free = [s for s in (now, now + 1) if user.totp_last_step is None or s > user.totp_last_step]
    if not free:
        user.totp_last_step = now - 1
        db.session.commit()
        free = [now]
    return totp.code_at(user.totp_secret, free[0])


def _forget_cached_csrf_token() -> None:
    """Signing in starts a new session with a new CSRF token. Requests made while a test holds an
    application context (``app_ctx``) share its ``g``, where Flask-WTF caches the old token."""
    from flask import g, has_app_context

    if has_app_context():
        g.pop("csrf_token", None)


@pytest.fixture
def login(client):
    """login(user) signs the test client in through the real forms, with a real TOTP code if enrolled."""

    def do(user: User, password: str = PASSWORD):
        _forget_cached_csrf_token()
        page = client.get("/auth/login")
        response = client.post(
            "/auth/login",
            data={"email": user.email, "password": password, "csrf_token": csrf_token(page.get_data(as_text=True))},
        )
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
        if response.headers["Location"].endswith("/auth/second-factor"):
            _forget_cached_csrf_token()
            page = client.get("/auth/second-factor")
            response = client.post(
                "/auth/second-factor",
                data={"code": unused_totp_code(user), "csrf_token": csrf_token(page.get_data(as_text=True))},
            )
            assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
        return response

    return do


@pytest.fixture
def logout(client):
    """logout() signs the test client out through the real form."""

    def do():
        _forget_cached_csrf_token()
        page = client.get("/").get_data(as_text=True)
        assert client.post("/auth/logout", data={"csrf_token": csrf_token(page)}).status_code == 302
        _forget_cached_csrf_token()

    return do


class BusinessClock:
    """Test control of the business clock (core.clock): ``set(instant)`` freezes it there,
    ``run_from(instant)`` lets it run from there, ``advance(delta)`` moves it on."""

    def __init__(self, app):
        self.app = app

    def _put(self, instant, frozen: bool = True) -> None:
        from core.clock import forget
        from core.clock.operations import set_clock
        from core.extensions import db

        with self.app.app_context():
            set_clock(instant, frozen=frozen)
            db.session.commit()
        forget()

    def set(self, instant) -> None:
        self._put(instant)

    def run_from(self, instant) -> None:
        self._put(instant, frozen=False)

    def advance(self, delta) -> None:
        from core import clock

        with self.app.app_context():
            current = clock.now()
        self._put(current + delta)

    def reset(self) -> None:
        self._put(None)


@pytest.fixture
def clock(app):
    """The business clock, frozen or moved for this test (the row is emptied after each test)."""
    return BusinessClock(app)
