"""Steps the browser journeys share: signing in through the real pages, checking the page fits."""

from __future__ import annotations

from tests.factories import PASSWORD, unused_totp_code


def sign_in(page, base: str, user=None, *, email: str | None = None, password: str = PASSWORD) -> None:
    """Sign in on the login page; with ``user`` known, answer the second-factor step with a fresh code."""
    page.goto(f"{base}/auth/login")
    page.fill("#email", email or user.email)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    if "/auth/second-factor" in page.url and user is not None:
        page.fill("#code", unused_totp_code(user))
        page.click("main form button[type=submit]")
    assert "/auth/login" not in page.url and "/auth/second-factor" not in page.url, page.url


def fits(page) -> bool:
    """Nothing is wider than the screen: no sideways scrolling (a phone would zoom the page out)."""
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"] + 1


def overflowing(page) -> list[str]:
    """The elements that stick out past the right edge of the screen (to say what broke ``fits``)."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        return [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 1)
            .slice(0, 5)
            .map(e => `${e.tagName.toLowerCase()}.${e.className}: ${Math.round(e.getBoundingClientRect().right)}px ` +
                      `"${(e.textContent || '').trim().slice(0, 60)}"`);
    }""")
