"""What the award stage reads from the earlier stages: the signed evaluation report and the bids.

Imports run one way (award uses evaluation and bidding); they are made here, in one place, so the
rest of the package speaks of candidates and bids without knowing where each table lives.
"""

from __future__ import annotations

import sqlalchemy as sa

from core.db import db
from tender.tenders.models import Tender


def signed_report(tender: Tender):
    """The tender's signed evaluation report (EvaluationReport), or None."""
    from tender.evaluation.operations.report import signed_report as found

    return found(tender)


def report_candidates(report) -> list:
    """The report's ranked candidates (EvaluationCandidate), best first."""
    from tender.evaluation.models.report import EvaluationCandidate

    return list(db.session.scalars(sa.select(EvaluationCandidate).where(EvaluationCandidate.report_id == report.id)
                                   .order_by(EvaluationCandidate.rank)))


def bids(tender: Tender) -> list:
    """Every bid of the tender (Bid), any status."""
    from tender.bidding.models.submission import Bid

    return list(db.session.scalars(sa.select(Bid).where(Bid.tender_id == tender.id).order_by(Bid.id)))


def bidder_ids(tender: Tender) -> set[int]:
    """The firms that bid on the tender (a withdrawn or lapsed bid does not make a bidder)."""
    return {b.firm_id for b in bids(tender) if _status(b) not in ("withdrawn", "lapsed")}


def security_of(bid):
    """The bid's security (BidSecurity), or None."""
    return getattr(bid, "security", None)


def _status(bid) -> str:
    status = bid.status
    return getattr(status, "value", status)
