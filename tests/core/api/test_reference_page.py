"""The interactive API reference in a real browser, under the site's CSP, with the app's own assets."""

from __future__ import annotations

import pytest

from tests.core.api.browser import browser, live_server, new_page, screenshot  # noqa: F401  (fixtures)
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def sign_in(page, base, email):
    page.goto(f"{base}/auth/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/dashboard")


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_reference_page_runs_under_the_csp_and_calls_the_api(app_ctx, live_server, new_page, make_user, screenshot, viewport):
    user = make_user()
    page = new_page(viewport)
    problems, outside = [], []
    page.on("console", lambda msg: problems.append(f"{msg.text} {msg.location.get('url')}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("request", lambda req: outside.append(req.url) if not req.url.startswith(live_server) else None)
    page.on("response", lambda res: problems.append(f"{res.status} {res.url}") if res.status >= 400 else None)

    sign_in(page, live_server, user.email)
    page.goto(f"{live_server}/api/docs")
    page.wait_for_selector(".opblock-summary-path[data-path='/api/v1/me']")
    assert page.locator(".opblock").count() >= 5
    screenshot(page, "api-reference")

    me = page.locator(".opblock-get", has=page.locator(".opblock-summary-path[data-path='/api/v1/me']"))
    me.locator(".opblock-summary").click()
    me.locator("button.try-out__btn").click()
    me.locator("button.execute").click()
    body = me.locator(".live-responses-table .microlight").first
    body.wait_for()
    assert user.email in body.inner_text()

    # The site has no favicon yet (the browser asks for /favicon.ico on its own); anything else counts.
    assert not [p for p in problems if "/favicon.ico" not in p], problems
    assert not outside, outside
