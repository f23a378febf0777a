"""Signing in and out, throttling of failed sign-ins, and the CSRF check on the sign-in forms."""

from __future__ import annotations

import sqlalchemy as sa

from core.auth.models import LoginFailure
from tests.core.auth.conftest import isolated_client
from tests.core.auth.conftest import password_sign_in as _sign_in
from tests.factories import PASSWORD, csrf_token

WRONG = "not the password at all"


def test_right_password_signs_in_and_records_it(client, make_user, events):
    user = make_user()
    response = _sign_in(client, user.email.upper(), PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    assert client.get("/dashboard").status_code == 200
    assert [e.subject_id for e in events("auth.login")] == [str(user.id)]


def test_wrong_password_and_unknown_account_get_the_same_answer(client, make_user):
    user = make_user()
    known = _sign_in(client, user.email, WRONG)
    unknown = _sign_in(client, "nobody@example.com", WRONG)
    assert known.status_code == unknown.status_code == 200
    for response in (known, unknown):
        assert "电子邮箱或密码不正确" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_bad_input_is_a_form_error(client):
    response = _sign_in(client, "not-an-email", "")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="error-summary"' in html and "请输入密码" in html


def test_wrong_csrf_token_is_refused_and_signs_nobody_in(client, make_user, app_ctx):
    from core.extensions import db

    user = make_user()
    client.get("/auth/login")
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 400
    assert "表单" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302
    db.session.refresh(user)
    assert user.last_login_at is None


def test_account_is_throttled_after_its_failures_whatever_the_address(client, make_user, app):
    user = make_user()
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for i in range(limit):
        assert _sign_in(client, user.email, WRONG, address=f"203.0.113.{i}").status_code == 200
    # Even the right password is refused now, from yet another address.
    response = _sign_in(client, user.email, PASSWORD, address="203.0.113.99")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "尝试次数过多" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302
    # Another account from the same address is not affected.
    other = make_user()
    assert _sign_in(client, other.email, PASSWORD, address="203.0.113.99").status_code == 302


def test_unknown_account_is_throttled_the_same_way(client, app):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        _sign_in(client, "ghost@example.com", WRONG)
    assert _sign_in(client, "ghost@example.com", WRONG).status_code == 429


def test_address_is_throttled_across_accounts(client, make_user, app):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    for i in range(limit):
        _sign_in(client, f"guess{i}@example.com", WRONG, address="192.0.2.50")
    user = make_user()
    assert _sign_in(client, user.email, PASSWORD, address="192.0.2.50").status_code == 429
    assert _sign_in(client, user.email, PASSWORD, address="192.0.2.51").status_code == 302


def test_success_clears_the_account_failures(client, make_user, app):
    user = make_user()
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit - 1):
        _sign_in(client, user.email, WRONG)
    assert _sign_in(client, user.email, PASSWORD).status_code == 302
    html = client.get("/auth/settings").get_data(as_text=True)
    assert client.post("/auth/logout", data={"csrf_token": csrf_token(html)}).status_code == 302
    for _ in range(limit - 1):
        assert _sign_in(client, user.email, WRONG).status_code == 200
    assert _sign_in(client, user.email, PASSWORD).status_code == 302


def test_failures_are_shared_between_server_instances(app, make_user):
    """Two app instances on the same database (as two gunicorn workers would be) share the count."""
    from app import create_app

    user = make_user()
    second = create_app(_config_like(app))
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for i in range(limit):
        target = app if i % 2 else second
        assert _sign_in(isolated_client(target), user.email, WRONG).status_code == 200
    assert _sign_in(isolated_client(app), user.email, PASSWORD).status_code == 429
    assert _sign_in(isolated_client(second), user.email, PASSWORD).status_code == 429


def _config_like(app):
    from config import TestingConfig

    keys = ("SQLALCHEMY_DATABASE_URI", "RQ_CONNECTION", "INSTANCE_PATH", "BLOB_DIR", "PLATFORM_KEY_DIR")
    return TestingConfig(**{k: app.config[k] for k in keys})


def test_failure_rows_hold_no_email_or_address_in_clear(client, make_user, app_ctx):
    from core.extensions import db

    user = make_user()
    _sign_in(client, user.email, WRONG, address="198.51.100.23")
    keys = db.session.scalars(sa.select(LoginFailure.key)).all()
    assert len(keys) == 2
    assert all(user.email not in k and "198.51.100.23" not in k for k in keys)


def test_logout_ends_the_session(client, make_user, login, events):
    login(make_user())
    html = client.get("/auth/settings").get_data(as_text=True)
    response = client.post("/auth/logout", data={"csrf_token": csrf_token(html)})
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 302
    assert len(events("auth.logout")) == 1


def test_logout_everywhere_ends_other_sessions(app, client, make_user, login, events):
    user = make_user()
    login(user)
    laptop = isolated_client(app)
    _sign_in(laptop, user.email)
    assert laptop.get("/dashboard").status_code == 200

    html = client.get("/auth/settings").get_data(as_text=True)
    response = client.post("/auth/settings/logout-everywhere", data={"csrf_token": csrf_token(html)})
    assert response.status_code == 302
    assert laptop.get("/dashboard").status_code == 302
    assert client.get("/dashboard").status_code == 302
    assert len(events("auth.logout_everywhere")) == 1


def test_logout_everywhere_with_a_wrong_csrf_token_changes_nothing(client, make_user, login, app_ctx):
    from core.extensions import db

    user = make_user()
    login(user)
    epoch = user.session_epoch
    response = client.post("/auth/settings/logout-everywhere", data={"csrf_token": "forged"})
    assert response.status_code == 400
    db.session.refresh(user)
    assert user.session_epoch == epoch
    assert client.get("/dashboard").status_code == 200


def test_next_is_followed_only_within_the_site(client, make_user):
    user = make_user()
    page = client.get("/auth/login?next=https://evil.example/")
    response = client.post(
        "/auth/login?next=https://evil.example/",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(page.get_data(as_text=True))},
    )
    assert response.headers["Location"] == "/dashboard"


def test_signed_in_user_visiting_sign_in_goes_to_the_dashboard(client, make_user, login):
    login(make_user())
    assert client.get("/auth/login").headers["Location"] == "/dashboard"


def test_inactive_account_gets_the_same_answer_as_a_wrong_password(client, make_user, app_ctx):
    from core.extensions import db

    user = make_user(active=False)
    response = _sign_in(client, user.email, PASSWORD)
    assert response.status_code == 200 and "电子邮箱或密码不正确" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.last_login_at is None
