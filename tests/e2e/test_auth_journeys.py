"""Sign-in journeys in the browser: a supervisor enrols the second factor, makes and revokes an
API token, signs in again with a code; password reset; the throttle page. Phone and desktop."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from core.accounts.models import OrgKind
from core.auth import totp
from core.extensions import db
from core.jobs.models import OutgoingMail
from tests.e2e.journeys import fits
from tests.factories import PASSWORD, unused_totp_code

NEW_PASSWORD = "plane trees along Hengshan Road"



def password_step(page, base, email, password=PASSWORD):
    page.goto(f"{base}/auth/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main form button[type=submit]")


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_supervisor_enrols_makes_a_token_and_signs_in_with_a_code(
    app_ctx, live_server, new_page, make_user, screenshot, viewport
):
    base = live_server
    supervisor = make_user(OrgKind.DISTRICT_BUREAU, totp=False)
    page = new_page(viewport)
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)

    # Password accepted: the only way on is to set up the second factor.
    password_step(page, base, supervisor.email)
    assert page.url.endswith("/auth/second-factor/setup")
    page.goto(f"{base}/dashboard")
    assert page.url.endswith("/auth/second-factor/setup")
    qr = page.locator("main img[src^='data:image/svg+xml']")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # the CSP lets the SVG show
    assert fits(page)
    screenshot(page, "auth-enrol")

    # A wrong code first, then the code from the key on the page.
    page.fill("#code", "000000")
    page.click("main form button[type=submit]")
    assert page.locator(".error-summary").is_visible() and page.locator("#code-error").is_visible()
    secret = page.inner_text("#totp-secret").replace(" ", "")
    page.fill("#code", totp.code_at(secret, totp.current_step()))
    page.click("main form button[type=submit]")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    screenshot(page, "auth-recovery-codes")
    page.click("text=我已保存恢复码，继续")
    assert page.url.endswith("/dashboard")

    # Account settings, then an API token, shown once.
    page.goto(f"{base}/auth/settings")
    assert "已开启" in page.inner_text("#second-factor + p")
    assert fits(page)
    screenshot(page, "auth-settings")
    page.goto(f"{base}/auth/settings/tokens")
    page.fill("#name", "区房管局统计系统")
    page.check("input[value='account']")
    page.fill("#days", "30")
    page.click("main form button[type=submit]")
    token = page.inner_text("#new-token")
    assert token.startswith("pst_")
    assert fits(page)
    screenshot(page, "auth-token-created")
    page.goto(f"{base}/auth/settings/tokens")
    assert token not in page.content()
    assert page.request.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"}).ok
    page.click("main table button:has-text('撤销')")
    assert "已撤销" in page.inner_text(".notice-success")
    screenshot(page, "auth-token-revoked")

    # Sign out, and in again: password, then a code.
    page.click("header form[action='/auth/logout'] button")
    password_step(page, base, supervisor.email)
    assert page.url.endswith("/auth/second-factor")
    screenshot(page, "auth-second-step")
    page.fill("#code", unused_totp_code(supervisor))
    page.click("main form button[type=submit]")
    assert page.url.endswith("/dashboard")
    assert not [p for p in problems if "Content Security Policy" in p], problems


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_forgotten_password_by_mail_link(app_ctx, live_server, new_page, make_user, screenshot, viewport):
    base = live_server
    user = make_user()
    page = new_page(viewport)
    page.goto(f"{base}/auth/login")
    page.click("text=忘记密码？")
    page.fill("#email", user.email)
    page.click("main form button[type=submit]")
    assert "请查收邮件" in page.inner_text("main h1")
    screenshot(page, "auth-reset-sent")

    db.session.expire_all()
    body = db.session.scalar(sa.select(OutgoingMail.body).where(OutgoingMail.user_id == user.id))
    link = re.search(r"https?://\S+", body).group(0)
    page.goto(base + "/auth/reset/" + link.rsplit("/", 1)[1])
    page.fill("#new_password", "1234567890")
    page.fill("#confirm_password", "1234567890")
    page.click("main form button[type=submit]")
    assert page.locator("#new_password-error").is_visible()
    screenshot(page, "auth-reset-error")
    page.fill("#new_password", NEW_PASSWORD)
    page.fill("#confirm_password", NEW_PASSWORD)
    page.click("main form button[type=submit]")
    assert page.url.endswith("/auth/login")
    password_step(page, base, user.email, NEW_PASSWORD)
    assert page.url.endswith("/dashboard")
    page.goto(base + "/auth/reset/" + link.rsplit("/", 1)[1])
    assert "此链接无效" in page.inner_text("main h1")


def test_too_many_failures_show_when_to_try_again(app_ctx, app, live_server, new_page, make_user, screenshot):
    user = make_user()
    page = new_page("phone")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        password_step(page, live_server, user.email, "not the right one")
        assert page.locator("#password-error").is_visible()
    password_step(page, live_server, user.email)
    assert "尝试次数过多" in page.inner_text("main h1")
    assert re.search(r"\d\d:\d\d", page.inner_text("main .notice"))
    assert fits(page)
    screenshot(page, "auth-throttled")
