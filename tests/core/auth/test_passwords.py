"""Password rules, changing the password, and password reset by mailed link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.accounts.models import User
from core.auth import operations as ops
from core.auth.hashing import digest
from core.auth.models import PasswordResetToken
from core.auth.passwords import password_problem
from core.db import utcnow
from core.extensions import db
from core.jobs.models import OutgoingMail
from core.security import check_password
from tests.core.auth.conftest import isolated_client, password_sign_in
from tests.factories import PASSWORD, csrf_token

NEW = "a quiet lane by the Huangpu"


@pytest.mark.parametrize(
    "password, ok",
    [
        ("short", False),
        ("123456789", False),
        ("1234567890", False),  # long enough, but everybody's first guess
        ("qwertyuiop", False),
        ("woaini1314", False),
        ("aaaaaaaaaaaa", False),
        ("abababababab", False),
        ("x" * 201, False),
        ("user7@example.com", False),
        ("user7 harbour lights", True),  # containing the local part is fine
        ("user7@EXAMPLE.com", False),
        (NEW, True),
        ("物业服务招投标平台的密码", True),
    ],
)
def test_password_rules(app_ctx, password, ok):
    assert (password_problem(password, email="user7@example.com") is None) is ok


def test_local_part_of_the_email_is_refused(app_ctx):
    assert password_problem("zhang.wei.1990", email="zhang.wei.1990@example.com") is not None


def _fresh(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_change_password_needs_the_current_one_and_ends_other_sessions(app, client, make_user, login, submit, events):
    user = make_user()
    login(user)
    other = isolated_client(app)
    password_sign_in(other, user.email)
    assert other.get("/dashboard").status_code == 200

    wrong = submit("/auth/settings/password", {"current_password": "not it at all", "new_password": NEW, "confirm_password": NEW})
    assert wrong.status_code == 200 and "当前密码不正确" in wrong.get_data(as_text=True)
    assert check_password(_fresh(user).password_hash, PASSWORD)

    response = submit("/auth/settings/password", {"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW})
    assert response.status_code == 302
    assert check_password(_fresh(user).password_hash, NEW)
    assert client.get("/dashboard").status_code == 200  # this session goes on
    assert other.get("/dashboard").status_code == 302  # the other one has ended
    assert len(events("auth.password_changed")) == 1


@pytest.mark.parametrize(
    "new, confirm, message",
    [
        ("short", "short", "至少需要 10 个字符"),
        ("1234567890", "1234567890", "过于常见"),
        (NEW, NEW + "!", "两次输入的密码不一致"),
        ("", "", "请输入新密码"),
    ],
)
def test_change_password_bad_input_is_a_form_error(client, make_user, login, submit, new, confirm, message):
    user = make_user()
    login(user)
    response = submit("/auth/settings/password", {"current_password": PASSWORD, "new_password": new, "confirm_password": confirm})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html and 'class="error-summary"' in html
    assert check_password(_fresh(user).password_hash, PASSWORD)


def test_email_as_password_is_refused(client, make_user, login, submit):
    user = make_user()
    login(user)
    response = submit("/auth/settings/password", {"current_password": PASSWORD, "new_password": user.email, "confirm_password": user.email})
    assert "不能使用电子邮箱地址作为密码" in response.get_data(as_text=True)


def test_change_password_with_a_wrong_csrf_token_changes_nothing(client, make_user, login):
    user = make_user()
    login(user)
    response = client.post(
        "/auth/settings/password",
        data={"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW, "csrf_token": "forged"},
    )
    assert response.status_code == 400
    assert check_password(_fresh(user).password_hash, PASSWORD)


def _reset_link(user) -> str:
    mail = db.session.scalars(sa.select(OutgoingMail).where(OutgoingMail.user_id == user.id).order_by(OutgoingMail.id.desc())).first()
    assert mail is not None and mail.kind == "password_reset"
    return re.search(r"https?://\S+/auth/reset/\S+", mail.body).group(0)


def test_reset_request_answers_the_same_for_known_and_unknown_addresses(client, make_user, submit):
    user = make_user()
    known = submit("/auth/reset", {"email": user.email})
    unknown = submit("/auth/reset", {"email": "nobody@example.com"})
    strip = lambda r: r.get_data(as_text=True).replace(user.email, "X").replace("nobody@example.com", "X")  # noqa: E731
    assert known.status_code == unknown.status_code == 200
    assert strip(known) == strip(unknown)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingMail)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PasswordResetToken)) == 1


def test_reset_token_is_stored_hashed_and_the_mail_is_in_the_users_language(client, make_user, submit, events):
    user = make_user(locale="en")
    submit("/auth/reset", {"email": user.email})
    link = _reset_link(user)
    secret = link.rsplit("/", 1)[1]
    token = db.session.scalar(sa.select(PasswordResetToken))
    assert token.token_hash == digest(secret)
    mail = db.session.scalar(sa.select(OutgoingMail))
    assert mail.subject == "Reset your password" and "works once" in mail.body
    (event,) = events("auth.password_reset_requested")
    assert secret not in str(event.details)


def test_reset_link_works_once(client, make_user, submit, events):
    user = make_user()
    submit("/auth/reset", {"email": user.email})
    path = _reset_link(user).split("://", 1)[1].split("/", 1)[1]
    path = "/" + path
    assert client.get(path).status_code == 200
    response = submit(path, {"new_password": NEW, "confirm_password": NEW})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert check_password(_fresh(user).password_hash, NEW)
    # A second use of the same link is refused and changes nothing.
    again = client.get(path)
    assert again.status_code == 400 and "链接已过期或已被使用" in again.get_data(as_text=True)
    other = "another long passphrase here"
    assert client.post(path, data={"new_password": other, "confirm_password": other}).status_code in (400,)
    assert check_password(_fresh(user).password_hash, NEW)
    assert len(events("auth.password_reset")) == 1


def test_expired_reset_link_is_refused(client, make_user, app_ctx):
    user = make_user()
    _, secret = ops.request_password_reset(user.email)
    db.session.commit()
    token = db.session.scalar(sa.select(PasswordResetToken))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(f"/auth/reset/{secret}").status_code == 400


def test_unknown_reset_link_is_refused(client):
    assert client.get("/auth/reset/made-up").status_code == 400


def test_reset_ends_sessions_and_older_links(app, client, make_user, login, app_ctx):
    user = make_user()
    login(user)
    _, first = ops.request_password_reset(user.email)
    token = db.session.scalar(sa.select(PasswordResetToken))
    token.created_at -= timedelta(minutes=10)  # asked a while ago, so a second mail is allowed
    db.session.commit()
    _, second = ops.request_password_reset(user.email)
    db.session.commit()
    stranger = isolated_client(app)
    html = stranger.get(f"/auth/reset/{second}").get_data(as_text=True)
    stranger.post(f"/auth/reset/{second}", data={"new_password": NEW, "confirm_password": NEW, "csrf_token": csrf_token(html)})
    assert client.get("/dashboard").status_code == 302
    assert stranger.get(f"/auth/reset/{first}").status_code == 400


def test_reset_refuses_a_weak_password_and_keeps_the_link(client, make_user, submit, app_ctx):
    user = make_user()
    _, secret = ops.request_password_reset(user.email)
    db.session.commit()
    response = submit(f"/auth/reset/{secret}", {"new_password": "1234567890", "confirm_password": "1234567890"})
    assert response.status_code == 200 and "过于常见" in response.get_data(as_text=True)
    assert client.get(f"/auth/reset/{secret}").status_code == 200


def test_reset_mail_is_not_sent_again_moments_later(client, make_user, submit):
    user = make_user()
    submit("/auth/reset", {"email": user.email})
    submit("/auth/reset", {"email": user.email})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingMail)) == 1


def test_reset_requests_are_throttled_per_address(client, app):
    for i in range(app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]):
        html = client.get("/auth/reset").get_data(as_text=True)
        assert client.post("/auth/reset", data={"email": f"x{i}@example.com", "csrf_token": csrf_token(html)}).status_code == 200
    html = client.get("/auth/reset").get_data(as_text=True)
    assert client.post("/auth/reset", data={"email": "y@example.com", "csrf_token": csrf_token(html)}).status_code == 429


def test_reset_request_bad_input_and_wrong_csrf(client, submit, app_ctx):
    response = submit("/auth/reset", {"email": "not an address"})
    assert response.status_code == 200 and 'class="error-summary"' in response.get_data(as_text=True)
    client.get("/auth/reset")
    assert client.post("/auth/reset", data={"email": "a@example.com", "csrf_token": "forged"}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PasswordResetToken)) == 0


def test_language_preference(client, make_user, login, submit, events):
    user = make_user()
    login(user)
    response = submit("/auth/settings/language", {"locale": "en"})
    assert response.status_code == 302
    assert _fresh(user).locale == "en"
    assert "Account settings" in client.get("/auth/settings").get_data(as_text=True)
    bad = submit("/auth/settings/language", {"locale": "fr"})
    assert bad.status_code == 200 and 'class="error-summary"' in bad.get_data(as_text=True)
    assert _fresh(user).locale == "en"
    assert events("auth.language_changed")[0].details == {"locale": "en"}


def test_settings_pages_render_in_both_languages(client, make_user, login):
    user = make_user(totp=True)
    login(user)
    pages = ("/auth/settings", "/auth/settings/password", "/auth/settings/language", "/auth/settings/tokens",
             "/auth/settings/recovery-codes", "/auth/settings/second-factor/replace", "/auth/settings/second-factor/turn_off")
    for lang in ("zh_CN", "en"):
        for path in pages:
            response = client.get(f"{path}?lang={lang}")
            assert response.status_code == 200, (path, lang)
