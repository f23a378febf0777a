"""The account step of registration (which hashes the password with scrypt) is throttled per client
network: over the limit it is a clear form error, nothing is hashed or kept, other networks go on."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core.accounts.models import User
from core.auth.models import LoginFailure
from core.extensions import db
from tests.core.accounts.conftest import ACCOUNT_ANSWERS, ORG_ANSWERS, post_form
from tests.factories import csrf_token

LIMIT = 3
REFUSED = "尝试注册的次数过多"


@pytest.fixture
def limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTER_MAX_PER_ADDRESS", LIMIT)
    return LIMIT


def _start(client):
    assert post_form(client, "/register/kind", {"kind": "firm"}).status_code == 302
    assert post_form(client, "/register/organisation", ORG_ANSWERS).status_code == 302


def _account(client, address: str, n: int, **changes):
    env = {"REMOTE_ADDR": address}
    page = client.get("/register/account", environ_base=env).get_data(as_text=True)
    data = {**ACCOUNT_ANSWERS, "email": f"admin{n}@firm.example.com", **changes, "csrf_token": csrf_token(page)}
    return client.post("/register/account", data=data, environ_base=env)


def _draft(client) -> dict:
    with client.session_transaction() as session:
        return dict(session.get("registration") or {})


def _rows() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(LoginFailure).where(LoginFailure.kind == "register"))


def test_too_many_account_steps_from_one_address_are_refused_and_nothing_is_kept(client, app_ctx, limit):
    _start(client)
    for n in range(limit):
        assert _account(client, "198.51.100.7", n).status_code == 302
    kept = _draft(client)
    assert kept["email"] == f"admin{limit - 1}@firm.example.com"

    refused = _account(client, "198.51.100.7", 99)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert REFUSED in html and 'class="error-summary"' in html
    # Nothing was hashed or kept: the draft is the one from before, no account exists.
    assert _draft(client) == kept
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
    # The refused attempt does not lengthen the wait.
    assert _rows() == limit

    # Another network is not affected.
    assert _account(client, "203.0.113.9", 100).status_code == 302


def test_invalid_submissions_are_not_counted(client, app_ctx, limit):
    _start(client)
    for n in range(limit + 2):
        response = _account(client, "198.51.100.7", n, password_confirm="something else entirely")
        assert response.status_code == 200 and REFUSED not in response.get_data(as_text=True)
    assert _rows() == 0
    assert _account(client, "198.51.100.7", 0).status_code == 302


def test_addresses_of_one_ipv6_network_count_together(client, app_ctx, limit):
    _start(client)
    for n in range(limit):
        assert _account(client, f"2001:db8:1:2::{n + 1}", n).status_code == 302
    assert REFUSED in _account(client, "2001:db8:1:2:ffff::1", 99).get_data(as_text=True)
    assert _account(client, "2001:db8:1:3::1", 100).status_code == 302


def test_the_message_is_in_english_when_chosen(client, app_ctx, limit):
    _start(client)
    client.get("/language/en")
    for n in range(limit):
        _account(client, "198.51.100.7", n)
    html = _account(client, "198.51.100.7", 99).get_data(as_text=True)
    assert "Too many registrations have been tried from your network" in html
