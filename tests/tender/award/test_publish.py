"""Publishing the candidates from the signed evaluation report: on time or late, refused without a
report, what the bureau sees of a publication overdue, and a re-evaluation published as a new round."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.db import DomainError
from core.extensions import db
from tender.award import operations as ops
from tender.tenders.models import TenderState
from tests.tender.award.conftest import SIGNED
from tests.tender.award.helpers import add_bids, signed_report_rows

US = timedelta(microseconds=1)


@pytest.fixture
def evaluated(make_tender, make_org, make_user, clock):
    """evaluated(report=True) -> (tender, people, bids, report): an evaluating tender with three valid bids."""
    from core.accounts.models import OrgKind

    def make(report: bool = True, ranked: int = 3):
        tender, p = make_tender("published")
        third = make_org(OrgKind.FIRM, name="上海第三评标测试物业有限公司")
        p["firms"].append(third)
        p["firm_users"].append(make_user(OrgKind.FIRM, org=third))
        tender.state = TenderState.EVALUATING
        bids = add_bids(tender, p["firms"])
        found = signed_report_rows(tender, bids[:ranked], signed_at=SIGNED) if report else None
        db.session.commit()
        return tender, p, bids, found

    return make


def test_the_tenderer_publishes_the_ranked_candidates_of_the_signed_report(evaluated, clock):
    tender, p, bids, report = evaluated()
    due = ops.publication_due(tender, report, SIGNED)
    clock.set(due)
    publicity = ops.publish_candidates(tender, actor=p["officer"])
    db.session.commit()
    assert tender.state == TenderState.CANDIDATES_PUBLISHED and not publicity.late
    assert [(c.rank, c.firm_id, c.project_manager_name) for c in publicity.candidates] == [
        (1, bids[0].firm_id, "评标项目经理1"), (2, bids[1].firm_id, "评标项目经理2"), (3, bids[2].firm_id, "评标项目经理3")]
    assert publicity.report_sha256 == report.sha256 and publicity.ends_at > due
    with pytest.raises(DomainError):
        ops.publish_candidates(tender, actor=p["officer"])  # once


def test_a_publication_after_its_due_date_is_made_and_marked_late(evaluated, clock, login, client):
    tender, p, bids, report = evaluated()
    due = ops.publication_due(tender, report, SIGNED)
    clock.set(due + US)
    login(p["supervisor"])
    page = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert "Late publications: 1" in page and tender.community_name in page
    publicity = ops.publish_candidates(tender, actor=p["officer"])
    db.session.commit()
    assert publicity.late


def test_no_publication_without_a_signed_report_or_by_anyone_else(evaluated, clock):
    tender, p, bids, _none = evaluated(report=False)
    clock.set(SIGNED)
    with pytest.raises(DomainError) as refused:
        ops.publish_candidates(tender, actor=p["officer"])
    assert refused.value.code == "publish_candidates_not_allowed"
    db.session.rollback()
    tender, p, bids, report = evaluated()
    with pytest.raises(DomainError):
        ops.publish_candidates(tender, actor=p["firm_users"][0])


def test_only_the_procedures_number_of_candidates_is_published(evaluated, clock):
    tender, p, bids, report = evaluated()
    tender.procedure_values = {**tender.procedure_values, "max_candidates": 2}
    db.session.commit()
    clock.set(SIGNED)
    publicity = ops.publish_candidates(tender, actor=p["officer"])
    assert [c.rank for c in publicity.candidates] == [1, 2]


def test_after_a_re_evaluation_the_new_report_is_published_as_a_second_round(evaluated, clock):
    tender, p, bids, report = evaluated()
    clock.set(SIGNED)
    first = ops.publish_candidates(tender, actor=p["officer"])
    objection = ops.lodge_objection(tender, {"point": "scores", "reasons": "技术分评分明显有误，请复核。"},
                                    actor=p["firm_users"][1])
    ops.answer_objection(objection, {"answer": "评标委员会认为评分无误。"}, actor=p["officer"])
    complaint = ops.lodge_complaint(objection, {"reasons": "答复没有说明复核的过程和依据。"}, actor=p["firm_users"][1])
    ops.decide_complaint(complaint, {"decision": "re_evaluation", "reasons": "评分存在计算错误，责令重新评标。"},
                         actor=p["supervisor"])
    db.session.commit()
    assert tender.state == TenderState.EVALUATING and first.closed_at is not None
    assert ops.state.unpublished_report(tender) is None  # the same signature cannot be published again
    report.signed_at = SIGNED + timedelta(days=2)  # the panel signs its corrected report
    db.session.commit()
    clock.set(SIGNED + timedelta(days=2, hours=1))
    second = ops.publish_candidates(tender, actor=p["officer"])
    db.session.commit()
    assert second.round == 2 and ops.state.current_publicity(tender).id == second.id


def test_the_tender_page_leads_the_tenderer_to_publish(evaluated, clock, login, client):
    tender, p, bids, report = evaluated()
    clock.set(SIGNED)
    login(p["officer"])
    page = client.get(f"/tenders/{tender.id}?lang=en").get_data(as_text=True)
    assert "the candidates are not yet published" in page and f"/tenders/{tender.id}/award" in page
    desk = client.get(f"/tenders/{tender.id}/award?lang=en").get_data(as_text=True)
    assert "Publish the candidates" in desk
