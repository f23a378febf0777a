"""Helpers for the sign-in tests: submitting forms the way a browser does."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import IsolatedClient
from tests.factories import PASSWORD, csrf_token


def isolated_client(app) -> IsolatedClient:
    """Another browser: its own cookies, and its own context for each request."""
    return IsolatedClient(app, app.response_class, use_cookies=True)


def password_sign_in(client, email: str, password: str = PASSWORD, address: str = "127.0.0.1"):
    """The password step of signing in, from a client address."""
    env = {"REMOTE_ADDR": address}
    page = client.get("/auth/login", environ_base=env)
    return client.post(
        "/auth/login",
        data={"email": email, "password": password, "csrf_token": csrf_token(page.get_data(as_text=True))},
        environ_base=env,
    )


def wrong_totp_code(user) -> str:
    """Six digits that no step near now gives for this user's secret."""
    from core.auth import totp

    valid = {totp.code_at(user.totp_secret, totp.current_step() + d) for d in (-1, 0, 1, 2)}
    return next(c for c in ("111111", "222222", "333333", "444444", "555555") if c not in valid)


@pytest.fixture
def client(app):
    return isolated_client(app)


@pytest.fixture
def submit(client):
    """submit(url, data, page=None): GET the form page (``page`` or ``url``) for its CSRF token, then POST."""

    def do(url: str, data: dict, *, page: str | None = None, follow: bool = False):
        html = client.get(page or url).get_data(as_text=True)
        return client.post(url, data={**data, "csrf_token": csrf_token(html)}, follow_redirects=follow)

    return do


@pytest.fixture
def events(app_ctx):
    """events(action) -> the audit events recorded with that action, oldest first."""
    from core.audit.models import AuditEvent
    from core.extensions import db

    def find(action: str):
        return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)).all()

    return find
