"""Objections to the candidates (异议), their answers, and complaints to the district bureau (投诉)."""

from __future__ import annotations

import io
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from core import clock
from core.audit.operations import record_event
from core.db import DomainError, db
from core.jobs.operations import tell, tell_organisation
from core.messages import at
from tender.award import notices
from tender.award.models import (
    AwardComplaint, ComplaintDecision, AwardObjection, ObjectionPoint, ObjectionState, PartyKind,
)
from tender.award.operations import state
from tender.award.operations.access import COMMITTEE, award_capacity, objection_actions, require
from tender.award.operations.periods import deadline
from tender.tenders.models import TenderKind, TenderState
from tender.tenders.operations.access import membership_of
from tender.tenders.operations.files import store_file
from tender.tenders.operations.lifecycle import base_params, tell_bureau, tell_managers, transition

MIN_REASONS = 10
MAX_EVIDENCE = 3
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
DECISION_LABELS_KEY = {d.value: d for d in ComplaintDecision}


def _reference() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"YY-{body[:4]}-{body[4:]}"


def _reasons(data: dict, field: str = "reasons") -> str:
    text = (data.get(field) or "").strip()
    if len(text) < MIN_REASONS:
        raise DomainError(_("Give the reasons (at least 10 characters)."), code="reasons", field=field)
    return text[:8000]


def _point(data: dict) -> ObjectionPoint:
    try:
        return ObjectionPoint(data.get("point"))
    except ValueError:
        raise DomainError(_("Choose what the objection is about."), code="point", field="point") from None


def _evidence(files) -> list[dict]:
    files = [f for f in (files or []) if f is not None and getattr(f, "filename", "")]
    if len(files) > MAX_EVIDENCE:
        raise DomainError(_("Add at most 3 evidence files."), code="too_many_files", field="evidence")
    kept = []
    for f in files:
        stored = store_file(f.stream if hasattr(f, "stream") else io.BytesIO(f.read()), f.filename, field="evidence")
        kept.append({"name": stored.filename, "sha256": stored.digest, "size": stored.size,
                     "media_type": stored.media_type})
    return kept


def _lodge(tender, party: dict, data: dict, *, actor, now: datetime) -> AwardObjection:
    publicity = state.current_publicity(tender)
    point = _point(data)
    reasons = _reasons(data)
    duplicate = db.session.scalars(sa.select(AwardObjection).where(
        AwardObjection.publicity_id == publicity.id, AwardObjection.party_key == party["party_key"], AwardObjection.point == point)).first()
    if duplicate is not None:
        raise DomainError(_("You already objected on this point (objection %(ref)s); a second objection on the same "
                            "point is not accepted.", ref=duplicate.reference), code="second_objection", field="point")
    objection = AwardObjection(reference=_reference(), tender_id=tender.id, publicity_id=publicity.id, point=point,
                          reasons=reasons, evidence=_evidence(data.get("evidence")), lodged_at=now,
                          answer_due_at=deadline(tender, now, "objection_answer_days", now), **party)
    db.session.add(objection)
    db.session.flush()
    record_event("award.objection_lodged", objection, actor=actor, district=tender.district_code,
                 data={"reasons": reasons}, details={"reference": objection.reference, "tender": tender.id,
                                                     "party": objection.party_kind.value, "point": point.value})
    params = {**base_params(tender), "objection": objection.reference, "due": at(objection.answer_due_at)}
    tell_managers(tender, notices.OBJECTION_LODGED, params, actor=actor)
    tell_bureau(tender, notices.OBJECTION_LODGED, params, actor=actor)
    return objection


