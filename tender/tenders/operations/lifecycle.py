"""The tender's moves between states: each an operation with its checks, its audit event and its notices.

``transition`` is the one place a state changes; the later stages call it too, after their own checks.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from core import clock
from core.accounts.operations import bureau_for
from core.audit.operations import record_event
from core.calendar import end_of_working_days, shanghai_date
from core.db import DomainError, db
from core.jobs.operations import tell_organisation
from core.messages import at
from tender.sealing.operations import active_key
from tender.tenders import notices
from tender.tenders.labels import CANCEL_LABELS, STATE_LABELS
from tender.tenders.models import CancelReason, Registration, Tender, TenderState, TRANSITIONS
from tender.tenders.operations.access import membership_of, require_action
from tender.tenders.operations.rules import Problem, RulesBroken, timeline_problems, values_at

S = TenderState
MIN_REASONS = 10


class InvalidTransition(DomainError):
    """A move the state table does not allow (409 in the API)."""

    def __init__(self, source: TenderState, target: TenderState):
        super().__init__(_("A tender that is “%(source)s” cannot become “%(target)s”.",
                           source=STATE_LABELS[source.value], target=STATE_LABELS[target.value]),
                         code="invalid_transition")


def transition(tender: Tender, to: TenderState, *, actor, details: dict | None = None) -> Tender:
    """Move the tender to ``to`` if the state table allows it, with an audit event; else refuse."""
    source = tender.state
    if to not in TRANSITIONS[source]:
        raise InvalidTransition(source, to)
    tender.state = to
    db.session.flush()
    record_event(f"tender.{to.value}", tender, actor=actor, district=tender.district_code,
                 details={"reference": tender.reference, "from": source.value, "to": to.value, **(details or {})})
    return tender


def link(tender: Tender, audience: str) -> str:
    return {"manager": f"/tenders/{tender.id}/manage", "bureau": f"/tenders/{tender.id}/review"}.get(
        audience, f"/tenders/{tender.id}")


def base_params(tender: Tender) -> dict:
    return {"ref": tender.reference, "community": tender.community_name}


def tell_managers(tender: Tender, message, params: dict, *, actor) -> None:
    options = dict(link=link(tender, "manager"), kind="tender", mail_copy=True, actor=actor)
    tell_organisation(tender.tenderer, message, params, **options)
    if tender.appointment is not None:
        tell_organisation(tender.appointment.agency, message, params, **options)


def tell_bureau(tender: Tender, message, params: dict, *, actor) -> None:
    bureau = bureau_for(tender.district_code)
    if bureau is not None:
        tell_organisation(bureau, message, params, link=link(tender, "bureau"), kind="tender", mail_copy=True,
                          actor=actor)


def registered_firms(tender: Tender) -> list:
    return [r.firm for r in db.session.scalars(
        sa.select(Registration).where(Registration.tender_id == tender.id).order_by(Registration.id))]


def tell_registered(tender: Tender, message, params: dict, *, actor) -> int:
    firms = registered_firms(tender)
    for firm in firms:
        tell_organisation(firm, message, params, link=link(tender, "firm"), kind="tender", mail_copy=True, actor=actor)
    return len(firms)


def submit_for_filing(tender: Tender, data: dict | None = None, *, actor, membership=None,
                      now: datetime | None = None) -> Tender:
    """Send a complete draft to the district bureau for filing; the procedure values in force now are kept."""
    from tender.tenders.operations.drafting import submission_problems

    now = now or clock.now()
    require_action(tender, membership_of(actor, membership), "submit", now)
    values = values_at(tender.district_code, now)
    problems = submission_problems(tender, values, now)
    if problems:
        raise RulesBroken(problems, _("The tender cannot be submitted yet."))
    tender.procedure_values = values
    tender.procedure_as_of = now
    tender.submitted_at = now
    tender.filing_due_at = end_of_working_days(now, values["filing_review_working_days"])
    tender.return_reasons = None
    transition(tender, S.PENDING_FILING, actor=actor, details={"filing_due_at": tender.filing_due_at.isoformat()})
    tell_bureau(tender, notices.SUBMITTED, {**base_params(tender), "due": at(tender.filing_due_at)}, actor=actor)
    return tender


def custodian_key_problems(tender: Tender) -> list[Problem]:
    """Custodians without an active key that passed its check, or whose key changed since filing."""
    problems = []
    for c in tender.custodians:
        key = active_key(c.user)
        if key is None or key.last_checked_at is None:
            problems.append(Problem("custodian_without_key", "custodians", _(
                "%(name)s has no custodian key that passed its check.", name=c.user.name)))
        elif c.key_id is not None and c.key_id != key.key_id:
            problems.append(Problem("custodian_key_changed", "custodians", _(
                "%(name)s's custodian key changed after the tender was filed.", name=c.user.name)))
    return problems


def file_tender(tender: Tender, data: dict | None = None, *, actor, membership=None,
                now: datetime | None = None) -> Tender:
    """The district bureau files the tender (备案); every custodian must hold a checked key, which is noted."""
    now = now or clock.now()
    require_action(tender, membership_of(actor, membership), "file", now)
    problems = [p for p in custodian_key_problems(tender) if p.code == "custodian_without_key"]
    if problems:
        raise RulesBroken(problems, _("The tender cannot be filed yet."))
    for c in tender.custodians:
        c.key_id = active_key(c.user).key_id
    number = ((data or {}).get("filing_number") or "").strip()[:40]
    tender.filing_number = number or f"BA-{tender.reference}"
    tender.filed_at = now
    tender.filed_by_id = actor.id if actor else None
    tender.custodians_stopped_at = None
    transition(tender, S.FILED, actor=actor, details={"filing_number": tender.filing_number})
    tell_managers(tender, notices.FILED, base_params(tender), actor=actor)
    return tender


def return_tender(tender: Tender, data: dict, *, actor, membership=None, now: datetime | None = None) -> Tender:
    """The district bureau returns the tender to its tenderer with reasons; it may be mended and submitted again."""
    now = now or clock.now()
    require_action(tender, membership_of(actor, membership), "return", now)
    reasons = (data.get("reasons") or "").strip()
    if len(reasons) < MIN_REASONS:
        raise DomainError(_("Give the reasons, so the tenderer knows what to change (at least 10 characters)."),
                          code="reasons", field="reasons")
    tender.return_reasons = reasons[:4000]
    tender.returned_at = now
    transition(tender, S.RETURNED, actor=actor)
    tell_managers(tender, notices.RETURNED, {**base_params(tender), "reasons": tender.return_reasons[:500]},
                  actor=actor)
    return tender


def publish_tender(tender: Tender, data: dict | None = None, *, actor, membership=None,
                   now: datetime | None = None) -> Tender:
    """Announce a filed tender: refused with every broken timeline rule named; the documents are issued now."""
    from tender.tenders.operations.rules import tender_values

    now = now or clock.now()
    require_action(tender, membership_of(actor, membership), "publish", now)
    values = tender_values(tender, now)
    submitted_on = shanghai_date(tender.submitted_at) if tender.submitted_at else None
    problems = timeline_problems(tender, values, notice_on=shanghai_date(now), submitted_on=submitted_on, now=now)
    problems += custodian_key_problems(tender)
    if problems:
        raise RulesBroken(problems, _("The tender cannot be published:"))
    tender.published_at = now
    tender.original_deadline = tender.bid_deadline
    latest = tender.latest_document()
    if latest is not None:
        latest.issued_at = now
    transition(tender, S.PUBLISHED, actor=actor, details={"bid_deadline": tender.bid_deadline.isoformat()})
    tell_managers(tender, notices.PUBLISHED, {**base_params(tender), "deadline": at(tender.bid_deadline)}, actor=actor)
    return tender


def cancel_tender(tender: Tender, data: dict, *, actor, membership=None, now: datetime | None = None) -> Tender:
    """Cancel with a coded reason and an explanation; everyone registered, the tenderer and the bureau are told."""
    now = now or clock.now()
    require_action(tender, membership_of(actor, membership), "cancel", now)
    try:
        reason = CancelReason(data.get("reason"))
    except ValueError:
        raise DomainError(_("Choose the reason for the cancellation."), code="cancel_reason", field="reason") from None
    note = (data.get("note") or "").strip()
    if len(note) < MIN_REASONS:
        raise DomainError(_("Explain the cancellation to the firms and the public (at least 10 characters)."),
                          code="cancel_note", field="note")
    tender.cancel_reason, tender.cancel_note = reason, note[:4000]
    tender.cancelled_at = now
    tender.cancelled_by_id = actor.id if actor else None
    transition(tender, S.CANCELLED, actor=actor, details={"reason": reason.value})
    params = {**base_params(tender), "reason": notices.both(CANCEL_LABELS[reason.value]), "note": note[:500]}
    tell_registered(tender, notices.CANCELLED, params, actor=actor)
    tell_managers(tender, notices.CANCELLED, params, actor=actor)
    tell_bureau(tender, notices.CANCELLED, params, actor=actor)
    return tender


def accept_custodian_keys(tender: Tender, data: dict | None = None, *, actor, membership=None,
                          now: datetime | None = None) -> Tender:
    """The bureau accepts the custodians' current keys after a change; the stopped tender goes on."""
    now = now or clock.now()
    require_action(tender, membership_of(actor, membership), "accept_keys", now)
    problems = [p for p in custodian_key_problems(tender) if p.code == "custodian_without_key"]
    if problems:
        raise RulesBroken(problems, _("The keys cannot be accepted yet."))
    changed = []
    for c in tender.custodians:
        key_id = active_key(c.user).key_id
        if c.key_id != key_id:
            changed.append({"user": c.user_id, "old": c.key_id, "new": key_id})
            c.key_id = key_id
    tender.custodians_stopped_at = None
    db.session.flush()
    record_event("tender.custodian_keys_accepted", tender, actor=actor, district=tender.district_code,
                 details={"changed": changed})
    tell_managers(tender, notices.KEYS_ACCEPTED, base_params(tender), actor=actor)
    return tender


