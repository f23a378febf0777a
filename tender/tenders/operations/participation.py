"""Firms' side of an announced tender: registration with the credit check, questions, and the
clarifications and amendments every registered firm receives (with the deadline moved when late)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from core import clock
from core.accounts.models import OrgKind, OrgStatus
from core.audit.operations import record_event
from core.db import DomainError, db
from core.messages import at
from credit.operations import eligibility
from tender.tenders import notices
from tender.tenders.labels import eligibility_reason
from tender.tenders.models import Clarification, ClarificationKind, Question, Registration, Tender, TenderState
from tender.tenders.operations.access import membership_of, require_action
from tender.tenders.operations.lifecycle import base_params, tell_managers, tell_registered
from tender.tenders.operations.rules import shifted_deadline, tender_values


class NotEligible(DomainError):
    """The firm's credit or the tender's requirements keep it from registering; ``reasons`` say why."""

    def __init__(self, reasons: list[str]):
        super().__init__(" ".join(reasons), code="not_eligible")
        self.reasons = reasons


def register_for_tender(tender: Tender, data: dict | None = None, *, actor, membership=None,
                        now: datetime | None = None) -> Registration:
    """Register the actor's firm for an announced tender, after the credit check at this instant."""
    now = now or clock.now()
    m = membership_of(actor, membership)
    firm = m.organisation if m is not None else None
    if firm is None or firm.kind != OrgKind.FIRM or firm.status != OrgStatus.VERIFIED:
        if firm is not None and firm.kind == OrgKind.AGENCY:
            raise DomainError(_("A tender agency never bids, and never acts for a bidder."), code="agency_may_not_bid")
        raise DomainError(_("Only a verified property-service firm can register for a tender."), code="not_a_firm")
    existing = db.session.scalar(sa.select(Registration).where(Registration.tender_id == tender.id,
                                                               Registration.firm_id == firm.id))
    if existing is not None:
        raise DomainError(_("Your firm is already registered for this tender."), code="already_registered")
    require_action(tender, m, "register", now)
    result = eligibility(firm, now)
    reasons = [eligibility_reason(code) for code in result.reasons]
    if tender.min_credit_score is not None and result.standing.score < tender.min_credit_score:
        reasons.append(_("This tender asks for a credit score of at least %(need)s; your firm's is %(score)s.",
                         need=tender.min_credit_score, score=result.standing.score_text))
    if reasons:
        raise NotEligible(reasons)
    if not (data or {}).get("confirm_requirements", True):
        raise DomainError(_("Confirm that your firm meets the tender's requirements."), code="confirm",
                          field="confirm_requirements")
    registration = Registration(tender_id=tender.id, firm_id=firm.id, registered_by_id=actor.id if actor else None,
                                registered_at=now, credit_score=result.standing.score_text,
                                credit_grade=result.standing.grade)
    db.session.add(registration)
    db.session.flush()
    # The audit event names the firm for the bureau's trail; nothing else shows registrations before the deadline.
    record_event("tender.registered", registration, actor=actor, district=tender.district_code,
                 details={"tender": tender.id, "firm": firm.id, "score": registration.credit_score})
    from core.jobs.operations import tell_organisation

    tell_organisation(firm, notices.REGISTERED, {**base_params(tender), "deadline": at(tender.bid_deadline)},
                      link=f"/tenders/{tender.id}", kind="tender", actor=actor)
    return registration


def eligibility_of(actor, now: datetime, membership=None):
    """The credit registry's answer for the actor's firm at ``now`` (may it bid, and if not why)."""
    return eligibility(membership_of(actor, membership).organisation, now)


def ask_question(tender: Tender, data: dict, *, actor, membership=None, now: datetime | None = None) -> Question:
    """A registered firm asks a question; the tenderer learns the question, never the asker."""
    now = now or clock.now()
    m = membership_of(actor, membership)
    require_action(tender, m, "ask", now)
    text = (data.get("text") or "").strip()
    if not 10 <= len(text) <= 2000:
        raise DomainError(_("Write your question in 10 to 2000 characters."), code="question_text", field="text")
    number = (db.session.scalar(sa.select(sa.func.max(Question.number)).where(Question.tender_id == tender.id)) or 0) + 1
    question = Question(tender_id=tender.id, number=number, asker_id=m.organisation_id, asked_by_id=actor.id,
                        text=text, asked_at=now)
    db.session.add(question)
    db.session.flush()
    record_event("tender.question_asked", question, actor=actor, district=tender.district_code,
                 details={"tender": tender.id, "code": question.code})
    tell_managers(tender, notices.QUESTION, {**base_params(tender), "code": question.code}, actor=actor)
    return question


