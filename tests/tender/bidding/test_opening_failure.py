"""A tender with too few valid bids fails at its opening: tender again in one click, or appoint a firm by
negotiation once the district bureau approves; every step is recorded."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core.db import DomainError
from core.extensions import db
from tender.bidding.models import FailedTender
from tender.bidding.operations import failure as failure_ops
from tender.bidding.operations import opening as ops
from tender.tenders.models import Tender, TenderState
from tests.tender.bidding.opening_helpers import run_jobs, sealed_tender, unwrap_all


@pytest.fixture
def failed(make_tender, make_org, make_user, clock):
    """A tender whose two bids both opened valid: fewer than the minimum of 3, so it failed."""
    world = sealed_tender(make_tender, make_org, make_user, clock, bids=2)
    for user in world.custodians[:2]:
        ops.submit_shares(world.tender, unwrap_all(world, user), actor=user)
        db.session.commit()
    run_jobs()
    assert world.tender.state == TenderState.FAILED
    return world


def test_retender_makes_a_new_draft_with_the_same_data_and_documents(failed):
    officer = failed.people["officer"]
    draft = failure_ops.retender(failed.tender, actor=officer)
    db.session.commit()
    old = failed.tender
    assert draft.state == TenderState.DRAFT and draft.id != old.id
    assert (draft.community_name, draft.ceiling_fen, draft.contract_months, draft.fee_model) == \
        (old.community_name, old.ceiling_fen, old.contract_months, old.fee_model)
    assert {(a.property_type, a.floor_area_m2) for a in draft.areas} == {(a.property_type, a.floor_area_m2)
                                                                            for a in old.areas}
    assert [c.user_id for c in draft.custodians] == [c.user_id for c in old.custodians]
    assert draft.custodian_threshold == old.custodian_threshold
    assert [d.digest for d in draft.documents] == [old.latest_document().digest]
    assert draft.scheme == old.scheme
    failure = db.session.scalar(sa.select(FailedTender))
    assert failure.path.value == "retender" and failure.retender_id == draft.id
    # One click only: the way out is taken.
    with pytest.raises(DomainError):
        failure_ops.retender(failed.tender, actor=officer)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Tender)) == 2


def test_a_negotiated_appointment_needs_the_bureau_s_approval(failed):
    officer, supervisor = failed.people["officer"], failed.people["supervisor"]
    firm = failed.firms[1]
    with pytest.raises(DomainError) as refused:
        failure_ops.request_negotiation(failed.tender, {"firm_id": firm.id, "reasons": "短"}, actor=officer)
    assert refused.value.code == "reasons"
    db.session.rollback()
    outsider = failed.people["firms"][0]
    with pytest.raises(DomainError) as refused:
        failure_ops.request_negotiation(failed.tender, {"firm_id": outsider.id, "reasons": "x" * 30}, actor=officer)
    assert refused.value.code == "firm"
    db.session.rollback()
    reasons = "两次招标有效投标均不足三家，经业主委员会同意，拟与报价最低且信用良好的投标人协商选聘。"
    failure_ops.request_negotiation(failed.tender, {"firm_id": firm.id, "reasons": reasons}, actor=officer)
    db.session.commit()
    # The tenderer cannot approve it; a refusal needs its reason; the bureau approves.
    with pytest.raises(DomainError):
        failure_ops.decide_negotiation(failed.tender, {"decision": "approve"}, actor=officer)
    db.session.rollback()
    with pytest.raises(DomainError) as refused:
        failure_ops.decide_negotiation(failed.tender, {"decision": "refuse", "note": ""}, actor=supervisor)
    assert refused.value.code == "note"
    db.session.rollback()
    failure_ops.decide_negotiation(failed.tender, {"decision": "approve", "note": "同意协议选聘。"}, actor=supervisor)
    db.session.commit()
    failure = db.session.scalar(sa.select(FailedTender))
    assert (failure.path.value, failure.negotiation_state.value, failure.negotiated_firm_id) == \
        ("negotiated", "approved", firm.id)
    assert failure.negotiation_reasons == reasons and failure.decided_by_id == supervisor.id
    from core.audit.models import AuditEvent

    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"bidding.negotiation_requested", "bidding.negotiation_decided", "tender.failed"} <= actions


def test_a_refused_negotiation_leaves_the_choice_open(failed):
    officer, supervisor = failed.people["officer"], failed.people["supervisor"]
    failure_ops.request_negotiation(failed.tender, {"firm_id": failed.firms[0].id, "reasons": "x" * 30},
                                    actor=officer)
    failure_ops.decide_negotiation(failed.tender, {"decision": "refuse", "note": "理由不充分，请重新招标。"},
                                   actor=supervisor)
    db.session.commit()
    assert "retender" in ops.allowed_opening_actions(failed.tender, None, officer, ops.clock.now())
    draft = failure_ops.retender(failed.tender, actor=officer)
    db.session.commit()
    assert draft.state == TenderState.DRAFT
