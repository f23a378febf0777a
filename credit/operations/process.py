"""Due process of a credit record: draft → notified → objection window → decided → published →
expired, or corrected early after rectification; dismissed at decision."""

from __future__ import annotations

import calendar
from datetime import date, datetime

import sqlalchemy as sa

from credit.text import _

from core.audit.operations import record_event
from core.db import DomainError, db, utcnow
from credit.models import (
    ConductItem,
    ConductKind,
    Correction,
    CorrectionOutcome,
    CreditRecord,
    CreditSubject,
    Decision,
    ExchangeItem,
    Objection,
    ObjectionOutcome,
    ProjectManager,
    RecordSource,
    RecordStatus,
    SubjectKind,
)
from credit.scoring import policy
from core.calendar import SHANGHAI, add_working_days, end_of_working_days, shanghai_date

MIN_REASONS = 10


def add_months(instant: datetime, months: int) -> datetime:
    month = instant.month - 1 + months
    year, month = instant.year + month // 12, month % 12 + 1
    day = min(instant.day, calendar.monthrange(year, month)[1])
    return instant.replace(year=year, month=month, day=day)


def exchange_payload(record: CreditRecord, event: str) -> dict:
    """What the city public credit platform receives about a record (no personal data)."""
    subject = (
        {"kind": "firm", "uscc": record.firm.uscc, "name": record.firm.name}
        if record.subject_kind == SubjectKind.FIRM
        else {"kind": "project_manager", "certificate_no": record.manager.certificate_no, "name": record.manager.name}
    )
    iso = lambda t: t.isoformat() if t else None  # noqa: E731
    return {
        "event": event,
        "reference": record.reference,
        "subject": subject,
        "item": {"code": record.item.code, "title": record.item.title_zh, "catalogue_version": record.item.version.number,
                 "example": record.item.is_example},
        "decision": record.decision.value if record.decision else None,
        "points": record.points,
        "occurred_on": record.occurred_on.isoformat(),
        "decided_at": iso(record.decided_at),
        "published_at": iso(record.published_at),
        "expires_at": iso(record.expires_at),
        "corrected_at": iso(record.corrected_at),
        "authority_district": record.district_code,
    }


def _outbox(record: CreditRecord, event: str) -> None:
    db.session.add(ExchangeItem(record_id=record.id, event=event, payload=exchange_payload(record, event)))


def _event(action: str, record: CreditRecord, *, actor, **details) -> None:
    record_event(f"credit.record_{action}", record, actor=actor, district=record.district_code,
                 data={"record": record.id, **{k: str(v) for k, v in details.items()}},
                 details={"reference": record.reference, "stage": record.stage(), **details})


def _tell_subject(record: CreditRecord, subject: str, body: str, *, actor) -> None:
    """Notify the firm's members (for a manager: the employer's) in the app, with a mail copy."""
    organisation = record.firm.organisation if record.firm is not None else None
    if organisation is None:
        return  # a firm without an account is told by the bureau's written notice
    from core.jobs.operations import notify_organisation

    notify_organisation(organisation, subject, body, link=f"/credit/my/records/{record.id}", kind="credit_notice",
                        mail_copy=True, actor=actor)


def _require_status(record: CreditRecord, *allowed: RecordStatus) -> None:
    if record.status not in allowed:
        raise DomainError(_("This step is not possible at the record's current stage."), code="wrong_stage")


def open_record(subject, data: dict, *, actor) -> CreditRecord:
    """Open a draft record against a firm or project manager for a conduct item."""
    item: ConductItem = data["item"]
    if item.version.status.value != "active":
        raise DomainError(_("Records are opened under the active catalogue version only."), code="item_not_active", field="item")
    kind = SubjectKind.PROJECT_MANAGER if isinstance(subject, ProjectManager) else SubjectKind.FIRM
    if not item.applies_to(kind):
        raise DomainError(_("This conduct item does not apply to this kind of subject."), code="item_kind", field="item")
    facts = (data.get("facts") or "").strip()
    if len(facts) < MIN_REASONS:
        raise DomainError(_("Describe the facts found (at least 10 characters)."), code="facts", field="facts")
    occurred: date = data["occurred_on"]
    if occurred > shanghai_date(utcnow()):
        raise DomainError(_("The date of the conduct cannot be in the future."), code="occurred_on", field="occurred_on")
    record = CreditRecord(
        subject_kind=kind,
        firm_id=subject.id if kind == SubjectKind.FIRM else subject.firm_id,
        manager_id=subject.id if kind == SubjectKind.PROJECT_MANAGER else None,
        item_id=item.id, item=item, source=data["source"], source_ref=data.get("source_ref"),
        complaint_id=data.get("complaint_id"), district_code=data["district_code"], occurred_on=occurred,
        facts=facts, points=item.points, created_by_id=actor.id if actor else None, status=RecordStatus.DRAFT,
    )
    db.session.add(record)
    db.session.flush()
    _event("opened", record, actor=actor, item=item.code, source=record.source.value)
    return record


