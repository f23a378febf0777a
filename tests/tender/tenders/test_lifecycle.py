"""Every move of a tender from its draft to its announcement, and every refused one."""

from __future__ import annotations

import pytest

from core.db import DomainError
from core.extensions import db
from tender.tenders import operations as ops
from tender.tenders.models import TRANSITIONS, TenderState
from tests.tender.tenders.conftest import ANNOUNCED, SUBMITTED

S = TenderState


def test_the_state_table_allows_exactly_its_moves_and_refuses_every_other(make_tender):
    tender, p = make_tender()
    allowed, refused = 0, 0
    for source in TenderState:
        for target in TenderState:
            tender.state = source
            db.session.flush()
            if target in TRANSITIONS[source]:
                ops.transition(tender, target, actor=p["officer"])
                assert tender.state == target
                allowed += 1
            else:
                with pytest.raises(ops.InvalidTransition) as refusal:
                    ops.transition(tender, target, actor=p["officer"])
                assert refusal.value.status == 409 and tender.state == source
                refused += 1
    db.session.rollback()
    assert (allowed, refused) == (sum(len(v) for v in TRANSITIONS.values()), 13 * 13 - allowed)
    # Cancellation is open until the award, never after it.
    assert all(S.CANCELLED in TRANSITIONS[s] for s in (S.DRAFT, S.PUBLISHED, S.EVALUATING, S.CANDIDATES_PUBLISHED))
    assert not any(S.CANCELLED in TRANSITIONS[s] for s in (S.AWARDED, S.CONTRACTED, S.CANCELLED, S.FAILED))


def test_draft_is_submitted_returned_mended_resubmitted_filed_and_published(make_tender, clock):
    tender, p = make_tender()
    ops.submit_for_filing(tender, actor=p["officer"])
    assert tender.state == S.PENDING_FILING and tender.procedure_values["documents_to_deadline_days"] == 20
    assert tender.filing_due_at > tender.submitted_at
    ops.return_tender(tender, {"reasons": "服务标准与招标文件不一致，请修改。"}, actor=p["supervisor"])
    assert tender.state == S.RETURNED and "服务标准" in tender.return_reasons
    ops.update_tender(tender, {"service_grade": 3}, actor=p["officer"])
    ops.submit_for_filing(tender, actor=p["officer"])
    ops.file_tender(tender, {"filing_number": "徐房招备2026-001"}, actor=p["supervisor"])
    assert tender.state == S.FILED and all(c.key_id for c in tender.custodians)
    db.session.commit()  # the clock is set on its own connection (SQLite lets one writer in at a time)
    clock.set(ANNOUNCED)
    ops.publish_tender(tender, actor=p["officer"])
    db.session.commit()
    assert tender.state == S.PUBLISHED and tender.documents[-1].issued_at is not None
    assert tender.phase(ANNOUNCED) == "open_for_bids" and tender.phase(tender.bid_deadline) == "deadline_passed"
    from core.audit.models import AuditEvent

    actions = [e.action for e in db.session.scalars(db.select(AuditEvent).where(
        AuditEvent.subject_type == "tender", AuditEvent.subject_id == str(tender.id)).order_by(AuditEvent.seq))]
    assert ["tender.pending_filing", "tender.returned", "tender.pending_filing", "tender.filed",
            "tender.published"] == [a for a in actions if a.split(".")[1] in {s.value for s in S}]


def test_refused_moves_say_why(make_tender):
    tender, p = make_tender()
    with pytest.raises(DomainError) as publish:
        ops.publish_tender(tender, actor=p["officer"])
    assert publish.value.code == "publish_not_allowed" and "备案" in publish.value.message
    with pytest.raises(DomainError) as filing:
        ops.file_tender(tender, {}, actor=p["officer"])
    assert filing.value.code == "file_not_allowed"
    with pytest.raises(DomainError):
        ops.return_tender(tender, {"reasons": "太短"}, actor=p["supervisor"])
    ops.submit_for_filing(tender, actor=p["officer"])
    with pytest.raises(DomainError) as short:
        ops.return_tender(tender, {"reasons": "太短"}, actor=p["supervisor"])
    assert short.value.field == "reasons"
    with pytest.raises(DomainError):  # editing is over once it is with the bureau
        ops.update_tender(tender, {"buildings": 3}, actor=p["officer"])
    with pytest.raises(DomainError):
        ops.submit_for_filing(tender, actor=p["officer"])
    assert tender.state == S.PENDING_FILING


