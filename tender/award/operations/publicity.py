"""Publishing the ranked candidates (中标候选人公示) from the signed evaluation report."""

from __future__ import annotations

from datetime import datetime

from core import clock
from core.audit.operations import record_event
from core.db import DomainError, db
from core.messages import at
from flask_babel import gettext as _
from tender.award import notices
from tender.award.models import CandidatePublicity, PublicityCandidate
from tender.award.operations import sources, state
from tender.award.operations.access import require
from tender.award.operations.periods import award_values, period_end
from tender.tenders.models import TenderState
from tender.tenders.operations.access import membership_of
from tender.tenders.operations.lifecycle import base_params, tell_bureau, tell_managers, tell_registered, transition


def publication_due(tender, report, now: datetime) -> datetime:
    """When the candidates of ``report`` must be published by: the procedure's days after it was signed."""
    values = award_values(tender, now)
    return period_end(report.signed_at, values["publicity_within_days"], values)


def publish_candidates(tender, data: dict | None = None, *, actor, membership=None,
                       now: datetime | None = None) -> CandidatePublicity:
    """Publish the signed report's ranked candidates (1 to the procedure's maximum) for the publicity period.

    A publication after its due date is still made (the candidates must be public) and is marked late,
    which the bureau sees on its dashboard.
    """
    now = now or clock.now()
    require(tender, membership_of(actor, membership), "publish_candidates", now)
    report = state.unpublished_report(tender)
    values = award_values(tender, now)
    ranked = [c for c in sources.report_candidates(report) if 1 <= c.rank <= values["max_candidates"]]
    if not ranked:
        raise DomainError(_("The signed report names no ranked candidate."), code="no_candidates")
    rounds = state.publicities(tender)
    publicity = CandidatePublicity(
        tender_id=tender.id, round=len(rounds) + 1, report_id=report.id, report_sha256=report.sha256,
        report_signed_at=report.signed_at, due_at=publication_due(tender, report, now), published_at=now,
        ends_at=period_end(now, values["publicity_min_days"], values),
        published_by_id=actor.id if actor is not None else None,
    )
    db.session.add(publicity)
    db.session.flush()
    for c in ranked:
        db.session.add(PublicityCandidate(
            publicity_id=publicity.id, rank=c.rank, bid_id=c.bid_id, firm_id=c.firm_id,
            firm_name=_firm_name(c.firm_id), total_score=c.total_score, technical_score=c.technical_score,
            price_score=c.price_score, presentation_score=c.presentation_score, credit_score=c.credit_score,
            annual_total_fen=c.annual_total_fen, fee_model=getattr(c.fee_model, "value", c.fee_model),
            project_manager_name=c.project_manager_name or "",
            project_manager_certificate=c.project_manager_certificate or "",
        ))
    db.session.flush()
    db.session.refresh(publicity)
    transition(tender, TenderState.CANDIDATES_PUBLISHED, actor=actor,
               details={"round": publicity.round, "ends_at": publicity.ends_at.isoformat(), "late": publicity.late})
    params = {**base_params(tender), "ends": at(publicity.ends_at)}
    tell_managers(tender, notices.CANDIDATES_PUBLISHED, params, actor=actor)
    tell_bureau(tender, notices.CANDIDATES_PUBLISHED, params, actor=actor)
    tell_registered(tender, notices.CANDIDATES_PUBLISHED, params, actor=actor)
    return publicity


def _firm_name(firm_id: int) -> str:
    from core.accounts.models import Organisation

    org = db.session.get(Organisation, firm_id)
    return org.name if org is not None else ""


def close_publicity(publicity: CandidatePublicity, reason: str, *, actor, now: datetime) -> None:
    """End a publicity early (re-evaluation, re-tender); the candidates stay on record as published."""
    publicity.closed_at = now
    publicity.closed_reason = reason
    db.session.flush()
    record_event("award.publicity_closed", publicity, actor=actor, details={"reason": reason})
