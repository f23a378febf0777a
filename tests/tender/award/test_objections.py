"""Objections during the publicity and complaints to the bureau: who may object, once per point,
the answer within its period, and the bureau's decisions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.db import DomainError
from core.extensions import db
from core.jobs.models import Notification
from tender.award import operations as ops
from tender.award.models import ObjectionState
from tender.tenders.models import TenderState

US = timedelta(microseconds=1)


def test_a_bidder_objects_once_per_point(awarding):
    tender, p, publicity, _bids = awarding()
    second = p["firm_users"][1]
    objection = ops.lodge_objection(tender, {"point": "scores", "reasons": "第一名的技术分明显偏高，请复核。"}, actor=second)
    db.session.commit()
    assert objection.state == ObjectionState.OPEN and objection.answer_due_at > objection.lodged_at
    with pytest.raises(DomainError) as refused:
        ops.lodge_objection(tender, {"point": "scores", "reasons": "再次对评分提出异议，理由相同。"}, actor=second)
    assert refused.value.code == "second_objection" and objection.reference in refused.value.message
    db.session.rollback()
    # Another point by the same bidder, and the same point by another bidder, are accepted.
    ops.lodge_objection(tender, {"point": "project_manager", "reasons": "第一名的项目经理同时在另一项目任职。"}, actor=second)
    ops.lodge_objection(tender, {"point": "scores", "reasons": "评分标准执行不一致，请复核。"}, actor=p["firm_users"][2])
    db.session.commit()
    assert len(ops.state.open_objections(tender)) == 3
    told = db.session.scalars(db.select(Notification).where(Notification.message_id == "award.objection_lodged")).all()
    assert {n.user_id for n in told} >= {p["officer"].id, p["supervisor"].id}


def test_objections_only_during_the_publicity_and_only_by_bidders(awarding, make_user, clock):
    from core.accounts.models import OrgKind

    tender, p, publicity, _bids = awarding()
    outsider = make_user(OrgKind.FIRM)
    with pytest.raises(DomainError):
        ops.lodge_objection(tender, {"point": "scores", "reasons": "我公司未投标，但认为评分不公。"}, actor=outsider)
    db.session.rollback()
    clock.set(publicity.ends_at + US)
    with pytest.raises(DomainError) as late:
        ops.lodge_objection(tender, {"point": "scores", "reasons": "公示期结束后提出的异议。"}, actor=p["firm_users"][1])
    assert late.value.code == "object_not_allowed"


def test_owners_object_for_an_owners_assembly_tender(awarding, assembly_world, make_user, client):
    from core.accounts.models import MemberRole, OrgKind
    from tests.factories import csrf_token

    world = assembly_world()
    tender, p, publicity, _bids = awarding(owners=True, world=world)
    member = world["assembly_member"]
    objection = ops.lodge_objection(tender, {"point": "price", "reasons": "第一名报价低于成本，服务难以保障。"}, actor=member)
    db.session.commit()
    assert objection.party_kind.value == "committee" and objection.user_id == member.id
    # Any owner of the community, by the public form: name, room and phone.
    form = client.get(f"/tenders/{tender.id}/candidates/owner-objection")
    assert form.status_code == 200
    answer = client.post(f"/tenders/{tender.id}/candidates/owner-objection", data={
        "csrf_token": csrf_token(form.get_data(as_text=True)), "owner_name": "王业主", "owner_room": "5号楼1201",
        "owner_phone": "13800001111", "point": "qualification", "reasons": "第一名曾被业主投诉服务质量差。"})
    assert answer.status_code == 200 and "YY-" in answer.get_data(as_text=True)
    again = client.post(f"/tenders/{tender.id}/candidates/owner-objection", data={
        "csrf_token": csrf_token(form.get_data(as_text=True)), "owner_name": "王业主", "owner_room": "5号楼1201",
        "owner_phone": "138 0000 1111", "point": "qualification", "reasons": "同一事项再次提出异议。"})
    assert again.status_code == 400
    assert len(ops.state.objections(tender)) == 2


def test_the_owners_form_is_only_for_owners_assembly_tenders(awarding, client):
    tender, p, publicity, _bids = awarding()
    assert client.get(f"/tenders/{tender.id}/candidates/owner-objection").status_code == 404


def test_the_tenderer_answers_and_the_bidder_complains_within_ten_days(awarding, clock):
    tender, p, publicity, _bids = awarding()
    bidder = p["firm_users"][1]
    objection = ops.lodge_objection(tender, {"point": "scores", "reasons": "第一名的技术分明显偏高，请复核。"}, actor=bidder)
    db.session.commit()
    with pytest.raises(DomainError):
        ops.lodge_complaint(objection, {"reasons": "尚未答复就投诉。"}, actor=bidder)
    db.session.rollback()
    clock.set(objection.lodged_at + timedelta(hours=5))
    ops.answer_objection(objection, {"answer": "经评标委员会复核，评分符合评分标准。"}, actor=p["officer"])
    db.session.commit()
    until = ops.state.complaint_until(objection, objection.answered_at)
    assert until.date() - objection.answered_at.date() >= timedelta(days=10)
    clock.set(until + US)
    with pytest.raises(DomainError) as late:
        ops.lodge_complaint(objection, {"reasons": "答复没有说明复核过程。"}, actor=bidder)
    assert late.value.code == "complain_not_allowed"
    db.session.rollback()
    clock.set(until)
    complaint = ops.lodge_complaint(objection, {"reasons": "答复没有说明复核过程。"}, actor=bidder)
    db.session.commit()
    assert complaint.decided_at is None and ops.state.pending_complaints(tender) == [complaint]


def _complaint(awarding, clock):
    tender, p, publicity, bids = awarding()
    bidder = p["firm_users"][1]
    objection = ops.lodge_objection(tender, {"point": "qualification", "reasons": "第一名的资质证书已过期。"}, actor=bidder)
    ops.answer_objection(objection, {"answer": "资质证书在有效期内，见附件。"}, actor=p["officer"])
    complaint = ops.lodge_complaint(objection, {"reasons": "附件中的证书编号与系统不符。"}, actor=bidder)
    db.session.commit()
    return tender, p, complaint


@pytest.mark.parametrize("decision, state", [("dismissed", TenderState.CANDIDATES_PUBLISHED),
                                             ("re_evaluation", TenderState.EVALUATING),
                                             ("new_candidate", TenderState.CANDIDATES_PUBLISHED),
                                             ("re_tender", TenderState.FAILED)])
def test_the_bureau_decides_a_complaint_with_reasons(awarding, clock, decision, state):
    tender, p, complaint = _complaint(awarding, clock)
    with pytest.raises(DomainError):
        ops.decide_complaint(complaint, {"decision": decision, "reasons": "短"}, actor=p["supervisor"])
    db.session.rollback()
    ops.decide_complaint(complaint, {"decision": decision, "reasons": "经调查核实，作出如下处理决定。"}, actor=p["supervisor"])
    db.session.commit()
    assert tender.state == state
    if decision == "new_candidate":
        assert ops.state.next_candidate(tender).firm_id == p["firms"][1].id
    if decision == "re_evaluation":
        assert ops.state.current_publicity(tender) is None
    with pytest.raises(DomainError):
        ops.decide_complaint(complaint, {"decision": "dismissed", "reasons": "再次作出处理决定。"}, actor=p["supervisor"])


def test_an_answer_overdue_shows_on_the_bureaus_dashboard(awarding, clock, login, client):
    tender, p, publicity, _bids = awarding()
    objection = ops.lodge_objection(tender, {"point": "price", "reasons": "第一名报价明显低于成本价。"}, actor=p["firm_users"][1])
    db.session.commit()
    login(p["supervisor"])
    clock.set(objection.answer_due_at)
    assert objection.reference not in client.get("/dashboard").get_data(as_text=True)
    clock.set(objection.answer_due_at + US)
    page = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert f"Objection {objection.reference} not answered since" in page and "Objections open: 1" in page


def test_a_new_candidate_ordered_after_the_award_ends_the_current_offer(awarding, clock):
    tender, p, publicity, _bids = awarding()
    bidder = p["firm_users"][1]
    objection = ops.lodge_objection(tender, {"point": "qualification", "reasons": "第一名的资质证书已过期。"}, actor=bidder)
    ops.answer_objection(objection, {"answer": "资质证书在有效期内，见附件。"}, actor=p["officer"])
    db.session.commit()
    clock.set(publicity.ends_at + US)
    award = ops.confirm_award(tender, actor=p["officer"])
    complaint = ops.lodge_complaint(objection, {"reasons": "附件中的证书编号与系统不符。"}, actor=bidder)
    ops.decide_complaint(complaint, {"decision": "new_candidate", "reasons": "经核实第一名证书已过期，取消其中标资格。"},
                         actor=p["supervisor"])
    db.session.commit()
    assert award.outcome.value == "disqualified" and award.credit_record_id is not None
    assert ops.state.current_offer(tender).firm_id == p["firms"][1].id