def lodge_objection(tender, data: dict, *, actor, membership=None, now: datetime | None = None) -> AwardObjection:
    """A bidder or an owners' committee member objects to the candidates during the publicity."""
    now = now or clock.now()
    membership = membership_of(actor, membership)
    require(tender, membership, "object", now)
    who = award_capacity(tender, membership)
    if who == "bidder":
        party = {"party_kind": PartyKind.BIDDER, "party_key": f"firm:{membership.organisation_id}",
                 "firm_id": membership.organisation_id, "user_id": actor.id}
    else:
        party = {"party_kind": PartyKind.COMMITTEE, "party_key": f"user:{actor.id}", "user_id": actor.id}
    return _lodge(tender, party, data, actor=actor, now=now)


def lodge_owner_objection(tender, data: dict, *, now: datetime | None = None) -> AwardObjection:
    """Any owner of the community of an owners' assembly tender objects by the public form, with their
    name, room and phone (the tenderer answers them by phone or mail, and the answer is kept here)."""
    now = now or clock.now()
    publicity = state.current_publicity(tender)
    if tender.kind != TenderKind.OWNERS or tender.state != TenderState.CANDIDATES_PUBLISHED or publicity is None \
            or not publicity.running(now):
        raise DomainError(_("Owners object by this form during the publicity of an owners' assembly's tender."),
                          code="object_not_allowed")
    name = (data.get("owner_name") or "").strip()[:100]
    room = (data.get("owner_room") or "").strip()[:60]
    phone = "".join(c for c in (data.get("owner_phone") or "") if c.isdigit())[:20]
    if not name:
        raise DomainError(_("Enter your name."), code="owner_name", field="owner_name")
    if not room:
        raise DomainError(_("Enter your building and room, so the committee can confirm you are an owner."),
                          code="owner_room", field="owner_room")
    if len(phone) < 7:
        raise DomainError(_("Enter a phone number the tenderer can answer you on."), code="owner_phone",
                          field="owner_phone")
    party = {"party_kind": PartyKind.OWNER, "party_key": f"owner:{phone}", "owner_name": name, "owner_room": room,
             "owner_phone": phone}
    return _lodge(tender, party, data, actor=None, now=now)


def answer_objection(objection: AwardObjection, data: dict, *, actor, membership=None,
                     now: datetime | None = None) -> AwardObjection:
    """The tenderer answers an objection (within the procedure's days; a late answer is still recorded)."""
    now = now or clock.now()
    if "answer" not in objection_actions(objection, membership_of(actor, membership), now):
        raise DomainError(_("Only the tenderer or its agency answers an open objection."), code="answer_not_allowed")
    objection.answer = _reasons(data, "answer")
    objection.answered_at = now
    objection.answered_by_id = actor.id
    objection.state = ObjectionState.ANSWERED
    db.session.flush()
    record_event("award.objection_answered", objection, actor=actor, district=objection.tender.district_code,
                 data={"answer": objection.answer},
                 details={"reference": objection.reference, "tender": objection.tender_id,
                          "late": now > objection.answer_due_at})
    params = {**base_params(objection.tender), "objection": objection.reference,
              "until": at(state.complaint_until(objection, now))}
    if objection.firm is not None:
        tell_organisation(objection.firm, notices.OBJECTION_ANSWERED, params, link=_link(objection.tender),
                          kind="tender", mail_copy=True, actor=actor)
    elif objection.user_id is not None:
        from core.accounts.models import User

        tell(db.session.get(User, objection.user_id), notices.OBJECTION_ANSWERED, params, link=_link(objection.tender),
             kind="tender", mail_copy=True, actor=actor)
    return objection


def _link(tender) -> str:
    return f"/tenders/{tender.id}/award"


def lodge_complaint(objection: AwardObjection, data: dict, *, actor, membership=None,
                    now: datetime | None = None) -> AwardComplaint:
    """A bidder not satisfied with the answer complains to the district bureau within the procedure's days."""
    now = now or clock.now()
    if "complain" not in objection_actions(objection, membership_of(actor, membership), now):
        raise DomainError(_("A bidder complains about the answer to its own objection, once, within %(days)s days "
                            "of the answer.", days=_complaint_days(objection, now)), code="complain_not_allowed")
    complaint = AwardComplaint(objection_id=objection.id, tender_id=objection.tender_id, reasons=_reasons(data),
                               lodged_at=now, lodged_by_id=actor.id)
    db.session.add(complaint)
    db.session.flush()
    record_event("award.complaint_lodged", complaint, actor=actor, district=objection.tender.district_code,
                 data={"reasons": complaint.reasons}, details={"objection": objection.reference,
                                                               "tender": objection.tender_id})
    tell_bureau(objection.tender, notices.COMPLAINT_LODGED,
                {**base_params(objection.tender), "objection": objection.reference}, actor=actor)
    return complaint