def stop_for_changed_keys(now: datetime | None = None, *, limit: int = 500) -> int:
    """Stop every filed or announced tender a custodian's key changed for, and tell its tenderer and bureau
    (safe to run any number of times: a stopped tender is not told again)."""
    from tender.sealing.models import CustodianKey
    from tender.tenders.models import TenderCustodian

    now = now or clock.now()
    changed = (
        sa.select(TenderCustodian.tender_id)
        .join(CustodianKey, sa.and_(CustodianKey.user_id == TenderCustodian.user_id, CustodianKey.retired_at.is_(None)))
        .where(TenderCustodian.key_id.is_not(None), CustodianKey.key_id != TenderCustodian.key_id)
    )
    tenders = db.session.scalars(
        sa.select(Tender).where(Tender.id.in_(changed), Tender.state.in_((S.FILED, S.PUBLISHED)),
                                Tender.custodians_stopped_at.is_(None)).order_by(Tender.id).limit(limit)
    ).all()
    for tender in tenders:
        names = ", ".join(c.user.name for c in tender.custodians
                          if c.key_id is not None and getattr(active_key(c.user), "key_id", None) != c.key_id)
        tender.custodians_stopped_at = now
        db.session.flush()
        record_event("tender.stopped_for_key_change", tender, actor=None, district=tender.district_code)
        params = {**base_params(tender), "name": names[:300]}
        tell_managers(tender, notices.KEY_CHANGED, params, actor=None)
        tell_bureau(tender, notices.KEY_CHANGED, params, actor=None)
    return len(tenders)
