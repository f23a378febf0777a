"""Filing the award and the contract with the district bureau (定标备案, 合同备案), the reminders about
them, and the fee disclosure made from the contract's public part."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from core import clock
from core.audit.operations import record_event
from core.db import DomainError, db
from core.messages import at
from tender.award import notices
from tender.award.models import Award, AwardFiling, AwardReminder, FilingKind, FilingState
from tender.award.operations import sources, state
from tender.award.operations.access import require
from tender.tenders.models import PropertyType, Tender, TenderState
from tender.tenders.operations.access import membership_of
from tender.tenders.operations.files import store_file
from tender.tenders.operations.lifecycle import base_params, tell_bureau, tell_managers, transition

MIN_REASONS = 10
# Reminders go this long before a filing or contract period ends, and once more when it has ended.
REMIND_BEFORE = timedelta(days=3)


def _what(kind: FilingKind) -> dict:
    from tender.award.labels import FILING_LABELS
    from tender.tenders.notices import both

    return both(FILING_LABELS[kind.value])


def award_documents(tender: Tender, award: Award) -> list[dict]:
    """The records the award filing holds by reference: the opening record, the evaluation report, the
    winning bid's final envelope and the agency contract, each by its SHA-256."""
    from core.audit.operations import digest
    from tender.bidding.operations.opening import opening_of

    docs = []
    opening = opening_of(tender)
    if opening is not None and opening.record:
        docs.append({"role": "opening_record", "name": f"opening-record-{tender.reference}",
                     "sha256": digest(opening.record)})
    publicity = award.candidate.publicity
    if publicity.report_sha256:
        docs.append({"role": "evaluation_report", "name": f"evaluation-report-{tender.reference}",
                     "sha256": publicity.report_sha256})
    if award.candidate.bid_id is not None:
        bid = next((b for b in sources.bids(tender) if b.id == award.candidate.bid_id), None)
        version = getattr(bid, "current_version", None) if bid is not None else None
        if version is not None:
            docs.append({"role": "winning_bid", "name": f"{bid.ref} v{version.version}",
                         "sha256": version.envelope_sha256, "size": version.envelope_size})
    appointment = tender.appointment
    if appointment is not None and appointment.contract_digest:
        docs.append({"role": "agency_contract", "name": appointment.contract_name or appointment.contract_number,
                     "sha256": appointment.contract_digest})
    return docs


def _upsert(award: Award, kind: FilingKind, values: dict, *, actor, now: datetime) -> AwardFiling:
    filing = award.filing(kind)
    if filing is None:
        filing = AwardFiling(award_id=award.id, kind=kind)
        db.session.add(filing)
        award.filings.append(filing)
    for k, v in values.items():
        setattr(filing, k, v)
    filing.state = FilingState.SUBMITTED
    filing.submitted_at = now
    filing.submitted_by_id = actor.id if actor is not None else None
    filing.decided_at = filing.decided_by_id = None
    db.session.flush()
    tender = db.session.get(Tender, award.tender_id)
    record_event(f"award.{kind.value}_filing_submitted", filing, actor=actor, district=tender.district_code,
                 details={"tender": tender.id, "late": now > _due(award, kind),
                          "documents": [d["sha256"] for d in filing.documents]})
    tell_bureau(tender, notices.FILING_SUBMITTED, {**base_params(tender), "what": _what(kind)}, actor=actor)
    return filing


def _due(award: Award, kind: FilingKind) -> datetime:
    return award.filing_due_at if kind == FilingKind.AWARD else award.contract_due_at


def submit_award_filing(tender: Tender, data: dict, *, actor, membership=None,
                        now: datetime | None = None) -> AwardFiling:
    """File the award with the district bureau: the reasons for the choice, and the report, winning bid and
    agency contract by their hashes (the opening and evaluation records are read from the tender)."""
    now = now or clock.now()
    require(tender, membership_of(actor, membership), "submit_award_filing", now)
    reasons = (data.get("reasons") or "").strip()
    if len(reasons) < MIN_REASONS:
        raise DomainError(_("Give the reasons for the choice (at least 10 characters)."), code="reasons",
                          field="reasons")
    award = state.current_offer(tender)
    documents = award_documents(tender, award)
    if data.get("file") is not None and getattr(data["file"], "filename", ""):
        stored = store_file(data["file"].stream, data["file"].filename)
        documents.append({"role": "attachment", "name": stored.filename, "sha256": stored.digest,
                          "size": stored.size, "media_type": stored.media_type})
    return _upsert(award, FilingKind.AWARD, {"reasons": reasons[:8000], "documents": documents}, actor=actor, now=now)


