"""The competent bureau verifies or rejects; early codes need the city bureau or the operator."""

from __future__ import annotations

import sqlalchemy as sa

from core.accounts import operations as ops
from core.accounts.models import MemberRole, OrgKind, OrgStatus
from core.accounts.uscc import make as make_uscc
from core.audit.models import AuditEvent
from core.extensions import db
from tests.factories import csrf_token


def pending(make_org, district="310104", **overrides):
    return make_org(OrgKind.FIRM, status=OrgStatus.PENDING, district_code=district, reference=ops.new_reference(), **overrides)


def decide(client, org, data, action="decision"):
    page = client.get(f"/registrations/{org.id}")
    assert page.status_code == 200
    return client.post(f"/registrations/{org.id}/{action}", data={**data, "csrf_token": csrf_token(page.get_data(as_text=True))})


def test_district_supervisor_sees_only_their_district(client, make_org, supervisor, login):
    mine, other = pending(make_org), pending(make_org, district="310115")
    login(supervisor("xuhui"))
    html = client.get("/registrations").get_data(as_text=True)
    assert mine.name in html and other.name not in html
    assert client.get(f"/registrations/{other.id}").status_code == 403
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert mine.name in dashboard and other.name not in dashboard


def test_city_supervisor_sees_all(client, make_org, supervisor, login):
    a, b = pending(make_org), pending(make_org, district="310115")
    login(supervisor("city"))
    html = client.get("/registrations").get_data(as_text=True)
    assert a.name in html and b.name in html


def test_approve_verifies_and_records_the_event_in_the_district(client, make_org, supervisor, login):
    org = pending(make_org)
    user = supervisor("xuhui")
    login(user)
    response = decide(client, org, {"d-decision": "approve", "d-reason": ""})
    assert response.status_code == 302
    db.session.refresh(org)
    assert org.status == OrgStatus.VERIFIED and org.verified_by_id == user.id and org.verified_at is not None
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "organisation.verified"))
    assert event.district_code == "310104" and event.actor_user_id == user.id


def test_reject_needs_a_reason(client, make_org, supervisor, login):
    org = pending(make_org)
    login(supervisor("xuhui"))
    response = decide(client, org, {"d-decision": "reject", "d-reason": ""})
    assert response.status_code == 422
    db.session.refresh(org)
    assert org.status == OrgStatus.PENDING
    response = decide(client, org, {"d-decision": "reject", "d-reason": "营业执照已吊销"})
    assert response.status_code == 302
    db.session.refresh(org)
    assert org.status == OrgStatus.REJECTED and org.review_note == "营业执照已吊销"


def test_a_decided_registration_cannot_be_decided_again(client, make_org, supervisor, login):
    org = pending(make_org)
    login(supervisor("xuhui"))
    decide(client, org, {"d-decision": "approve"})
    response = decide(client, org, {"d-decision": "reject", "d-reason": "again"})
    assert response.status_code == 409
    db.session.refresh(org)
    assert org.status == OrgStatus.VERIFIED


def test_early_code_needs_the_city_bureau_with_a_reason(client, make_org, supervisor, login):
    code = make_uscc("91310104MA1K55551")
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    org = pending(make_org, uscc=wrong)
    login(supervisor("xuhui"))
    response = decide(client, org, {"d-decision": "approve"})
    assert response.status_code == 409
    assert client.post(f"/registrations/{org.id}/override", data={}).status_code in (400, 403)
    db.session.refresh(org)
    assert org.status == OrgStatus.PENDING

    client.post("/auth/logout", data={"csrf_token": csrf_token(client.get("/dashboard").get_data(as_text=True))})
    login(supervisor("city"))
    assert decide(client, org, {"o-reason": ""}, "override").status_code == 422
    response = decide(client, org, {"o-reason": "2014年营业执照，已核对原件"}, "override")
    assert response.status_code == 302
    db.session.refresh(org)
    assert org.status == OrgStatus.VERIFIED and org.uscc_override_reason == "2014年营业执照，已核对原件"
    assert not org.needs_uscc_override


def test_operator_may_override(client, make_org, make_user, login):
    code = make_uscc("91310104MA1K55552")
    org = pending(make_org, uscc=code[:17] + ("0" if code[17] != "0" else "1"))
    login(make_user(OrgKind.OPERATOR))
    assert org.name in client.get("/dashboard").get_data(as_text=True)
    assert decide(client, org, {"o-reason": "核对原件"}, "override").status_code == 302
    db.session.refresh(org)
    assert org.status == OrgStatus.VERIFIED


def test_unverified_firm_cannot_use_verified_pages(client, make_user, login, make_org):
    user = make_user(OrgKind.FIRM, org=pending(make_org))
    login(user)
    assert client.get("/organisation/members").status_code == 403
    assert client.get("/dashboard").status_code == 200


def test_the_queue_says_how_long_it_is_and_pages(client, login, make_user, make_org):
    from core.accounts import operations as ops
    from core.accounts.models import MemberRole, OrgKind, OrgStatus

    ops.ensure_bureaus()
    db.session.commit()
    for _ in range(53):
        make_org(OrgKind.FIRM, status=OrgStatus.PENDING, district_code="310104", reference=ops.new_reference())
    login(make_user(OrgKind.DISTRICT_BUREAU, role=MemberRole.ADMIN, org=ops.bureau_for("310104")))
    first = client.get("/registrations?lang=en").get_data(as_text=True)
    assert "Showing 1–50 of 53" in first and "Page 1 of 2" in first
    second = client.get("/registrations?lang=en&page=2").get_data(as_text=True)
    assert "Showing 51–53 of 53" in second
