"""The TOTP second factor: the algorithm, enrolment, the second sign-in step, recovery codes."""

from __future__ import annotations

import re
import time

import pytest
import sqlalchemy as sa

from core.accounts.models import OrgKind, User
from core.auth import totp
from core.auth.models import RecoveryCode
from core.extensions import db
from tests.core.auth.conftest import password_sign_in, wrong_totp_code
from tests.factories import PASSWORD, csrf_token, unused_totp_code

RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # "12345678901234567890", RFC 6238 appendix B


@pytest.mark.parametrize(
    "unix_time, code",
    [(59, "287082"), (1111111109, "081804"), (1234567890, "005924"), (2000000000, "279037")],
)
def test_rfc_6238_sha1_vectors(unix_time, code):
    # The RFC lists 8-digit values; six digits are the last six of them.
    assert totp.code_at(RFC_SECRET, unix_time // 30) == code
    assert totp.matching_step(RFC_SECRET, code, after=None, now=unix_time) == unix_time // 30


def test_one_step_of_drift_either_way_and_no_more():
    secret = totp.new_secret()
    now = 1_800_000_000
    step = now // 30
    for offset in (-1, 0, 1):
        assert totp.matching_step(secret, totp.code_at(secret, step + offset), after=None, now=now) == step + offset
    for offset in (-2, 2):
        assert totp.matching_step(secret, totp.code_at(secret, step + offset), after=None, now=now) is None


def test_used_steps_and_earlier_ones_are_refused():
    secret = totp.new_secret()
    now = 1_800_000_000
    step = now // 30
    code = totp.code_at(secret, step)
    assert totp.matching_step(secret, code, after=step, now=now) is None
    assert totp.matching_step(secret, totp.code_at(secret, step - 1), after=step, now=now) is None
    assert totp.matching_step(secret, totp.code_at(secret, step + 1), after=step, now=now) == step + 1


@pytest.mark.parametrize("junk", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_malformed_codes_are_refused(junk):
    assert totp.matching_step(totp.new_secret(), junk, after=None) is None


def test_secret_is_160_bits_base32():
    secret = totp.new_secret()
    assert len(secret) == 32 and re.fullmatch(r"[A-Z2-7]+", secret)


def _password_step(client, user):
    return password_sign_in(client, user.email)


def _code_step(client, code):
    page = client.get("/auth/second-factor")
    return client.post("/auth/second-factor", data={"code": code, "csrf_token": csrf_token(page.get_data(as_text=True))})


def _fresh(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_supervisor_without_a_second_factor_can_only_enrol(client, make_user):
    supervisor = make_user(kind=OrgKind.DISTRICT_BUREAU, totp=False)
    response = _password_step(client, supervisor)
    assert response.headers["Location"] == "/auth/second-factor/setup"
    for path in ("/dashboard", "/auth/settings", "/auth/settings/tokens"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/auth/second-factor/setup", path
    problem = client.get("/api/v1/me")
    assert problem.status_code == 403 and problem.get_json()["type"].endswith("second_factor_required")
    assert client.get("/").status_code == 200  # public pages stay public


def _shown_key(html: str) -> str:
    return re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")


def test_enrolment_shows_a_qr_code_and_the_key_then_needs_a_right_code(client, make_user, events):
    expert = make_user(kind=OrgKind.CITY_BUREAU, totp=False)
    _password_step(client, expert)
    page = client.get("/auth/second-factor/setup")
    html = page.get_data(as_text=True)
    assert 'src="data:image/svg+xml' in html and "<script" not in html
    key = _shown_key(html)
    assert _fresh(expert).totp_secret is None  # nothing is stored until a code from it is confirmed
    # Reloading the page keeps the same key (the app may have scanned it already).
    assert key in client.get("/auth/second-factor/setup").get_data(as_text=True).replace(" ", "")

    wrong = client.post("/auth/second-factor/setup", data={"code": "000000", "csrf_token": csrf_token(html)})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.get_data(as_text=True)
    assert not _fresh(expert).has_second_factor

    empty = client.post("/auth/second-factor/setup", data={"code": "", "csrf_token": csrf_token(html)})
    assert 'class="error-summary"' in empty.get_data(as_text=True)

    right = client.post(
        "/auth/second-factor/setup", data={"code": totp.code_at(key, totp.current_step()), "csrf_token": csrf_token(html)}
    )
    codes = re.findall(r"<li><code>([a-z2-7-]+)</code></li>", right.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert _fresh(expert).has_second_factor and _fresh(expert).totp_secret == key
    assert client.get("/dashboard").status_code == 200
    assert len(events("auth.second_factor_enabled")) == 1
    stored = db.session.scalars(sa.select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)


def test_enrolment_with_a_wrong_csrf_token_changes_nothing(client, make_user):
    user = make_user(kind=OrgKind.DISTRICT_BUREAU, totp=False)
    _password_step(client, user)
    secret = _shown_key(client.get("/auth/second-factor/setup").get_data(as_text=True))
    response = client.post(
        "/auth/second-factor/setup", data={"code": totp.code_at(secret, totp.current_step()), "csrf_token": "forged"}
    )
    assert response.status_code == 400
    assert not _fresh(user).has_second_factor


def test_enrolling_ends_other_sessions(app, client, make_user):
    from tests.core.auth.conftest import isolated_client

    user = make_user(totp=False)
    other = isolated_client(app)
    _password_step(other, user)
    assert other.get("/dashboard").status_code == 200
    _password_step(client, user)
    html = client.get("/auth/second-factor/setup").get_data(as_text=True)
    code = totp.code_at(_shown_key(html), totp.current_step())
    client.post("/auth/second-factor/setup", data={"code": code, "csrf_token": csrf_token(html)})
    assert client.get("/dashboard").status_code == 200
    assert other.get("/dashboard").status_code == 302


def test_sign_in_needs_the_code_before_the_session_counts(client, make_user, events):
    supervisor = make_user(kind=OrgKind.DISTRICT_BUREAU)
    response = _password_step(client, supervisor)
    assert response.headers["Location"] == "/auth/second-factor"
    assert client.get("/dashboard").status_code == 302  # not signed in yet
    assert not events("auth.login")

    wrong = _code_step(client, wrong_totp_code(supervisor))
    assert wrong.status_code == 200 and "验证码不正确" in wrong.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302

    code = unused_totp_code(supervisor)
    assert _code_step(client, code).headers["Location"] == "/dashboard"
    assert client.get("/dashboard").status_code == 200
    assert events("auth.login")[0].details == {"second_factor": "totp"}


def test_a_code_cannot_be_used_twice(app, client, make_user):
    from tests.core.auth.conftest import isolated_client

    user = make_user(totp=True)
    code = unused_totp_code(user)
    _password_step(client, user)
    assert _code_step(client, code).status_code == 302
    thief = isolated_client(app)
    _password_step(thief, user)
    replay = _code_step(thief, code)
    assert replay.status_code == 200 and thief.get("/dashboard").status_code == 302


def test_the_second_step_expires(client, make_user):
    user = make_user(totp=True)
    _password_step(client, user)
    with client.session_transaction() as session:
        session["pending_login"] = {**session["pending_login"], "until": int(time.time()) - 1}
    response = client.get("/auth/second-factor")
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert client.get("/auth/second-factor").headers["Location"] == "/auth/login"


def test_second_step_without_a_password_step_goes_back_to_sign_in(client):
    assert client.get("/auth/second-factor").headers["Location"] == "/auth/login"


def test_second_factor_attempts_are_throttled(client, make_user, app):
    user = make_user(totp=True)
    _password_step(client, user)
    wrong = wrong_totp_code(user)
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        assert _code_step(client, wrong).status_code == 200
    refused = _code_step(client, unused_totp_code(user))
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert client.get("/dashboard").status_code == 302


def _enrolled_with_codes(client, user):
    """Sign in, then make fresh recovery codes on the settings page; returns them."""
    _password_step(client, user)
    _code_step(client, unused_totp_code(user))
    html = client.get("/auth/settings/recovery-codes").get_data(as_text=True)
    page = client.post("/auth/settings/recovery-codes", data={"password": PASSWORD, "csrf_token": csrf_token(html)})
    return re.findall(r"<li><code>([a-z2-7-]+)</code></li>", page.get_data(as_text=True))


def test_recovery_code_signs_in_once(app, client, make_user, events):
    from tests.core.auth.conftest import isolated_client

    user = make_user(totp=True)
    codes = _enrolled_with_codes(client, user)
    assert len(codes) == 10
    phone_lost = isolated_client(app)
    _password_step(phone_lost, user)
    assert _code_step(phone_lost, codes[0].upper().replace("-", " ")).status_code == 302  # typed loosely
    assert phone_lost.get("/dashboard").status_code == 200
    again = isolated_client(app)
    _password_step(again, user)
    assert _code_step(again, codes[0]).status_code == 200
    assert again.get("/dashboard").status_code == 302
    assert events("auth.recovery_code_used")[0].details == {"left": 9}


def test_new_recovery_codes_replace_the_old_ones(app, client, make_user):
    from tests.core.auth.conftest import isolated_client

    user = make_user(totp=True)
    first = _enrolled_with_codes(client, user)
    html = client.get("/auth/settings/recovery-codes").get_data(as_text=True)
    wrong = client.post("/auth/settings/recovery-codes", data={"password": "wrong password", "csrf_token": csrf_token(html)})
    assert "密码不正确" in wrong.get_data(as_text=True)
    second = re.findall(
        r"<li><code>([a-z2-7-]+)</code></li>",
        client.post("/auth/settings/recovery-codes", data={"password": PASSWORD, "csrf_token": csrf_token(html)}).get_data(as_text=True),
    )
    assert second and not set(first) & set(second)
    other = isolated_client(app)
    _password_step(other, user)
    assert _code_step(other, first[0]).status_code == 200  # old code refused


def test_optional_second_factor_can_be_turned_off_but_a_required_one_cannot(client, make_user, login, submit):
    firm_user = make_user(totp=True)
    login(firm_user)
    response = submit(
        "/auth/settings/second-factor/turn_off", {"password": PASSWORD, "code": unused_totp_code(firm_user)}
    )
    assert response.status_code == 302
    assert not _fresh(firm_user).has_second_factor
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0


def test_required_second_factor_cannot_be_turned_off(client, make_user, login):
    supervisor = make_user(kind=OrgKind.DISTRICT_BUREAU)
    login(supervisor)
    assert client.get("/auth/settings/second-factor/turn_off").status_code == 403
    assert _fresh(supervisor).has_second_factor


def test_moving_to_a_new_app_needs_password_and_code_then_enrols_again(client, make_user, login, submit):
    supervisor = make_user(kind=OrgKind.DISTRICT_BUREAU)
    login(supervisor)
    old_secret = supervisor.totp_secret
    wrong = submit("/auth/settings/second-factor/replace", {"password": "wrong password", "code": "000000"})
    assert wrong.status_code == 200 and _fresh(supervisor).has_second_factor
    response = submit("/auth/settings/second-factor/replace", {"password": PASSWORD, "code": unused_totp_code(supervisor)})
    assert response.headers["Location"] == "/auth/second-factor/setup"
    assert client.get("/dashboard").headers["Location"] == "/auth/second-factor/setup"
    new_key = _shown_key(client.get("/auth/second-factor/setup").get_data(as_text=True))
    assert new_key != old_secret and _fresh(supervisor).totp_secret is None


def test_api_token_of_a_user_who_must_enrol_is_refused(client, make_user):
    from core.auth.tokens import create_token

    operator = make_user(kind=OrgKind.OPERATOR, totp=False)
    _, secret = create_token(
        operator.active_memberships()[0], {"name": "x", "scopes": ["admin"], "days": 1}, actor=operator
    )
    db.session.commit()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 403 and response.get_json()["type"].endswith("second_factor_required")


def test_key_custodian_must_enrol(client, make_user):
    custodian = make_user(is_key_custodian=True, totp=False)
    _password_step(client, custodian)
    assert client.get("/dashboard").headers["Location"] == "/auth/second-factor/setup"


def test_factory_enrols_the_roles_that_need_it(make_user):
    assert make_user(kind=OrgKind.DISTRICT_BUREAU).has_second_factor
    assert make_user(kind=OrgKind.OPERATOR).has_second_factor
    assert make_user(is_key_custodian=True).has_second_factor
    assert not make_user(kind=OrgKind.FIRM).has_second_factor