def public_part(tender: Tender, data: dict) -> dict:
    """The contract's public part from the form: the service content, the fee model, the fee per m² and
    month of each property type of the tender, and the term; anything else in ``data`` is ignored."""
    content = (data.get("service_content") or "").strip()
    if len(content) < MIN_REASONS:
        raise DomainError(_("Describe the contracted service content (at least 10 characters)."),
                          code="service_content", field="service_content")
    fees = []
    types = [a.property_type.value for a in tender.areas] or [PropertyType.RESIDENTIAL.value]
    for kind in types:
        raw = data.get(f"fee_{kind}")
        try:
            yuan = float(str(raw).strip())
        except (TypeError, ValueError):
            raise DomainError(_("Enter the fee in yuan per m² and month for each property type."),
                              code="fee", field=f"fee_{kind}") from None
        if not 0 <= yuan <= 1000:
            raise DomainError(_("Enter the fee in yuan per m² and month for each property type."),
                              code="fee", field=f"fee_{kind}")
        fees.append({"property_type": kind, "fee_fen_per_m2_month": round(yuan * 100)})
    try:
        months = int(data.get("term_months") or tender.contract_months or 0)
    except (TypeError, ValueError):
        months = 0
    if not 1 <= months <= 120:
        raise DomainError(_("Enter the contract term in months (1 to 120)."), code="term", field="term_months")
    return {"service_content": content[:4000], "fee_model": tender.fee_model.value, "fees": fees,
            "term_months": months, "service_grade": tender.service_grade}


def submit_contract(tender: Tender, data: dict, *, actor, membership=None, now: datetime | None = None) -> AwardFiling:
    """Upload the signed contract and its public part, and file them with the district bureau."""
    now = now or clock.now()
    require(tender, membership_of(actor, membership), "submit_contract", now)
    part = public_part(tender, data)
    upload = data.get("file")
    if upload is None or not getattr(upload, "filename", ""):
        raise DomainError(_("Upload the signed contract (PDF or Word)."), code="file_missing", field="file")
    stored = store_file(upload.stream, upload.filename)
    signed_on = data.get("signed_on")
    award = state.current_offer(tender)
    return _upsert(award, FilingKind.CONTRACT, {
        "public_part": part, "signed_on": signed_on,
        "documents": [{"role": "contract", "name": stored.filename, "sha256": stored.digest, "size": stored.size,
                       "media_type": stored.media_type}],
    }, actor=actor, now=now)


def decide_filing(tender: Tender, kind: FilingKind, data: dict, *, actor, membership=None,
                  now: datetime | None = None) -> AwardFiling:
    """The district bureau files a submitted filing or returns it with reasons; a filed contract makes the
    tender contracted and returns the winner's bid security."""
    now = now or clock.now()
    require(tender, membership_of(actor, membership), f"decide_{kind.value}_filing", now)
    decision = data.get("decision")
    if decision not in ("file", "return"):
        raise DomainError(_("Choose to file or to return."), code="decision", field="decision")
    reasons = (data.get("reasons") or "").strip()
    if decision == "return" and len(reasons) < MIN_REASONS:
        raise DomainError(_("Give the reasons, so the tenderer knows what to change (at least 10 characters)."),
                          code="reasons", field="reasons")
    award = state.current_offer(tender)
    filing = award.filing(kind)
    if kind == FilingKind.CONTRACT and decision == "file":
        award_filing = award.filing(FilingKind.AWARD)
        if award_filing is None or award_filing.state != FilingState.FILED:
            raise DomainError(_("File the award before the contract."), code="award_not_filed")
    filing.state = FilingState.FILED if decision == "file" else FilingState.RETURNED
    filing.decided_at, filing.decided_by_id = now, actor.id
    filing.decision_reasons = reasons[:4000] or None
    if decision == "file":
        filing.filing_number = f"{'DB' if kind == FilingKind.AWARD else 'HT'}-{tender.reference}"
    db.session.flush()
    record_event(f"award.{kind.value}_filing_{'filed' if decision == 'file' else 'returned'}", filing, actor=actor,
                 district=tender.district_code, details={"tender": tender.id})
    from tender.award.labels import DECISION_WORDS
    from tender.tenders.notices import both

    tell_managers(tender, notices.FILING_DECIDED, {**base_params(tender), "what": _what(kind),
                                                  "decision": both(DECISION_WORDS[decision]),
                                                  "reasons": reasons[:500] or "—"}, actor=actor)
    if kind == FilingKind.CONTRACT and decision == "file":
        transition(tender, TenderState.CONTRACTED, actor=actor, details={"firm": award.firm_id})
        from tender.award.operations.award import return_securities

        return_securities(tender, keep_firm_id=None, actor=actor, now=now)
    return filing


