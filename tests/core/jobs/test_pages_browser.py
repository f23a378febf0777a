"""The operators' jobs page in Chromium on a phone and a desktop: a failed job is shown and retried."""

from __future__ import annotations

import pytest

from core.accounts.models import OrgKind
from core.extensions import db, rq
from core.jobs.operations import send_mail
from tests.core.api.browser import browser, live_server, new_page, screenshot  # noqa: F401  (fixtures)
from tests.factories import PASSWORD, unused_totp_code

pytestmark = pytest.mark.e2e


def sign_in_with_code(page, base, user):
    page.goto(f"{base}/auth/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/auth/second-factor")
    page.fill("#code", unused_totp_code(user))
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/auth/" not in url)


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_operator_sees_a_failed_job_and_retries_it(
    app, run_worker, mail_settings, closed_port, monkeypatch, live_server, new_page, make_user, screenshot, viewport
):
    monkeypatch.setitem(app.config, "MAIL_RETRY_INTERVALS", [])
    mail_settings("127.0.0.1", closed_port)
    user = make_user()
    mail = send_mail(user.email, "中标通知书", "正文", user=user)
    db.session.commit()
    run_worker("mail")
    operator = make_user(kind=OrgKind.OPERATOR)

    page = new_page(viewport)
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    sign_in_with_code(page, live_server, operator)
    page.goto(f"{live_server}/operator/jobs")
    row = page.locator("tr", has=page.locator(f"text={mail.job_id}"))
    assert row.locator(".tag-error").inner_text() == "失败"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "operator-jobs")

    row.locator("button", has_text="重试").click()
    page.wait_for_selector(".notice-success")
    assert rq.get_queue("mail").get_job_ids() == [mail.job_id]
    assert not [p for p in problems if "/favicon.ico" not in p and "Content Security Policy" in p], problems
