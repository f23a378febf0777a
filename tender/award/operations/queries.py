"""What the award pages and dashboards list: the bureau's overview, a firm's results, and a tender's
whole record with every step, document and audit event in order."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from core.audit.models import AuditEvent
from core.db import db
from tender.award.models import (
    Award, AwardComplaint, AwardFiling, CandidatePublicity, AwardObjection, ObjectionState, PublicityCandidate,
)
from tender.award.operations import sources, state
from tender.award.operations.filing import overdue
from tender.tenders.models import Tender, TenderState

S = TenderState


def _district(query, membership, column=Tender.district_code):
    org = membership.organisation
    if org.district_code is not None and org.kind.value == "district_bureau":
        return query.where(column == org.district_code)
    return query


def late_publications(now: datetime, membership) -> list[dict]:
    """Tenders whose candidates are overdue for publication, or were published after their due date."""
    from tender.award.operations.publicity import publication_due

    found = []
    evaluating = db.session.scalars(_district(sa.select(Tender).where(Tender.state == S.EVALUATING), membership)
                                    .order_by(Tender.id).limit(500)).all()
    for tender in evaluating:
        report = state.unpublished_report(tender)
        if report is not None and now > publication_due(tender, report, now):
            found.append({"tender": tender, "due_at": publication_due(tender, report, now), "published_at": None})
    late = db.session.scalars(_district(sa.select(CandidatePublicity).join(Tender, Tender.id == CandidatePublicity.tender_id)
                                        .where(CandidatePublicity.published_at > CandidatePublicity.due_at), membership)
                              .order_by(CandidatePublicity.published_at.desc()).limit(50)).all()
    for p in late:
        found.append({"tender": db.session.get(Tender, p.tender_id), "due_at": p.due_at, "published_at": p.published_at})
    return found


def bureau_overview(membership, now: datetime) -> dict:
    """The award stage in the bureau's district (or the city): publicity, objections, complaints, overdue
    filings and contracts, failed tenders, late publications."""
    in_publicity = db.session.scalars(_district(sa.select(Tender).where(Tender.state == S.CANDIDATES_PUBLISHED),
                                                membership).order_by(Tender.id).limit(200)).all()
    open_objections = db.session.scalars(_district(
        sa.select(AwardObjection).join(Tender, Tender.id == AwardObjection.tender_id).where(AwardObjection.state == ObjectionState.OPEN),
        membership).order_by(AwardObjection.answer_due_at)).all()
    complaints = db.session.scalars(_district(
        sa.select(AwardComplaint).join(Tender, Tender.id == AwardComplaint.tender_id)
        .where(AwardComplaint.decided_at.is_(None)), membership).order_by(AwardComplaint.lodged_at)).all()
    org = membership.organisation
    district = org.district_code if org.kind.value == "district_bureau" else None
    late_filings = overdue(now, district)
    failed = db.session.scalars(_district(sa.select(Tender).where(Tender.state == S.FAILED), membership)
                                .order_by(Tender.updated_at.desc()).limit(50)).all()
    waiting = db.session.scalars(_district(
        sa.select(AwardFiling).join(Award, Award.id == AwardFiling.award_id).join(Tender, Tender.id == Award.tender_id)
        .where(AwardFiling.state == "submitted", Award.ended_at.is_(None)), membership)).all()
    return {"publicity": in_publicity, "objections": open_objections, "complaints": complaints,
            "overdue_awards": [a for a, k in late_filings if k.value == "award"],
            "overdue_contracts": [a for a, k in late_filings if k.value == "contract"],
            "failed": failed, "late": late_publications(now, membership), "waiting": waiting}


def firm_results(firm_id: int, limit: int = 20) -> list[dict]:
    """The tenders where the firm was a published candidate, with its rank and whether it was awarded."""
    rows = db.session.execute(
        sa.select(PublicityCandidate, CandidatePublicity, Tender)
        .join(CandidatePublicity, CandidatePublicity.id == PublicityCandidate.publicity_id)
        .join(Tender, Tender.id == CandidatePublicity.tender_id)
        .where(PublicityCandidate.firm_id == firm_id, CandidatePublicity.closed_at.is_(None))
        .order_by(CandidatePublicity.published_at.desc()).limit(limit)
    ).all()
    awards = {a.candidate_id: a for a in db.session.scalars(sa.select(Award).where(Award.firm_id == firm_id))}
    return [{"tender": t, "candidate": c, "publicity": p, "award": awards.get(c.id)} for c, p, t in rows]


def _subjects(tender: Tender) -> list[tuple[str, list[str]]]:
    ids = lambda rows: [str(r) for r in rows]  # noqa: E731
    publicity_ids = ids(db.session.scalars(sa.select(CandidatePublicity.id).where(CandidatePublicity.tender_id == tender.id)))
    objection_ids = ids(db.session.scalars(sa.select(AwardObjection.id).where(AwardObjection.tender_id == tender.id)))
    complaint_ids = ids(db.session.scalars(sa.select(AwardComplaint.id).where(AwardComplaint.tender_id == tender.id)))
    award_ids = ids(db.session.scalars(sa.select(Award.id).where(Award.tender_id == tender.id)))
    filing_ids = ids(db.session.scalars(sa.select(AwardFiling.id).join(Award).where(Award.tender_id == tender.id)))
    found = [("tender", [str(tender.id)]), ("award_publicity", publicity_ids), ("award_objection", objection_ids),
             ("award_complaint", complaint_ids), ("award", award_ids), ("award_filing", filing_ids)]
    found.append(("bid", ids(b.id for b in sources.bids(tender))))
    if tender.reference:
        found.append(("tender", [tender.reference]))
    return found


def audit_events(tender: Tender) -> list[AuditEvent]:
    """Every audit event about the tender and the rows of its later stages, in the chain's order."""
    clauses = [sa.and_(AuditEvent.subject_type == kind, AuditEvent.subject_id.in_(ids))
               for kind, ids in _subjects(tender) if ids]
    return list(db.session.scalars(sa.select(AuditEvent).where(sa.or_(*clauses)).order_by(AuditEvent.seq)))