def overdue(now: datetime, district_code: str | None = None) -> list[tuple[Award, FilingKind]]:
    """Current offers whose award or contract filing is past its period and not filed."""
    query = sa.select(Award).join(Tender, Tender.id == Award.tender_id).where(
        Award.ended_at.is_(None), Tender.state == TenderState.AWARDED)
    if district_code is not None:
        query = query.where(Tender.district_code == district_code)
    found = []
    for award in db.session.scalars(query.order_by(Award.id)):
        for kind in FilingKind:
            filing = award.filing(kind)
            if now > _due(award, kind) and (filing is None or filing.state != FilingState.FILED):
                found.append((award, kind))
    return found


def send_reminders(now: datetime | None = None) -> int:
    """Remind the tenderer (and tell the bureau) of filings due soon or overdue, once per award, filing and
    stage: safe to run any number of times."""
    now = now or clock.now()
    sent = 0
    query = sa.select(Award).join(Tender, Tender.id == Award.tender_id).where(
        Award.ended_at.is_(None), Tender.state == TenderState.AWARDED)
    for award in db.session.scalars(query.order_by(Award.id)).all():
        tender = db.session.get(Tender, award.tender_id)
        for kind in FilingKind:
            filing = award.filing(kind)
            if filing is not None and filing.state in (FilingState.FILED, FilingState.SUBMITTED):
                continue
            due = _due(award, kind)
            stage = "overdue" if now > due else "due_soon" if now >= due - REMIND_BEFORE else None
            if stage is None:
                continue
            exists = db.session.scalar(sa.select(AwardReminder.id).where(
                AwardReminder.award_id == award.id, AwardReminder.what == kind.value, AwardReminder.stage == stage))
            if exists is not None:
                continue
            db.session.add(AwardReminder(award_id=award.id, what=kind.value, stage=stage, sent_at=now))
            db.session.flush()
            params = {**base_params(tender), "what": _what(kind), "due": at(due)}
            message = notices.OVERDUE if stage == "overdue" else notices.DUE_SOON
            tell_managers(tender, message, params, actor=None)
            if stage == "overdue":
                tell_bureau(tender, message, params, actor=None)
            sent += 1
    return sent


def fee_notices(limit: int = 200) -> list[tuple[Tender, AwardFiling]]:
    """Every contracted tender with its filed contract, newest first (the public fee disclosures)."""
    rows = db.session.execute(
        sa.select(Tender, AwardFiling).join(Award, Award.tender_id == Tender.id)
        .join(AwardFiling, AwardFiling.award_id == Award.id)
        .where(Tender.state == TenderState.CONTRACTED, AwardFiling.kind == FilingKind.CONTRACT,
               AwardFiling.state == FilingState.FILED, Award.ended_at.is_(None))
        .order_by(AwardFiling.decided_at.desc()).limit(limit)
    ).all()
    return [(t, f) for t, f in rows]


def fee_notice(tender: Tender) -> dict | None:
    """The fee disclosure of a contracted tender: only the contract's public part, the firm and the dates."""
    if tender.state != TenderState.CONTRACTED:
        return None
    award = state.current_offer(tender)
    filing = award.filing(FilingKind.CONTRACT) if award is not None else None
    if filing is None or filing.state != FilingState.FILED:
        return None
    return {"tender": tender, "firm": award.firm, "part": filing.public_part, "filed_at": filing.decided_at,
            "signed_on": filing.signed_on, "filing_number": filing.filing_number,
            "sales_office": tender.kind.value == "preliminary",
            "project_manager": award.candidate.project_manager_name}

