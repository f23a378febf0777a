"""Organisation admins add people; the city bureau adds experts; a user with two roles switches."""

from __future__ import annotations

import sqlalchemy as sa

from core.accounts.models import MemberRole, Membership, OrgKind, User
from core.extensions import db
from tests.core.accounts.conftest import post_form
from tests.factories import PASSWORD, csrf_token


def test_admin_adds_a_new_person_and_an_existing_one(client, make_user, login):
    admin = make_user(OrgKind.FIRM)
    org = admin.memberships[0].organisation
    other = make_user(OrgKind.AGENCY)
    login(admin)
    response = post_form(client, "/organisation/members", {"name": "新同事", "email": "New@Example.com", "role": "member"})
    assert response.status_code == 302
    new = db.session.scalar(sa.select(User).where(User.email == "new@example.com"))
    assert [(m.organisation_id, m.role) for m in new.memberships] == [(org.id, MemberRole.MEMBER)]
    from core.jobs.models import OutgoingMail

    [mail] = db.session.scalars(sa.select(OutgoingMail).where(OutgoingMail.recipient == "new@example.com")).all()
    assert mail.kind == "invitation" and "/auth/reset" in mail.body and org.name in mail.body
    response = post_form(client, "/organisation/members", {"name": other.name, "email": other.email, "role": "admin"})
    assert response.status_code == 302
    db.session.refresh(other)
    assert {m.organisation_id for m in other.memberships} == {org.id, other.memberships[0].organisation_id}


def test_adding_the_same_person_twice_is_a_clear_error(client, make_user, login):
    admin = make_user(OrgKind.FIRM)
    login(admin)
    post_form(client, "/organisation/members", {"name": "新同事", "email": "new@example.com", "role": "member"})
    before = db.session.scalar(sa.select(sa.func.count(Membership.id)))
    response = post_form(client, "/organisation/members?lang=en", {"name": "新同事", "email": "new@example.com", "role": "member"})
    assert response.status_code == 200 and "already has this role" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Membership.id))) == before


def test_a_member_who_is_not_admin_cannot_manage_people(client, make_user, login):
    login(make_user(OrgKind.FIRM, role=MemberRole.MEMBER))
    assert client.get("/organisation/members").status_code == 403


def test_admin_removes_a_member(client, make_user, login):
    admin = make_user(OrgKind.FIRM)
    member = make_user(OrgKind.FIRM, role=MemberRole.MEMBER, org=admin.memberships[0].organisation)
    login(admin)
    page = client.get("/organisation/members").get_data(as_text=True)
    mid = member.memberships[0].id
    response = client.post(f"/organisation/members/{mid}/remove", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Membership, mid).active is False


def test_city_bureau_creates_experts(client, supervisor, login):
    login(supervisor("city"))
    response = post_form(client, "/experts", {"name": "专家甲", "email": "expert@example.com", "specialty": "residential"})
    assert response.status_code == 302
    expert = db.session.scalar(sa.select(User).where(User.email == "expert@example.com"))
    [m] = expert.memberships
    assert m.role == MemberRole.EXPERT and m.specialty == "residential" and m.organisation.kind == OrgKind.CITY_BUREAU
    assert "专家甲" in client.get("/experts").get_data(as_text=True)


def test_expert_needs_a_specialty(client, supervisor, login):
    login(supervisor("city"))
    response = post_form(client, "/experts", {"name": "专家乙", "email": "expert2@example.com", "specialty": ""})
    assert response.status_code == 200 and 'href="#specialty"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.email == "expert2@example.com")) is None


def test_district_bureau_cannot_create_experts(client, supervisor, login):
    login(supervisor("xuhui"))
    assert client.get("/experts").status_code == 403


def test_a_user_with_two_roles_switches(client, make_user, make_org, login):
    user = make_user(OrgKind.FIRM)
    agency = make_org(OrgKind.AGENCY)
    db.session.add(Membership(user_id=user.id, organisation_id=agency.id, role=MemberRole.MEMBER))
    db.session.commit()
    login(user, PASSWORD)
    agency_membership = next(m for m in user.memberships if m.organisation_id == agency.id)
    page = client.get("/switch-role").get_data(as_text=True)
    assert agency.name in page
    response = client.post("/switch-role", data={"membership_id": agency_membership.id, "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    html = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert "Tender agency" in html
    # A membership that is not the user's own is refused with a clear error.
    stranger = make_user(OrgKind.FIRM).memberships[0].id
    response = client.post("/switch-role", data={"membership_id": stranger, "csrf_token": csrf_token(page)})
    assert response.status_code == 400
