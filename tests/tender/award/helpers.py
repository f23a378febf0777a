"""Award-stage rows built straight from the tables, for tests that need them without the whole history:
published candidates (as a signed report would give them), bids with securities, the route walk's objects."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from core.extensions import db
from tender.award.models import AwardComplaint, AwardObjection, CandidatePublicity, ObjectionPoint, PartyKind, PublicityCandidate
from tender.award.operations.periods import award_values, period_end
from tender.tenders.models import TenderState


def add_bids(tender, firms, *, security_fen: int | None = 500000) -> list:
    """A valid bid (one version, a security) for each firm."""
    from tender.bidding.models.submission import Bid, BidSecurity, BidStatus, BidVersion

    bids = []
    for n, firm in enumerate(firms, start=1):
        bid = Bid(tender_id=tender.id, firm_id=firm.id, ref=f"{tender.reference or tender.id}-B{n}-{firm.id}",
                  status=BidStatus.VALID)
        db.session.add(bid)
        db.session.flush()
        version = BidVersion(bid_id=bid.id, version=1, envelope_blob=f"{n:064x}", envelope_sha256=f"{n:064x}",
                             envelope_size=1000 + n, received_at=tender.bid_deadline - timedelta(days=1),
                             receipt={"seq": n})
        db.session.add(version)
        db.session.flush()
        bid.current_version_id = version.id
        if security_fen:
            db.session.add(BidSecurity(bid_id=bid.id, amount_fen=security_fen, payer_account=f"6222{n:012d}",
                                       payer_name=firm.name))
        bids.append(bid)
    db.session.flush()
    return bids


def publish_rows(tender, firms, *, signed_at: datetime, published_at: datetime | None = None,
                 state: TenderState = TenderState.CANDIDATES_PUBLISHED, bids=None) -> CandidatePublicity:
    """The candidates of a signed report as published, ranked in the order of ``firms``."""
    published_at = published_at or signed_at
    values = award_values(tender, published_at)
    publicity = CandidatePublicity(
        tender_id=tender.id, round=1, report_sha256="a" * 64, report_signed_at=signed_at,
        due_at=period_end(signed_at, values["publicity_within_days"], values), published_at=published_at,
        ends_at=period_end(published_at, values["publicity_min_days"], values))
    db.session.add(publicity)
    db.session.flush()
    by_firm = {b.firm_id: b for b in (bids or [])}
    for rank, firm in enumerate(firms, start=1):
        db.session.add(PublicityCandidate(
            publicity_id=publicity.id, rank=rank, bid_id=getattr(by_firm.get(firm.id), "id", None), firm_id=firm.id,
            firm_name=firm.name, total_score=Decimal("90.50") - rank, technical_score=Decimal("50.00"),
            price_score=Decimal("14.00"), presentation_score=Decimal("13.00"), credit_score=Decimal("4.50"),
            annual_total_fen=250_000_000 + rank * 1_000_000, fee_model="lump_sum",
            project_manager_name=f"项目经理{rank}", project_manager_certificate=f"PM-{rank:04d}"))
    tender.state = state
    db.session.flush()
    db.session.refresh(publicity)
    return publicity


def world_award(tender, firm) -> dict:
    """A closed publicity on the route walk's tender, with the firm's answered objection and its complaint."""
    now = tender.published_at
    publicity = publish_rows(tender, [firm], signed_at=now, state=tender.state)
    publicity.closed_at = now
    objection = AwardObjection(reference="YY-ROUT-E001", tender_id=tender.id, publicity_id=publicity.id,
                               party_kind=PartyKind.BIDDER, party_key=f"firm:{firm.id}", firm_id=firm.id,
                               point=ObjectionPoint.SCORES, reasons="评分明显不合理，请复核。", lodged_at=now,
                               answer_due_at=now + timedelta(days=3), answer="已复核，评分无误。", answered_at=now)
    db.session.add(objection)
    db.session.flush()
    complaint = AwardComplaint(objection_id=objection.id, tender_id=tender.id, reasons="答复未说明理由，请区房管局处理。",
                               lodged_at=now)
    db.session.add(complaint)
    db.session.commit()
    return {"award_objection_id": objection.id, "award_complaint_id": complaint.id, "kind": "award", "sha256": "0" * 64}


def signed_report_rows(tender, bids, *, signed_at: datetime):
    """The tender's evaluation report, signed at ``signed_at``, ranking the bids in the order given."""
    from tender.evaluation.models import EvaluationCandidate, EvaluationReport, ReportState

    report = EvaluationReport(tender_id=tender.id, state=ReportState.SIGNED, body={"ranked": [b.id for b in bids]},
                              sha256="b" * 64, signed_at=signed_at)
    db.session.add(report)
    db.session.flush()
    for rank, bid in enumerate(bids, start=1):
        db.session.add(EvaluationCandidate(
            report_id=report.id, rank=rank, bid_id=bid.id, firm_id=bid.firm_id, total_score=Decimal("91.00") - rank,
            technical_score=Decimal("51.00"), price_score=Decimal("14.50"), presentation_score=Decimal("13.50"),
            credit_score=Decimal("4.00"), annual_total_fen=240_000_000 + rank * 2_000_000, fee_model="lump_sum",
            project_manager_name=f"评标项目经理{rank}", project_manager_certificate=f"SH-PM-{rank:03d}"))
    db.session.flush()
    return report
