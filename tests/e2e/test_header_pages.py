"""The header and the pages around it at 390×844 and on a desktop: the unread count next to the
account link, buttons that look like links in page content, the account page's custodian key links,
the dashboard's credit links; nothing wider than the screen."""

from __future__ import annotations

import pytest

from core.accounts.models import MemberRole, OrgKind
from core.db import utcnow
from core.extensions import db
from tests.e2e.journeys import fits, sign_in




@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_unread_count_and_link_buttons(app_ctx, live_server, page, make_user, screenshot):
    from core.jobs.models import Notification

    user = make_user(OrgKind.FIRM)
    for i in range(3):
        db.session.add(Notification(user_id=user.id, subject=f"Bid deadline {i}", link="/dashboard",
                                    delivered_at=utcnow()))
    db.session.commit()
    sign_in(page, live_server, user)
    page.goto(f"{live_server}/language/en?next=/dashboard")  # English for the assertions; zh is tested in tests/core
    page.goto(f"{live_server}/dashboard")
    link = page.locator("a.nav-notifications")
    assert link.is_visible() and link.get_attribute("aria-label") == "Notifications: 3 unread"
    assert page.locator(".count-badge").inner_text() == "3"
    assert fits(page)
    # The favicon is declared and served by the app itself.
    href = page.get_attribute("link[rel=icon]", "href")
    assert page.request.get(live_server + href).status == 200

    page.goto(f"{live_server}/notifications")
    button = page.locator("main .link-button").first
    assert button.is_visible()
    colour = button.evaluate("(b) => getComputedStyle(b).color")
    assert colour == "rgb(29, 78, 216)"  # the link colour, 6.7:1 on white
    assert fits(page)
    screenshot(page, "notifications")
    page.locator("main button.link-button", has_text="Mark as read").first.click()
    assert page.locator(".count-badge").inner_text() == "2"


@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_custodian_links_and_credit_links(app_ctx, live_server, page, make_user, make_org, screenshot):
    city = make_org(OrgKind.CITY_BUREAU, district_code=None)
    user = make_user(OrgKind.CITY_BUREAU, role=MemberRole.ADMIN, org=city)
    sign_in(page, live_server, user)
    page.goto(f"{live_server}/language/en?next=/dashboard")  # English for the assertions; zh is tested in tests/core
    page.goto(f"{live_server}/auth/settings")
    page.get_by_role("link", name="Create or register your custodian key").click()
    assert page.url.endswith("/sealing/custodian-key")
    page.goto(f"{live_server}/dashboard")
    card = page.locator("#credit-links")
    for name in ("Complaint intake", "Credit records", "Conduct catalogue", "Working-day calendar"):
        assert card.get_by_role("link", name=name).is_visible()
    assert fits(page)
    screenshot(page, "dashboard-city-supervisor")
    card.get_by_role("link", name="Working-day calendar").click()
    assert page.url.endswith("/calendar/")
