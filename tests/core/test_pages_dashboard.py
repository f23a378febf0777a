"""Pages every signed-in user sees: the header (favicon, unread notifications), the account page's
custodian key links, and each role's dashboard, whose every link opens for that role."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from core.accounts.models import MemberRole, OrgKind, OrgStatus
from core.db import utcnow
from core.extensions import db

# role name -> (organisation kind, membership role, organisation overrides)
ROLES = {
    "firm": (OrgKind.FIRM, MemberRole.ADMIN, {}),
    "firm_pending": (OrgKind.FIRM, MemberRole.ADMIN, {"status": OrgStatus.PENDING}),
    "tenderer": (OrgKind.DEVELOPER, MemberRole.ADMIN, {}),
    "owners": (OrgKind.OWNERS_ASSEMBLY, MemberRole.MEMBER, {}),
    "agency": (OrgKind.AGENCY, MemberRole.MEMBER, {}),
    "district_supervisor": (OrgKind.DISTRICT_BUREAU, MemberRole.MEMBER, {"district_code": "310104"}),
    "city_supervisor": (OrgKind.CITY_BUREAU, MemberRole.ADMIN, {"district_code": None}),
    "expert": (OrgKind.CITY_BUREAU, MemberRole.EXPERT, {"district_code": None}),
    "operator": (OrgKind.OPERATOR, MemberRole.ADMIN, {"district_code": None}),
}

# The credit pages each role's dashboard must link to, and no others (the route rule and, for the
# catalogue and the calendar, the city bureau or an operator).
CREDIT_PAGES = {"/credit/my", "/credit/desk/intake", "/credit/desk/records", "/credit/admin/catalogue",
                "/calendar/"}
EXPECTED_CREDIT = {
    "firm": {"/credit/my"},
    "firm_pending": set(),
    "tenderer": set(),
    "owners": set(),
    "agency": {"/credit/my"},  # tender agencies have a credit file of their own
    "district_supervisor": {"/credit/desk/intake", "/credit/desk/records"},
    "city_supervisor": {"/credit/desk/intake", "/credit/desk/records", "/credit/admin/catalogue",
                        "/calendar/"},
    "expert": set(),
    "operator": {"/credit/admin/catalogue", "/calendar/"},
}
CUSTODIANS = {"tenderer", "owners", "agency", "district_supervisor", "city_supervisor", "expert", "operator"}


class _Links(HTMLParser):
    """The href of every link inside <main>."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth += 1
        elif tag == "a" and self.depth and dict(attrs).get("href"):
            self.links.append(dict(attrs)["href"])

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth -= 1


def main_links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.links


@pytest.fixture
def make_role_user(make_user, make_org):
    def make(name: str):
        kind, member_role, overrides = ROLES[name]
        return make_user(kind, role=member_role, org=make_org(kind, **overrides))

    return make


@pytest.mark.parametrize("name", sorted(ROLES))
def test_every_dashboard_link_opens_for_the_role(client, login, make_role_user, name):
    login(make_role_user(name))
    response = client.get("/dashboard?lang=en")
    assert response.status_code == 200
    links = [link for link in main_links(response.get_data(as_text=True)) if link.startswith("/")]
    assert links, "the dashboard links somewhere"
    assert {link.split("?")[0] for link in links} & CREDIT_PAGES == EXPECTED_CREDIT[name]
    for link in links:
        assert client.get(link).status_code == 200, link


def test_firm_dashboard_names_its_credit_file(client, login, make_role_user):
    login(make_role_user("firm"))
    html = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert '<a href="/credit/my">Our credit file</a>' in html and 'href="/credit/"' in html


def test_header_has_a_favicon_served_here(client):
    html = client.get("/").get_data(as_text=True)
    match = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)">', html)
    assert match and match.group(1).startswith("/static/")
    icon = client.get(match.group(1))
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data


def _deliver(user, count: int, *, read: bool = False) -> None:
    from core.jobs.models import Notification

    for i in range(count):
        db.session.add(Notification(user_id=user.id, subject=f"消息{i}", delivered_at=utcnow(),
                                    read_at=utcnow() if read else None))
    db.session.commit()


@pytest.mark.parametrize("lang,none_text,three_text", [
    ("en", "Notifications: none unread", "Notifications: 3 unread"),
    ("zh_CN", "通知：没有未读", "通知：3 条未读"),
])
def test_header_counts_unread_notifications(client, login, make_role_user, lang, none_text, three_text):
    user = make_role_user("firm")
    _deliver(user, 2, read=True)
    login(user)
    html = client.get(f"/dashboard?lang={lang}").get_data(as_text=True)
    assert f'href="/notifications"\n                 aria-label="{none_text}"' in html
    assert "count-badge" not in html
    _deliver(user, 3)
    html = client.get(f"/dashboard?lang={lang}").get_data(as_text=True)
    assert f'aria-label="{three_text}"' in html
    assert '<span class="count-badge" aria-hidden="true">3</span>' in html
    page = client.get(f"/notifications?lang={lang}").get_data(as_text=True)
    assert 'aria-current="page"' in page


def test_no_notification_link_when_signed_out(client):
    assert 'href="/notifications"' not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("name", sorted(ROLES))
def test_account_page_links_the_custodian_key_pages_for_custodians(client, login, make_role_user, name):
    login(make_role_user(name))
    html = client.get("/auth/settings?lang=en").get_data(as_text=True)
    if name in CUSTODIANS:
        assert 'href="/sealing/custodian-key"' in html and "No key registered" in html
        assert 'href="/sealing/check-key"' not in html  # nothing to check before a key is registered
        for link in ("/sealing/custodian-key",):
            assert client.get(link).status_code == 200
    else:
        assert "/sealing/custodian-key" not in html and "/sealing/check-key" not in html


def test_account_page_shows_a_registered_key_and_its_check_page(client, login, make_role_user):
    from tender.sealing.models import CustodianKey

    user = make_role_user("district_supervisor")
    db.session.add(CustodianKey(user_id=user.id, key_id="ab" * 16, public_key=bytes(32), origin="cli",
                                proof_context="register:1:1"))
    user.is_key_custodian = True
    db.session.commit()
    login(user)
    html = client.get("/auth/settings?lang=en").get_data(as_text=True)
    assert "ab" * 16 in html and "never" in html
    for link in ("/sealing/custodian-key", "/sealing/check-key"):
        assert f'href="{link}"' in html and client.get(link).status_code == 200
