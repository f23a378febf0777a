"""The report the award stage reads: only a signed report is handed on, with its candidates."""

from __future__ import annotations

from decimal import Decimal

from core.accounts.models import OrgKind
from core.extensions import db


def test_signed_report_is_the_one_every_expert_signed(draft_tender, make_org, now):
    from tender.bidding.models import Bid
    from tender.evaluation.models import EvaluationCandidate, EvaluationReport, ReportState
    from tender.evaluation.operations.report import signed_report

    firm = make_org(OrgKind.FIRM)
    bid = Bid(tender_id=draft_tender.id, firm_id=firm.id, ref="bid-report-1")
    db.session.add(bid)
    report = EvaluationReport(tender_id=draft_tender.id, state=ReportState.SIGNING, body={}, sha256="0" * 64)
    report.candidates.append(EvaluationCandidate(
        rank=1, bid=bid, firm_id=firm.id, total_score=Decimal("88.50"),
        technical_score=Decimal("50.25"), price_score=Decimal("14.70"), presentation_score=Decimal("12.00"),
        credit_score=Decimal("4.50"), annual_total_fen=123456789, fee_model="lump_sum",
        project_manager_name="李经理", project_manager_certificate="PM-1"))
    db.session.add(report)
    db.session.commit()
    assert signed_report(draft_tender) is None
    report.state, report.signed_at = ReportState.SIGNED, now
    db.session.commit()
    found = signed_report(draft_tender)
    assert found is report and found.candidates[0].total_score == Decimal("88.50")
    assert found.candidates[0].bid.firm_id == firm.id
