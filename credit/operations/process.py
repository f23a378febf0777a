"""Due process of a credit record: draft → notified → objection window → decided → published →
expired, or corrected early after rectification; dismissed at decision.

Which steps a record offers at an instant is decided here (:func:`allowed_actions`); pages show what
it returns, and each step refuses when it is not among them.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core import clock
from core.audit.operations import record_event
from core.calendar import add_working_days, end_of_working_days
from core.db import DomainError, db
from core.messages import at, define, texts
from credit import rules
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
from credit.operations.numbers import issue_decision_no

MIN_REASONS = 10

RECORD_NOTIFIED = define(
    "credit.record_notified", _l("Credit record %(ref)s: notice of a finding"),
    _l("The district housing bureau found: %(item)s (%(points)s points). You may object once until %(deadline)s."))
RECORD_DECIDED = define(
    "credit.record_decided", _l("Credit record %(ref)s: decision"),
    _l("The district housing bureau has decided the record (decision %(number)s). See the file for the decision "
       "and its reasons."))

# Who takes which step: the bureau's steps and the subject's.
BUREAU_ACTIONS = frozenset({"notify", "decide", "publish", "decide_correction"})
SUBJECT_ACTIONS = frozenset({"object", "request_correction"})
DUE_PROCESS = ("draft", "notified", "decided", "published", "expired")
# The step of DUE_PROCESS a stage belongs to.
STEP_OF_STAGE = {"objection_window": "notified", "awaiting_decision": "notified", "dismissed": "decided",
                 "corrected": "published"}


def allowed_actions(record: CreditRecord, now: datetime | None = None) -> frozenset[str]:
    """The due-process steps open on ``record`` at ``now``."""
    now = now or clock.now()
    stage = record.stage(now)
    actions = set()
    if stage == "draft":
        actions.add("notify")
    elif stage == "objection_window":
        actions.add("decide" if record.objection is not None else "object")
    elif stage == "awaiting_decision":
        actions.add("decide")
    elif stage == "decided" and record.item.publication_months > 0:
        actions.add("publish")
    elif stage == "published":
        if any(c.outcome is None for c in record.corrections):
            actions.add("decide_correction")
        elif record.correction_from is not None and now >= record.correction_from:
            actions.add("request_correction")
    return frozenset(actions)


def due_process_steps(record: CreditRecord, now: datetime | None = None) -> list[tuple[str, bool]]:
    """The step list shown on a record's file: each step and whether it is the current one."""
    stage = record.stage(now or clock.now())
    current = STEP_OF_STAGE.get(stage, stage)
    return [(step, step == current) for step in DUE_PROCESS]


def _require_action(record: CreditRecord, action: str, now: datetime) -> None:
    if action not in allowed_actions(record, now):
        raise DomainError(_("This step is not possible at the record's current stage."), code="wrong_stage")


def add_months(instant: datetime, months: int) -> datetime:
    month = instant.month - 1 + months
    year, month = instant.year + month // 12, month % 12 + 1
    day = min(instant.day, calendar.monthrange(year, month)[1])
    return instant.replace(year=year, month=month, day=day)


def subject_payload(record: CreditRecord) -> dict:
    if record.subject_kind == SubjectKind.PROJECT_MANAGER:
        return {"kind": "project_manager", "certificate_no": record.manager.certificate_no, "name": record.manager.name}
    return {"kind": record.subject_kind.value, "uscc": record.firm.uscc, "name": record.firm.name}


def exchange_payload(record: CreditRecord, event: str) -> dict:
    """What the city public credit platform receives about a record (no personal data)."""
    iso = lambda t: t.isoformat() if t else None  # noqa: E731
    return {
        "event": event,
        "reference": record.reference,
        "subject": subject_payload(record),
        "item": {"code": record.item.code, "title": record.item.title_zh, "catalogue_version": record.item.version.number,
                 "example": record.item.is_example, "basis": record.item.basis},
        "source": record.source.value,
        "decision": record.decision.value if record.decision else None,
        "decision_no": record.decision_no,
        "points": record.points,
        "occurred_on": record.occurred_on.isoformat(),
        "decided_at": iso(record.decided_at),
        "published_at": iso(record.published_at),
        "expires_at": iso(record.expires_at),
        "corrected_at": iso(record.corrected_at),
        "authority_district": record.district_code,
    }


def outbox(record: CreditRecord, event: str) -> None:
    """Queue an event about ``record`` for the city platform, in the same transaction."""
    db.session.add(ExchangeItem(record_id=record.id, event=event, payload=exchange_payload(record, event)))


def _event(action: str, record: CreditRecord, *, actor, **details) -> None:
    record_event(f"credit.record_{action}", record, actor=actor, district=record.district_code,
                 data={"record": record.id, **{k: str(v) for k, v in details.items()}},
                 details={"reference": record.reference, "stage": record.stage(), **details})