def answer_question(question: Question, data: dict, *, actor, membership=None,
                    now: datetime | None = None) -> Clarification:
    """Answer a question; the answer (with the question, not the asker) goes to every registered firm."""
    now = now or clock.now()
    tender = db.session.get(Tender, question.tender_id)
    require_action(tender, membership_of(actor, membership), "answer", now)
    if question.answer_id is not None:
        raise DomainError(_("This question has been answered already."), code="answered")
    text = (data.get("text") or "").strip()
    clarification = issue_clarification(tender, {"kind": "answer", "text": text, "question": question},
                                        actor=actor, membership=membership, now=now)
    question.answer_id = clarification.id
    db.session.flush()
    return clarification


def issue_clarification(tender: Tender, data: dict, *, actor, membership=None,
                        now: datetime | None = None) -> Clarification:
    """Issue a clarification or amendment to every registered firm; one less than the procedure's days
    before the deadline moves the deadline and the opening, and everyone registered is told."""
    now = now or clock.now()
    kind = ClarificationKind(data.get("kind", "clarification"))
    if kind == ClarificationKind.CLARIFICATION:
        require_action(tender, membership_of(actor, membership), "clarify", now)
    text = (data.get("text") or "").strip()
    if not 10 <= len(text) <= 4000:
        raise DomainError(_("Write the text in 10 to 4000 characters."), code="clarification_text", field="text")
    if tender.state != TenderState.PUBLISHED or now >= tender.bid_deadline:
        raise DomainError(_("Clarifications are issued between the announcement and the bid deadline."),
                          code="clarification_closed")
    values = tender_values(tender, now)
    number = (db.session.scalar(sa.select(sa.func.max(Clarification.number))
                                .where(Clarification.tender_id == tender.id)) or 0) + 1
    before = tender.bid_deadline
    moved = shifted_deadline(before, now, values)
    clarification = Clarification(tender_id=tender.id, number=number, kind=kind, text=text,
                                  document_id=data["document"].id if data.get("document") else None,
                                  issued_at=now, issued_by_id=actor.id if actor else None, deadline_before=before,
                                  deadline_after=moved)
    db.session.add(clarification)
    if moved is not None:
        delta: timedelta = moved - before
        tender.bid_deadline = moved
        if tender.opening_at is not None:
            tender.opening_at = tender.opening_at + delta
        if tender.documents_until is not None and data.get("document") is not None:
            # An amendment re-issues the documents: they stay available as long as before, counted anew.
            tender.documents_until = tender.documents_until + timedelta(days=delta.days)
    db.session.flush()
    record_event("tender.clarification_issued", tender, actor=actor, district=tender.district_code,
                 details={"number": number, "kind": kind.value, "moved_to": moved.isoformat() if moved else None})
    params = {**base_params(tender), "number": number}
    tell_registered(tender, notices.CLARIFICATION, params, actor=actor)
    if moved is not None:
        moved_params = {**base_params(tender), "deadline": at(moved),
                        "days": values["clarification_days_before_deadline"]}
        tell_registered(tender, notices.DEADLINE_MOVED, moved_params, actor=actor)
        tell_managers(tender, notices.DEADLINE_MOVED, moved_params, actor=actor)
    return clarification


def send_deadline_reminders(now: datetime | None = None, *, limit: int = 200) -> int:
    """Remind the registered firms of tenders whose deadline is near, once per deadline (safe to repeat)."""
    now = now or clock.now()
    candidates = db.session.scalars(
        sa.select(Tender).where(Tender.state == TenderState.PUBLISHED, Tender.bid_deadline > now,
                                Tender.bid_deadline <= now + timedelta(days=30),
                                sa.or_(Tender.reminded_for_deadline.is_(None),
                                       Tender.reminded_for_deadline != Tender.bid_deadline))
        .order_by(Tender.bid_deadline).limit(limit)
    ).all()
    sent = 0
    for tender in candidates:
        days = tender_values(tender, now)["reminder_days_before_deadline"]
        if days <= 0 or tender.bid_deadline - now > timedelta(days=days):
            continue
        tender.reminded_for_deadline = tender.bid_deadline
        tell_registered(tender, notices.REMINDER, {**base_params(tender), "deadline": at(tender.bid_deadline)},
                        actor=None)
        # No count in the trail: how many registered stays with the bureau's own page until the deadline.
        record_event("tender.reminded", tender, actor=None, district=tender.district_code)
        sent += 1
    return sent
