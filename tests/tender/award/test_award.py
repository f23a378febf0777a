"""The award: refused while an objection is open or the publicity runs, the notices by job, the next
candidate taking over with one credit record draft, and the securities returned."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.db import DomainError
from core.extensions import db, rq
from core.jobs.models import Notification
from credit.models import CreditRecord, RecordSource, RecordStatus
from tender.award import operations as ops
from tender.award.models import OfferOutcome
from tender.tenders.models import TenderState

US = timedelta(microseconds=1)


def test_no_award_before_the_publicity_ends_or_while_an_objection_is_open(awarding, clock):
    tender, p, publicity, _bids = awarding()
    clock.set(publicity.ends_at)
    with pytest.raises(DomainError) as early:
        ops.confirm_award(tender, actor=p["officer"])
    assert early.value.code == "award_blocked" and "公示期尚未结束" in early.value.message
    db.session.rollback()
    objection = ops.lodge_objection(tender, {"point": "ranking", "reasons": "排序与评分汇总不一致。"}, actor=p["firm_users"][2])
    db.session.commit()
    clock.set(publicity.ends_at + US)
    with pytest.raises(DomainError) as blocked:
        ops.confirm_award(tender, actor=p["officer"])
    assert "有未结的异议" in blocked.value.message
    db.session.rollback()
    ops.answer_objection(objection, {"answer": "排序依据总分，已核对无误。"}, actor=p["officer"])
    award = ops.confirm_award(tender, actor=p["officer"])
    db.session.commit()
    assert tender.state == TenderState.AWARDED and award.firm_id == p["firms"][0].id


def _awarded(awarding, clock):
    tender, p, publicity, bids = awarding()
    clock.set(publicity.ends_at + timedelta(hours=1))
    award = ops.confirm_award(tender, actor=p["officer"])
    db.session.commit()
    return tender, p, award, bids


def test_the_notices_go_out_by_job_once(awarding, clock):
    tender, p, award, _bids = _awarded(awarding, clock)
    assert f"award-notices-{award.id}" in rq.get_queue("default").get_job_ids()
    assert ops.send_award_notices(award) is True
    assert ops.send_award_notices(award) is False
    db.session.commit()
    notices = db.session.scalars(db.select(Notification).where(Notification.message_id.in_(("award.notice", "award.result")))).all()
    by_user = {n.user_id: n.message_id for n in notices}
    assert by_user[p["firm_users"][0].id] == "award.notice"
    assert by_user[p["firm_users"][1].id] == by_user[p["firm_users"][2].id] == "award.result"
    assert all(n.mail_copy for n in notices) and len(notices) == 3


def test_losing_bidders_securities_are_returned_and_recorded(awarding, clock):
    tender, p, award, bids = _awarded(awarding, clock)
    returned = {b.firm_id: b.security.returned_at for b in bids}
    assert returned[p["firms"][0].id] is None
    assert returned[p["firms"][1].id] == returned[p["firms"][2].id] == award.confirmed_at
    assert tender.reference in bids[1].security.return_note


def test_the_next_candidate_takes_over_with_one_credit_draft(awarding, clock):
    tender, p, award, bids = _awarded(awarding, clock)
    with pytest.raises(DomainError):
        ops.end_offer(tender, {"outcome": "disqualified", "note": "资格审查发现伪造业绩证明。"}, actor=p["officer"])
    db.session.rollback()
    following = ops.end_offer(tender, {"outcome": "declined", "note": "第一中标候选人书面放弃中标。"}, actor=p["officer"])
    db.session.commit()
    assert following.firm_id == p["firms"][1].id and following.candidate.rank == 2
    assert award.outcome == OfferOutcome.DECLINED and award.credit_record_id is not None
    drafts = db.session.scalars(db.select(CreditRecord).where(CreditRecord.source == RecordSource.TENDER)).all()
    assert len(drafts) == 1 and drafts[0].status == RecordStatus.DRAFT and drafts[0].id == award.credit_record_id
    assert drafts[0].source_ref == f"{tender.reference}/award/1"
    # The same event again (a retried request, a second path to it) opens no second draft.
    from credit.operations import record_tender_violation

    again = record_tender_violation(p["firms"][0], {"item_code": "EX-F-06-02", "tender_ref": drafts[0].source_ref,
                                                    "facts": "重复调用", "district_code": tender.district_code},
                                    actor=None)
    assert again.id == drafts[0].id
    assert db.session.scalar(db.select(db.func.count(CreditRecord.id))) == 1
    assert tender.state == TenderState.AWARDED and ops.state.current_offer(tender).id == following.id
    # The bureau disqualifies the second; the third takes over; with none left the tender fails.
    ops.end_offer(tender, {"outcome": "disqualified", "note": "第二中标候选人提供虚假材料。"}, actor=p["supervisor"])
    last = ops.end_offer(tender, {"outcome": "failed_to_sign", "note": "第三中标候选人未在期限内签订合同。"},
                         actor=p["officer"])
    db.session.commit()
    assert last is None and tender.state == TenderState.FAILED
    assert db.session.scalar(db.select(db.func.count(CreditRecord.id))) == 3


def test_a_second_click_on_confirm_is_refused(awarding, clock):
    tender, p, award, _bids = _awarded(awarding, clock)
    with pytest.raises(DomainError):
        ops.confirm_award(tender, actor=p["officer"])
