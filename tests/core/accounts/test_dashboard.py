"""Each role's dashboard shows its own work, with the organisation's status as a labelled tag."""

from __future__ import annotations

import pytest

from core.accounts import operations as ops
from core.accounts.models import MemberRole, Membership, OrgKind, OrgStatus
from core.extensions import db

EXPECTED = {
    "tenderer": (OrgKind.DEVELOPER, MemberRole.ADMIN, "Draft a tender, file it with the district bureau"),
    "agency": (OrgKind.AGENCY, MemberRole.ADMIN, "Run tenders for the developers"),
    "firm": (OrgKind.FIRM, MemberRole.ADMIN, "Tenders you can bid for"),
    "supervisor": (OrgKind.CITY_BUREAU, MemberRole.ADMIN, "Registrations waiting for you"),
    "expert": (OrgKind.CITY_BUREAU, MemberRole.EXPERT, "When you are drawn for a tender"),
    "operator": (OrgKind.OPERATOR, MemberRole.ADMIN, "Codes to check by hand"),
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_has_its_dashboard(client, make_user, login, bureaus, role):
    kind, member_role, text = EXPECTED[role]
    org = bureaus["city"] if kind == OrgKind.CITY_BUREAU else None
    user = make_user(kind, role=member_role, org=org)
    login(user)
    html = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert text in html
    assert 'class="tag tag-ok">Verified<' in html  # status as words in a tag, not colour alone
    if role == "operator":
        assert 'href="/operator/jobs"' in html  # the jobs page, where the jobs area is installed
    if role in ("supervisor", "operator"):
        assert 'href="/audit/"' in html  # the audit trail is linked where it exists
    else:
        assert 'href="/audit/"' not in html


def test_supervisor_dashboard_counts_pending_registrations_in_the_district(client, make_org, supervisor, login):
    for district in ("310104", "310104", "310115"):
        make_org(OrgKind.FIRM, status=OrgStatus.PENDING, district_code=district, reference=ops.new_reference())
    login(supervisor("xuhui"))
    html = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert "Waiting: 2" in html


def test_rejected_organisation_sees_the_reason(client, make_user, make_org, login):
    org = make_org(OrgKind.FIRM, status=OrgStatus.REJECTED, review_note="营业执照已过期")
    login(make_user(OrgKind.FIRM, org=org))
    html = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert "The registration was rejected." in html and "营业执照已过期" in html
    assert 'class="tag tag-error">Rejected<' in html


def test_a_removed_role_is_no_longer_offered(client, make_user, make_org, login):
    user = make_user(OrgKind.FIRM)
    agency = make_org(OrgKind.AGENCY)
    extra = Membership(user_id=user.id, organisation_id=agency.id, role=MemberRole.MEMBER, active=False)
    db.session.add(extra)
    db.session.commit()
    login(user)
    assert agency.name not in client.get("/switch-role").get_data(as_text=True)


def test_home_links_to_the_credit_registry(client):
    html = client.get("/?lang=en").get_data(as_text=True)
    assert 'href="/register"' in html and "Check the status of a registration" in html
    assert 'href="/credit/"' in html  # the credit area is installed in this tree
