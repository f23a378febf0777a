"""Facts about a tender's award stage, read from its rows (no state of its own is kept for them)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from core.db import db
from tender.award.models import (
    Award, AwardComplaint, CandidatePublicity, AwardObjection, ObjectionState, PublicityCandidate,
)
from tender.award.operations import sources
from tender.award.operations.periods import deadline
from tender.tenders.models import Tender


def publicities(tender: Tender) -> list[CandidatePublicity]:
    return list(db.session.scalars(sa.select(CandidatePublicity).where(CandidatePublicity.tender_id == tender.id)
                                   .order_by(CandidatePublicity.round)))


def current_publicity(tender: Tender) -> CandidatePublicity | None:
    """The latest publicity not closed by a re-evaluation or a re-tender."""
    found = publicities(tender)
    return found[-1] if found and found[-1].closed_at is None else None


def unpublished_report(tender: Tender):
    """The signed report whose candidates are not yet published, or None."""
    report = sources.signed_report(tender)
    if report is None:
        return None
    published = {p.report_id for p in publicities(tender) if p.report_id is not None}
    if report.id in published and current_publicity(tender) is not None:
        return None
    if report.id in published:
        # Re-evaluation: the panel must sign a new report (a new id, or the same one signed again later).
        last = max((p for p in publicities(tender) if p.report_id == report.id), key=lambda p: p.round)
        if report.signed_at is None or report.signed_at <= last.report_signed_at:
            return None
    return report


def objections(tender: Tender) -> list[AwardObjection]:
    return list(db.session.scalars(sa.select(AwardObjection).where(AwardObjection.tender_id == tender.id).order_by(AwardObjection.id)))


def open_objections(tender: Tender) -> list[AwardObjection]:
    return [o for o in objections(tender) if o.state == ObjectionState.OPEN]


def pending_complaints(tender: Tender) -> list[AwardComplaint]:
    return list(db.session.scalars(sa.select(AwardComplaint).where(AwardComplaint.tender_id == tender.id,
                                                                   AwardComplaint.decided_at.is_(None))
                                   .order_by(AwardComplaint.id)))


def complaint_until(objection: AwardObjection, now: datetime) -> datetime:
    """The last instant a bidder may complain about the answer to ``objection``."""
    return deadline(objection.tender, objection.answered_at or objection.lodged_at, "complaint_days", now)


def award_blockers(tender: Tender, now: datetime) -> list[str]:
    """Why the award cannot be confirmed now (none: it can)."""
    publicity = current_publicity(tender)
    problems = []
    if publicity is None:
        return [_("The candidates have not been published.")]
    if not publicity.ended(now):
        problems.append(_("The publicity has not ended: it runs until %(ends)s.", ends=_when(publicity.ends_at)))
    if open_objections(tender):
        problems.append(_("An objection is open: the tenderer must answer it first."))
    if pending_complaints(tender):
        problems.append(_("A complaint is waiting for the district bureau's decision."))
    if next_candidate(tender) is None:
        problems.append(_("No candidate is left to award."))
    return problems


def _when(instant: datetime) -> str:
    from flask_babel import format_datetime

    return format_datetime(instant, "yyyy-MM-dd EEE HH:mm")


def offers(tender: Tender) -> list[Award]:
    return list(db.session.scalars(sa.select(Award).where(Award.tender_id == tender.id).order_by(Award.id)))


def current_offer(tender: Tender) -> Award | None:
    return next((a for a in offers(tender) if a.ended_at is None), None)


def next_candidate(tender: Tender) -> PublicityCandidate | None:
    """The best-ranked candidate not excluded and not yet offered the award."""
    publicity = current_publicity(tender)
    if publicity is None:
        return None
    offered = {a.candidate_id for a in offers(tender)}
    return next((c for c in publicity.candidates if c.excluded_at is None and c.id not in offered), None)


def bidders(tender: Tender) -> set[int]:
    """The firms that bid: from the bids, and the candidates as published."""
    found = sources.bidder_ids(tender)
    for publicity in publicities(tender):
        found |= {c.firm_id for c in publicity.candidates}
    return found


def notices_for(tender: Tender, firm_id: int) -> list[Award]:
    """The offers whose notices reached this firm: the award notice if it won, else the result."""
    return [a for a in offers(tender) if a.notices_sent_at is not None and firm_id in bidders(tender)]
