"""Ending every session, changing the password and resetting it also revoke the user's API tokens."""

from __future__ import annotations

import sqlalchemy as sa

from core.auth import operations as ops
from core.auth.models import ApiToken
from core.auth.tokens import create_token
from core.extensions import db
from tests.core.auth.conftest import isolated_client
from tests.factories import PASSWORD, csrf_token

NEW = "a quiet lane by the Huangpu"


def _token(user) -> tuple[ApiToken, str]:
    token, secret = create_token(
        user.active_memberships()[0], {"name": "ERP", "scopes": ["account"], "days": 30}, actor=user
    )
    db.session.commit()
    return token, secret


def _works(app, secret: str) -> bool:
    response = isolated_client(app).get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code in (200, 401), response.status_code
    return response.status_code == 200


def _revoked_with(events, reason: str) -> list:
    return [e for e in events("auth.token_revoked") if e.details.get("reason") == reason]


def test_logout_everywhere_revokes_api_tokens(app, client, make_user, login, events):
    user, bystander = make_user(), make_user()
    first, first_secret = _token(user)
    _second, second_secret = _token(user)
    _theirs, their_secret = _token(bystander)
    assert _works(app, first_secret) and _works(app, second_secret)

    login(user)
    html = client.get("/auth/settings").get_data(as_text=True)
    assert client.post("/auth/settings/logout-everywhere", data={"csrf_token": csrf_token(html)}).status_code == 302

    assert not _works(app, first_secret) and not _works(app, second_secret)
    assert _works(app, their_secret)  # another user's token is untouched
    revoked = _revoked_with(events, "logout_everywhere")
    assert sorted(e.subject_id for e in revoked) == sorted([str(first.id), str(_second.id)])
    assert all(e.actor_user_id == user.id for e in revoked)


def test_changing_the_password_revokes_api_tokens(app, client, make_user, login, submit, events):
    user = make_user()
    _token_row, secret = _token(user)
    login(user)
    response = submit("/auth/settings/password", {"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW})
    assert response.status_code == 302
    assert not _works(app, secret)
    assert len(_revoked_with(events, "password_changed")) == 1


def test_a_refused_password_change_keeps_the_tokens(app, client, make_user, login, submit, events):
    user = make_user()
    _token_row, secret = _token(user)
    login(user)
    response = submit("/auth/settings/password", {"current_password": "not it at all", "new_password": NEW, "confirm_password": NEW})
    assert response.status_code == 200
    assert _works(app, secret)
    assert events("auth.token_revoked") == []


def test_resetting_the_password_revokes_api_tokens(app, make_user, app_ctx, events):
    user = make_user()
    _token_row, secret = _token(user)
    _, reset_secret = ops.request_password_reset(user.email)
    db.session.commit()
    browser = isolated_client(app)
    html = browser.get(f"/auth/reset/{reset_secret}").get_data(as_text=True)
    response = browser.post(
        f"/auth/reset/{reset_secret}", data={"new_password": NEW, "confirm_password": NEW, "csrf_token": csrf_token(html)}
    )
    assert response.status_code == 302
    assert not _works(app, secret)
    assert len(_revoked_with(events, "password_reset")) == 1
    db.session.expire_all()
    assert db.session.scalar(sa.select(ApiToken)).revoked_at is not None


def test_the_user_is_told_when_tokens_were_revoked(app, client, make_user, login, submit):
    user = make_user()
    _token(user)
    _token(user)
    login(user)
    page = submit(
        "/auth/settings/password", {"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW}, follow=True
    )
    assert "您的 2 个接口令牌也已撤销" in page.get_data(as_text=True)

    # With no token left, nothing is said about tokens.
    html = client.get("/auth/settings").get_data(as_text=True)
    page = client.post("/auth/settings/logout-everywhere", data={"csrf_token": csrf_token(html)}, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "已在所有设备上退出登录" in text
    assert "接口令牌也已撤销" not in text


def test_signing_out_everywhere_says_how_many_tokens_were_revoked(app, client, make_user, login):
    user = make_user()
    _token(user)
    login(user)
    html = client.get("/auth/settings").get_data(as_text=True)
    page = client.post("/auth/settings/logout-everywhere", data={"csrf_token": csrf_token(html)}, follow_redirects=True)
    assert "您的 1 个接口令牌也已撤销" in page.get_data(as_text=True)