def _complaint_days(objection: AwardObjection, now: datetime) -> int:
    from tender.award.operations.periods import award_values

    return award_values(objection.tender, now)["complaint_days"]


def decide_complaint(complaint: AwardComplaint, data: dict, *, actor, membership=None,
                     now: datetime | None = None) -> AwardComplaint:
    """The district bureau decides a complaint with reasons: dismiss it, order a re-evaluation, remove the
    first candidate so the next is offered, or order a re-tender."""
    from tender.award.labels import DECISION_LABELS
    from tender.award.operations.publicity import close_publicity
    from tender.tenders.notices import both

    now = now or clock.now()
    tender = complaint.objection.tender
    require(tender, membership_of(actor, membership), "decide_complaint", now)
    if complaint.decided_at is not None:
        raise DomainError(_("This complaint has already been decided."), code="complaint_decided")
    decision = DECISION_LABELS_KEY.get(data.get("decision"))
    if decision is None:
        raise DomainError(_("Choose the decision."), code="decision", field="decision")
    complaint.decision = decision
    complaint.decision_reasons = _reasons(data)
    complaint.decided_at = now
    complaint.decided_by_id = actor.id
    db.session.flush()
    record_event("award.complaint_decided", complaint, actor=actor, district=tender.district_code,
                 data={"reasons": complaint.decision_reasons},
                 details={"decision": decision.value, "tender": tender.id, "objection": complaint.objection.reference})
    publicity = state.current_publicity(tender)
    if decision == ComplaintDecision.RE_EVALUATION and tender.state == TenderState.CANDIDATES_PUBLISHED:
        close_publicity(publicity, "re_evaluation", actor=actor, now=now)
        transition(tender, TenderState.EVALUATING, actor=actor, details={"complaint": complaint.id})
    elif decision == ComplaintDecision.RE_TENDER and TenderState.FAILED in _targets(tender):
        if publicity is not None:
            close_publicity(publicity, "re_tender", actor=actor, now=now)
        transition(tender, TenderState.FAILED, actor=actor, details={"complaint": complaint.id})
        tell_managers(tender, notices.TENDER_FAILED, base_params(tender), actor=actor)
    elif decision == ComplaintDecision.NEW_CANDIDATE and publicity is not None:
        offer = state.current_offer(tender)
        if offer is not None:
            # Already awarded: the award to this candidate ends as disqualified and the next is offered it.
            from tender.award.models import OfferOutcome
            from tender.award.operations.award import _end

            _end(tender, offer, OfferOutcome.DISQUALIFIED, complaint.decision_reasons, actor=actor, now=now)
        else:
            first = state.next_candidate(tender)
            if first is not None:
                first.excluded_at = now
                first.excluded_reason = complaint.decision_reasons
                db.session.flush()
    params = {**base_params(tender), "objection": complaint.objection.reference,
              "decision": both(DECISION_LABELS[decision.value]), "reasons": complaint.decision_reasons[:500]}
    tell_managers(tender, notices.COMPLAINT_DECIDED, params, actor=actor)
    if complaint.objection.firm is not None:
        tell_organisation(complaint.objection.firm, notices.COMPLAINT_DECIDED, params, link=_link(tender),
                          kind="tender", mail_copy=True, actor=actor)
    return complaint


def _targets(tender):
    from tender.tenders.models import TRANSITIONS

    return TRANSITIONS[tender.state]
