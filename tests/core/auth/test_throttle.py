"""Throttling under concurrency, and on the settings pages that ask for the password or a code again."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from core.accounts.models import User
from core.auth.models import LoginFailure
from core.extensions import db
from tests.core.auth.conftest import isolated_client, password_sign_in, wrong_totp_code
from tests.factories import PASSWORD, csrf_token, unused_totp_code


def test_parallel_guesses_never_get_past_the_limit(app, make_user):
    """Many simultaneous wrong passwords (as from several server instances): at most the limit are checked."""
    email = make_user().email
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    clients = [isolated_client(app) for _ in range(4 * limit)]
    pages = [c.get("/auth/login").get_data(as_text=True) for c in clients]

    def guess(i):
        return clients[i].post(
            "/auth/login",
            data={"email": email, "password": f"guess number {i}", "csrf_token": csrf_token(pages[i])},
            environ_base={"REMOTE_ADDR": f"203.0.113.{i}"},
        ).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(guess, range(len(clients))))
    assert set(statuses) <= {200, 429}
    # 200: the password was checked (and refused). Guessing on afterwards, one at a time, the
    # total number of checked guesses in the window still stays within the limit.
    checked = statuses.count(200)
    while password_sign_in(isolated_client(app), email, "one more guess").status_code == 200:
        checked += 1
    assert checked == limit
    assert password_sign_in(isolated_client(app), email).status_code == 429


def test_one_code_raced_from_two_browsers_signs_in_only_once(app, make_user):
    user = make_user(totp=True)
    code = unused_totp_code(user)
    browsers = [isolated_client(app) for _ in range(2)]
    pages = []
    for b in browsers:
        password_sign_in(b, user.email)
        pages.append(b.get("/auth/second-factor").get_data(as_text=True))

    def submit(i):
        return browsers[i].post("/auth/second-factor", data={"code": code, "csrf_token": csrf_token(pages[i])}).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(pool.map(submit, range(2)))
    assert statuses == [200, 302]


def test_password_guesses_on_a_settings_page_count_against_signing_in(client, make_user, login, app):
    """A stolen session must not become a way to guess the password without limit."""
    user = make_user(totp=True)
    login(user)
    html = client.get("/auth/settings/recovery-codes").get_data(as_text=True)
    for i in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        response = client.post("/auth/settings/recovery-codes", data={"password": f"guess {i}", "csrf_token": csrf_token(html)})
        assert response.status_code == 200
    response = client.post("/auth/settings/recovery-codes", data={"password": PASSWORD, "csrf_token": csrf_token(html)})
    assert response.status_code == 429
    assert password_sign_in(isolated_client(app), user.email).status_code == 429


def test_current_password_guesses_are_throttled_too(client, make_user, login, app):
    user = make_user()
    login(user)
    html = client.get("/auth/settings/password").get_data(as_text=True)
    new = "a long and fresh passphrase"
    for i in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        data = {"current_password": f"guess {i}", "new_password": new, "confirm_password": new, "csrf_token": csrf_token(html)}
        assert client.post("/auth/settings/password", data=data).status_code == 200
    data = {"current_password": PASSWORD, "new_password": new, "confirm_password": new, "csrf_token": csrf_token(html)}
    assert client.post("/auth/settings/password", data=data).status_code == 429
    db.session.expire_all()
    assert db.session.get(User, user.id).session_epoch == user.session_epoch


def test_code_guesses_on_the_settings_page_are_throttled(client, make_user, login, app):
    user = make_user(totp=True)
    login(user)
    wrong = wrong_totp_code(user)
    html = client.get("/auth/settings/second-factor/turn_off").get_data(as_text=True)
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        data = {"password": PASSWORD, "code": wrong, "csrf_token": csrf_token(html)}
        assert client.post("/auth/settings/second-factor/turn_off", data=data).status_code == 200
    data = {"password": PASSWORD, "code": unused_totp_code(user), "csrf_token": csrf_token(html)}
    assert client.post("/auth/settings/second-factor/turn_off", data=data).status_code == 429
    db.session.expire_all()
    assert db.session.get(User, user.id).has_second_factor


def test_old_failures_stop_counting_and_are_purged(client, make_user, app):
    from datetime import timedelta

    from core.db import utcnow

    user = make_user()
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        password_sign_in(client, user.email, "wrong wrong wrong")
    assert password_sign_in(client, user.email).status_code == 429
    # Move the failures back past the window, as if the time had passed.
    window = timedelta(seconds=app.config["LOGIN_THROTTLE_WINDOW"] + 1)
    db.session.execute(sa.update(LoginFailure).values(occurred_at=utcnow() - window))
    db.session.commit()
    assert password_sign_in(client, user.email).status_code == 302
    from core.jobs.tasks import purge_login_throttle

    purge_login_throttle()  # the periodic sweep deletes what the window no longer counts
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginFailure)) == 0


def _sign_out(client):
    page = client.get("/").get_data(as_text=True)
    client.post("/auth/logout", data={"csrf_token": csrf_token(page)})


def test_a_strangers_wrong_passwords_do_not_lock_out_the_accounts_known_device(app, make_user):
    """Before a bid deadline anyone could type five wrong passwords for a bidder's address: the
    account's lock-out stops browsers without a device cookie, not the bidder's own browser."""
    user = make_user()
    own_browser = isolated_client(app)
    assert password_sign_in(own_browser, user.email).status_code == 302  # signs in once: a known device
    assert "device" in {c.key for c in own_browser._cookies.values()}
    _sign_out(own_browser)

    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for i in range(limit):
        stranger = isolated_client(app)
        assert password_sign_in(stranger, user.email, f"guess {i}", address=f"198.51.100.{i}").status_code == 200
    assert password_sign_in(isolated_client(app), user.email, address="198.51.100.200").status_code == 429

    assert password_sign_in(own_browser, user.email).status_code == 302  # the known device still signs in


def test_a_known_device_is_limited_on_its_own(app, make_user):
    user = make_user()
    browser = isolated_client(app)
    assert password_sign_in(browser, user.email).status_code == 302
    _sign_out(browser)
    for i in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        assert password_sign_in(browser, user.email, f"wrong {i}").status_code == 200
    assert password_sign_in(browser, user.email).status_code == 429
    # Other browsers are not held back by the device's own failures.
    assert password_sign_in(isolated_client(app), user.email).status_code == 302


def test_a_forged_device_cookie_counts_as_an_unknown_browser(app, make_user):
    user = make_user()
    for i in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        password_sign_in(isolated_client(app), user.email, f"guess {i}", address=f"198.51.100.{i}")
    forger = isolated_client(app)
    forger.set_cookie("device", "W3siYSI6IngiLCJuIjoieSJ9XQ.forged", path="/auth/")
    assert password_sign_in(forger, user.email).status_code == 429