def documents(tender: Tender) -> list[dict]:
    """Every document of the tender with its SHA-256, in the order they arose."""
    from core.audit.operations import digest
    from tender.bidding.operations.opening import opening_of

    docs = [{"role": "tender_document", "name": f"{d.filename} (v{d.version})", "sha256": d.digest,
             "at": d.uploaded_at} for d in tender.documents]
    if tender.resolution is not None and tender.resolution.document_digest:
        docs.append({"role": "resolution", "name": tender.resolution.document_name, "sha256":
                     tender.resolution.document_digest, "at": None})
    for a in tender.appointments:
        if a.contract_digest:
            docs.append({"role": "agency_contract", "name": a.contract_name or a.contract_number,
                         "sha256": a.contract_digest, "at": a.appointed_at})
    for bid in sources.bids(tender):
        for v in bid.versions:
            docs.append({"role": "bid_envelope", "name": f"{bid.ref} v{v.version}", "sha256": v.envelope_sha256,
                         "at": v.received_at})
    opening = opening_of(tender)
    if opening is not None and opening.record:
        docs.append({"role": "opening_record", "name": tender.reference, "sha256": digest(opening.record),
                     "at": opening.completed_at})
    for p in state.publicities(tender):
        if p.report_sha256:
            docs.append({"role": "evaluation_report", "name": f"#{p.report_id}", "sha256": p.report_sha256,
                         "at": p.report_signed_at})
    for o in state.objections(tender):
        for e in o.evidence or []:
            docs.append({"role": "evidence", "name": f"{o.reference}: {e['name']}", "sha256": e["sha256"],
                         "at": o.lodged_at})
    for award in state.offers(tender):
        for f in award.filings:
            for d in f.documents or []:
                if d.get("role") in ("contract", "attachment"):
                    docs.append({"role": d["role"], "name": d["name"], "sha256": d["sha256"], "at": f.submitted_at})
    return docs


def receipt_chain(tender: Tender) -> dict:
    """The state of the tender's receipt log: how many entries, and whether the whole chain verifies."""
    from tender.sealing import receipts
    from tender.sealing.operations import platform_key_document, receipt_log

    if not tender.reference:
        return {"count": 0, "ok": True, "problem": None}
    entries = receipt_log(tender.reference)
    if not entries:
        return {"count": 0, "ok": True, "problem": None}
    try:
        receipts.verify_log(entries, platform_key_document(), tender_id=tender.reference)
    except receipts.ReceiptError as exc:
        return {"count": len(entries), "ok": False, "problem": exc.message}
    return {"count": len(entries), "ok": True, "problem": None}