def _tell_subject(record: CreditRecord, message, params: dict, *, actor) -> None:
    """Notify the firm's or agency's members (for a manager: the employer's), each in their own language."""
    organisation = record.firm.organisation if record.firm is not None else None
    if organisation is None:
        return  # a firm without an account is told by the bureau's written notice
    from core.jobs.operations import tell_organisation

    tell_organisation(organisation, message, params, link=f"/credit/my/records/{record.id}", kind="credit_notice",
                      mail_copy=True, actor=actor)


def _require_status(record: CreditRecord, *allowed: RecordStatus) -> None:
    if record.status not in allowed:
        raise DomainError(_("This step is not possible at the record's current stage."), code="wrong_stage")


def subject_kind_of(subject) -> SubjectKind:
    if isinstance(subject, ProjectManager):
        return SubjectKind.PROJECT_MANAGER
    return subject.kind


def open_record(subject, data: dict, *, actor) -> CreditRecord:
    """Open a draft record against a firm, agency or project manager for a conduct item."""
    item: ConductItem = data["item"]
    if item.version.status.value != "active":
        raise DomainError(_("Records are opened under the active catalogue version only."), code="item_not_active", field="item")
    kind = subject_kind_of(subject)
    if not item.applies_to(kind):
        raise DomainError(_("This conduct item does not apply to this kind of subject."), code="item_kind", field="item")
    facts = (data.get("facts") or "").strip()
    if len(facts) < MIN_REASONS:
        raise DomainError(_("Describe the facts found (at least 10 characters)."), code="facts", field="facts")
    occurred: date = data["occurred_on"]
    if occurred > clock.today():
        raise DomainError(_("The date of the conduct cannot be in the future."), code="occurred_on", field="occurred_on")
    record = CreditRecord(
        subject_kind=kind,
        firm_id=subject.firm_id if kind == SubjectKind.PROJECT_MANAGER else subject.id,
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
    now = now or clock.now()
    _require_action(record, "notify", now)
    record.notified_at = now
    record.objection_deadline = end_of_working_days(now, rules.policy_at(now).objection_working_days)
    record.status = RecordStatus.NOTIFIED
    db.session.flush()
    _event("notified", record, actor=actor, deadline=record.objection_deadline.isoformat())
    _tell_subject(record, RECORD_NOTIFIED, {"ref": record.reference, "points": record.points,
                                            "item": texts(record.item.title_zh, record.item.title_en),
                                            "deadline": at(record.objection_deadline)}, actor=actor)
    return record


def object_to_record(record: CreditRecord, data: dict, *, actor, now: datetime | None = None) -> Objection:
    """The subject's objection, within the window; a second objection on the same record is refused."""
    now = now or clock.now()
    if record.objection is not None or db.session.scalars(
        sa.select(Objection.id).where(Objection.record_id == record.id)
    ).first():
        raise DomainError(_("An objection to this record has already been made; a second one is not accepted."),
                          code="second_objection")
    _require_status(record, RecordStatus.NOTIFIED)
    if record.stage(now) != "objection_window":
        raise DomainError(_("The objection window has closed."), code="objection_late")
    grounds = (data.get("grounds") or "").strip()
    if len(grounds) < MIN_REASONS:
        raise DomainError(_("Explain the grounds of the objection (at least 10 characters)."), code="grounds", field="grounds")
    _require_action(record, "object", now)
    objection = Objection(record_id=record.id, record=record, submitted_by_id=actor.id if actor else None, grounds=grounds)
    db.session.add(objection)
    db.session.flush()
    _event("objected", record, actor=actor)
    return objection


def decide_record(record: CreditRecord, data: dict, *, actor, now: datetime | None = None) -> CreditRecord:
    """The district bureau's decision (upheld, reduced or dismissed), with reasons; answers any objection."""
    now = now or clock.now()
    _require_status(record, RecordStatus.NOTIFIED)
    if record.stage(now) == "objection_window" and record.objection is None:
        raise DomainError(_("The objection window is still open; decide after it closes."), code="window_open")
    _require_action(record, "decide", now)
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
    record.decision_no = issue_decision_no(record.district_code, now)
    record.decided_by_id = actor.id if actor else None
    record.status = RecordStatus.DISMISSED if decision == Decision.DISMISSED else RecordStatus.DECIDED
    db.session.flush()
    _event("decided", record, actor=actor, decision=decision.value, points=record.points, number=record.decision_no)
    _tell_subject(record, RECORD_DECIDED, {"ref": record.reference, "number": record.decision_no}, actor=actor)
    if decision != Decision.DISMISSED:
        outbox(record, "decided")
    return record


def publish_record(record: CreditRecord, data: dict | None = None, *, actor, now: datetime | None = None) -> CreditRecord:
    """Publish a decided record for the item's publication period."""
    now = now or clock.now()
    _require_status(record, RecordStatus.DECIDED)
    if record.item.publication_months <= 0:
        raise DomainError(_("Records of this item are not published."), code="not_publishable")
    _require_action(record, "publish", now)
    set_publication(record, now)
    db.session.flush()
    _event("published", record, actor=actor, expires=record.expires_at.isoformat())
    outbox(record, "published")
    return record


def set_publication(record: CreditRecord, published_at: datetime) -> None:
    """Publish from ``published_at`` for the item's period; correction may be asked for after its own period."""
    record.published_at = published_at
    record.expires_at = add_months(published_at, record.item.publication_months)
    record.correction_from = add_months(published_at, record.item.correction_after_months)
    record.status = RecordStatus.PUBLISHED


def request_correction(record: CreditRecord, data: dict, *, actor, now: datetime | None = None) -> Correction:
    """The subject asks for early correction after rectification; the bureau checks within 5 working days."""
    now = now or clock.now()
    _require_status(record, RecordStatus.PUBLISHED)
    if not record.in_force(now):
        raise DomainError(_("The record is no longer published."), code="expired")
    if now < record.correction_from:
        raise DomainError(_("Correction may be asked for from %(day)s.", day=clock.shanghai_date(record.correction_from)),
                          code="correction_too_early")
    if any(c.outcome is None for c in record.corrections):
        raise DomainError(_("A correction request is already being checked."), code="correction_pending")
    statement = (data.get("statement") or "").strip()
    if len(statement) < MIN_REASONS:
        raise DomainError(_("Describe the rectification (at least 10 characters)."), code="statement", field="statement")
    _require_action(record, "request_correction", now)
    correction = Correction(
        record_id=record.id, record=record, submitted_by_id=actor.id if actor else None, statement=statement,
        check_due_on=add_working_days(clock.shanghai_date(now), rules.policy_at(now).correction_check_working_days),
    )
    db.session.add(correction)
    db.session.flush()
    _event("correction_requested", record, actor=actor, due=correction.check_due_on.isoformat())
    return correction


def decide_correction(correction: Correction, data: dict, *, actor, now: datetime | None = None) -> Correction:
    """Approve (the record stops counting and showing now) or refuse a correction request, with reasons."""
    now = now or clock.now()
    if correction.outcome is not None:
        raise DomainError(_("This correction request has already been decided."), code="correction_decided")
    reasons = (data.get("reasons") or "").strip()
    if len(reasons) < MIN_REASONS:
        raise DomainError(_("Give the reasons (at least 10 characters)."), code="reasons_missing", field="reasons")
    record = correction.record
    _require_action(record, "decide_correction", now)
    correction.outcome = CorrectionOutcome(data["outcome"])
    correction.reasons = reasons
    correction.decided_at = now
    correction.decided_by_id = actor.id if actor else None
    if correction.outcome == CorrectionOutcome.APPROVED:
        record.corrected_at = now
        record.status = RecordStatus.CORRECTED
    db.session.flush()
    _event("correction_decided", record, actor=actor, outcome=correction.outcome.value)
    if correction.outcome == CorrectionOutcome.APPROVED:
        outbox(record, "corrected")
    return correction


def pending_correction(record: CreditRecord) -> Correction | None:
    """The correction request waiting for the bureau's check, if any."""
    return next((c for c in record.corrections if c.outcome is None), None)


def expire_records(now: datetime | None = None, *, actor=None, limit: int = 1000) -> int:
    """Report records whose publication period has ended (safe to run any number of times)."""
    now = now or clock.now()
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
        outbox(record, "expired")
    return len(records)


def record_tender_violation(org, data: dict, *, actor) -> CreditRecord:
    """Open a draft record from a tendering event (refusal to sign, false material, an agency advising bidders, …).

    ``org`` is core's Organisation (a firm or a tender agency) or a CreditSubject; ``data`` holds
    ``item_code``, ``tender_ref`` (unique per event: calling twice returns the same record),
    ``facts``, ``occurred_on`` and ``district_code``.
    """
    from credit.operations.catalogue import active_version
    from credit.operations.subjects import subject_for_organisation

    existing = db.session.scalars(
        sa.select(CreditRecord).where(CreditRecord.source == RecordSource.TENDER, CreditRecord.source_ref == data["tender_ref"])
    ).first()
    if existing is not None:
        return existing
    subject = org if isinstance(org, CreditSubject) else subject_for_organisation(org, actor=actor)
    item = next((i for i in active_version().items if i.code == data["item_code"]), None)
    if item is None or item.kind != ConductKind.BAD:
        raise DomainError(_("Unknown conduct item for a tendering event."), code="item_unknown", field="item_code")
    return open_record(subject, {
        "item": item, "source": RecordSource.TENDER, "source_ref": data["tender_ref"], "facts": data["facts"],
        "occurred_on": data.get("occurred_on") or clock.today(), "district_code": data["district_code"],
    }, actor=actor)