def notify_record(record: CreditRecord, data: dict | None = None, *, actor, now: datetime | None = None) -> CreditRecord:
    """Tell the subject what was found, why, the points and the deadline to object."""
    _require_status(record, RecordStatus.DRAFT)
    now = now or utcnow()
    record.notified_at = now
    record.objection_deadline = end_of_working_days(now, policy().objection_working_days)
    record.status = RecordStatus.NOTIFIED
    db.session.flush()
    _event("notified", record, actor=actor, deadline=record.objection_deadline.isoformat())
    _tell_subject(record, _("Credit record %(ref)s: notice of a finding", ref=record.reference),
                  _("The district housing bureau found: %(item)s (%(points)s points). You may object once until %(deadline)s.",
                    item=record.item.title_zh, points=record.points,
                    deadline=record.objection_deadline.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")), actor=actor)
    return record


def object_to_record(record: CreditRecord, data: dict, *, actor, now: datetime | None = None) -> Objection:
    """The subject's objection, within the window; a second objection on the same record is refused."""
    now = now or utcnow()
    if record.objection is not None or db.session.scalars(
        sa.select(Objection.id).where(Objection.record_id == record.id)
    ).first():
        raise DomainError(_("An objection to this record has already been made; a second one is not accepted."),
                          code="second_objection")
    _require_status(record, RecordStatus.NOTIFIED)
    if now > record.objection_deadline:
        raise DomainError(_("The objection window has closed."), code="objection_late")
    grounds = (data.get("grounds") or "").strip()
    if len(grounds) < MIN_REASONS:
        raise DomainError(_("Explain the grounds of the objection (at least 10 characters)."), code="grounds", field="grounds")
    objection = Objection(record_id=record.id, record=record, submitted_by_id=actor.id if actor else None, grounds=grounds)
    db.session.add(objection)
    db.session.flush()
    _event("objected", record, actor=actor)
    return objection


def decide_record(record: CreditRecord, data: dict, *, actor, now: datetime | None = None) -> CreditRecord:
    """The district bureau's decision (upheld, reduced or dismissed), with reasons; answers any objection."""
    now = now or utcnow()
    _require_status(record, RecordStatus.NOTIFIED)
    if now <= record.objection_deadline and record.objection is None:
        raise DomainError(_("The objection window is still open; decide after it closes."), code="window_open")
    decision: Decision = data["decision"]
    reasons = (data.get("reasons") or "").strip()
    if len(reasons) < MIN_REASONS:
        raise DomainError(_("Give the reasons for the decision (at least 10 characters)."), code="reasons_missing", field="reasons")
    points = record.item.points
    if decision == Decision.REDUCED:
        points = data.get("points")
        if points is None or not 0 < points < record.item.points:
            raise DomainError(_("Reduced points must be between 1 and %(most)s.", most=record.item.points - 1), code="points",
                              field="points")
    if record.objection is not None and record.objection.outcome is None:
        outcome = data.get("objection_outcome")
        answer = (data.get("objection_answer") or "").strip()
        if outcome is None or len(answer) < MIN_REASONS:
            raise DomainError(_("Answer the objection: its outcome and the reasons."), code="objection_unanswered",
                              field="objection_answer")
        record.objection.outcome = ObjectionOutcome(outcome)
        record.objection.answer = answer
        record.objection.answered_at = now
    record.decision = decision
    record.decision_reasons = reasons
    record.points = points if decision != Decision.DISMISSED else 0
    record.decided_at = now
    record.decided_by_id = actor.id if actor else None
    record.status = RecordStatus.DISMISSED if decision == Decision.DISMISSED else RecordStatus.DECIDED
    db.session.flush()
    _event("decided", record, actor=actor, decision=decision.value, points=record.points)
    _tell_subject(record, _("Credit record %(ref)s: decision", ref=record.reference),
                  _("The district housing bureau has decided the record. See the file for the decision and its reasons."),
                  actor=actor)
    if decision != Decision.DISMISSED:
        _outbox(record, "decided")
    return record


def publish_record(record: CreditRecord, data: dict | None = None, *, actor, now: datetime | None = None) -> CreditRecord:
    """Publish a decided record for the item's publication period."""
    now = now or utcnow()
    _require_status(record, RecordStatus.DECIDED)
    if record.item.publication_months <= 0:
        raise DomainError(_("Records of this item are not published."), code="not_publishable")
    record.published_at = now
    record.expires_at = add_months(now, record.item.publication_months)
    record.correction_from = add_months(now, record.item.correction_after_months)
    record.status = RecordStatus.PUBLISHED
    db.session.flush()
    _event("published", record, actor=actor, expires=record.expires_at.isoformat())
    _outbox(record, "published")
    return record


def request_correction(record: CreditRecord, data: dict, *, actor, now: datetime | None = None) -> Correction:
    """The subject asks for early correction after rectification; the bureau checks within 5 working days."""
    now = now or utcnow()
    _require_status(record, RecordStatus.PUBLISHED)
    if not record.in_force(now):
        raise DomainError(_("The record is no longer published."), code="expired")
    if now < record.correction_from:
        raise DomainError(_("Correction may be asked for from %(day)s.", day=shanghai_date(record.correction_from)),
                          code="correction_too_early")
    if any(c.outcome is None for c in record.corrections):
        raise DomainError(_("A correction request is already being checked."), code="correction_pending")
    statement = (data.get("statement") or "").strip()
    if len(statement) < MIN_REASONS:
        raise DomainError(_("Describe the rectification (at least 10 characters)."), code="statement", field="statement")
    correction = Correction(
        record_id=record.id, record=record, submitted_by_id=actor.id if actor else None, statement=statement,
        check_due_on=add_working_days(shanghai_date(now), policy().correction_check_working_days),
    )
    db.session.add(correction)
    db.session.flush()
    _event("correction_requested", record, actor=actor, due=correction.check_due_on.isoformat())
    return correction


def decide_correction(correction: Correction, data: dict, *, actor, now: datetime | None = None) -> Correction:
    """Approve (the record stops counting and showing now) or refuse a correction request, with reasons."""
    now = now or utcnow()
    if correction.outcome is not None:
        raise DomainError(_("This correction request has already been decided."), code="correction_decided")
    reasons = (data.get("reasons") or "").strip()
    if len(reasons) < MIN_REASONS:
        raise DomainError(_("Give the reasons (at least 10 characters)."), code="reasons_missing", field="reasons")
    record = correction.record
    correction.outcome = CorrectionOutcome(data["outcome"])
    correction.reasons = reasons
    correction.decided_at = now
    correction.decided_by_id = actor.id if actor else None
    if correction.outcome == CorrectionOutcome.APPROVED:
        _require_status(record, RecordStatus.PUBLISHED)
        record.corrected_at = now
        record.status = RecordStatus.CORRECTED
    db.session.flush()
    _event("correction_decided", record, actor=actor, outcome=correction.outcome.value)
    if correction.outcome == CorrectionOutcome.APPROVED:
        _outbox(record, "corrected")
    return correction


def expire_records(now: datetime | None = None, *, actor=None, limit: int = 1000) -> int:
    """Report records whose publication period has ended (safe to run any number of times)."""
    now = now or utcnow()
    records = db.session.scalars(
        sa.select(CreditRecord)
        .where(CreditRecord.status == RecordStatus.PUBLISHED, CreditRecord.expires_at <= now,
               CreditRecord.expiry_reported_at.is_(None))
        .order_by(CreditRecord.id)
        .limit(limit)
    ).all()
    for record in records:
        record.expiry_reported_at = now
        db.session.flush()
        _event("expired", record, actor=actor)
        _outbox(record, "expired")
    return len(records)


def record_tender_violation(firm, data: dict, *, actor) -> CreditRecord:
    """Open a draft record from a tendering event (refusal to sign, false material in a bid, …).

    ``firm`` is core's Organisation (kind firm) or a CreditSubject; ``data`` holds ``item_code``,
    ``tender_ref`` (unique per event: calling twice returns the same record), ``facts``,
    ``occurred_on`` and ``district_code``.
    """
    from credit.operations.catalogue import active_version
    from credit.operations.subjects import subject_for_organisation

    existing = db.session.scalars(
        sa.select(CreditRecord).where(CreditRecord.source == RecordSource.TENDER, CreditRecord.source_ref == data["tender_ref"])
    ).first()
    if existing is not None:
        return existing
    subject = firm if isinstance(firm, CreditSubject) else subject_for_organisation(firm, actor=actor)
    item = next((i for i in active_version().items if i.code == data["item_code"]), None)
    if item is None or item.kind != ConductKind.BAD:
        raise DomainError(_("Unknown conduct item for a tendering event."), code="item_unknown", field="item_code")
    return open_record(subject, {
        "item": item, "source": RecordSource.TENDER, "source_ref": data["tender_ref"], "facts": data["facts"],
        "occurred_on": data.get("occurred_on") or shanghai_date(utcnow()), "district_code": data["district_code"],
    }, actor=actor)