def test_an_incomplete_draft_names_everything_missing(app_ctx, people, clock):
    p = people()
    clock.set(SUBMITTED)
    tender = ops.create_tender(p["developer"], {"community_name": "空白小区"}, actor=p["officer"])
    with pytest.raises(ops.RulesBroken) as refusal:
        ops.submit_for_filing(tender, actor=p["officer"])
    codes = {problem.code for problem in refusal.value.problems}
    assert {"incomplete", "custodians", "documents", "timeline_missing"} <= codes
    assert tender.state == S.DRAFT


def test_filing_is_refused_until_every_custodian_holds_a_checked_key(make_tender):
    from tests.tender.tenders.conftest import register_key

    tender, p = make_tender("pending_filing", keys=False)
    with pytest.raises(ops.RulesBroken) as refusal:
        ops.file_tender(tender, {}, actor=p["supervisor"])
    assert len(refusal.value.problems) == 3 and tender.state == S.PENDING_FILING
    db.session.rollback()
    for c in tender.custodians:
        register_key(c.user)
    ops.file_tender(tender, {}, actor=p["supervisor"])
    assert tender.state == S.FILED


def test_a_changed_custodian_key_stops_the_tender_and_tells_tenderer_and_bureau(make_tender):
    from core.jobs.models import Notification
    from tests.tender.tenders.conftest import register_key

    tender, p = make_tender("filed")
    register_key(p["colleague"])  # a new key after filing; the old one is retired, not deleted
    assert ops.stop_for_changed_keys() == 1
    assert ops.stop_for_changed_keys() == 0  # told once
    db.session.commit()
    assert tender.phase(SUBMITTED) == "stopped"
    with pytest.raises(DomainError):
        ops.publish_tender(tender, actor=p["officer"])
    told = {n.user_id for n in db.session.scalars(db.select(Notification).where(
        Notification.message_id == "tender.custodian_key_changed"))}
    assert p["officer"].id in told and p["supervisor"].id in told
    ops.accept_custodian_keys(tender, actor=p["supervisor"])
    assert tender.custodians_stopped_at is None and tender.phase(SUBMITTED) == "filed"


def test_cancellation_needs_a_coded_reason_and_text_and_tells_the_registered(make_tender, clock):
    from core.jobs.models import Notification

    tender, p = make_tender("published")
    ops.register_for_tender(tender, {}, actor=p["firm_users"][0])
    with pytest.raises(DomainError) as no_reason:
        ops.cancel_tender(tender, {"reason": "why not", "note": "无理由无理由无理由"}, actor=p["officer"])
    assert no_reason.value.field == "reason"
    ops.cancel_tender(tender, {"reason": "requirements_changed", "note": "业主需求变化，本次招标终止。"},
                      actor=p["officer"])
    db.session.commit()
    assert tender.state == S.CANCELLED and tender.is_public
    told = db.session.scalars(db.select(Notification.user_id).where(Notification.message_id == "tender.cancelled")).all()
    assert p["firm_users"][0].id in told
    with pytest.raises(ops.InvalidTransition):
        ops.transition(tender, S.CANCELLED, actor=p["officer"])


def test_a_pending_filing_past_its_working_days_is_overdue(make_tender, clock):
    from core.accounts.models import Membership
    from tender.tenders.operations.queries import bureau_overview

    tender, p = make_tender("pending_filing")
    # Submitted Tue 1 Sep 2026 with 5 working days: due at the end of Tue 8 Sep.
    assert tender.filing_due_at.astimezone(SUBMITTED.tzinfo).date().isoformat() == "2026-09-08"
    membership = db.session.scalar(db.select(Membership).where(Membership.user_id == p["supervisor"].id))
    assert tender.phase(tender.filing_due_at) == "pending_filing"
    later = tender.filing_due_at.replace(microsecond=0) + (ANNOUNCED - ANNOUNCED.replace(hour=8))
    assert tender.phase(later) == "filing_overdue"
    assert bureau_overview(membership, later)["overdue"] == [tender]
