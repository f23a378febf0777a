"""A tender that failed at its opening (招标失败): tender again in one click, or, with the district
bureau's approval, appoint a firm by negotiation (协议选聘), recorded with the reasons."""

from __future__ import annotations

import io
from datetime import datetime

from flask_babel import gettext as _

from core import clock
from core.accounts.models import Organisation, OrgKind, User
from core.audit.operations import record_event
from core.db import DomainError, db
from tender.bidding import opening_notices as notices
from tender.bidding.models.opening import FailedTender, FailurePath, NegotiationState
from tender.bidding.models.submission import Bid
from tender.bidding.operations.opening import failure_of, require_opening_action
from tender.tenders import operations as tops
from tender.tenders.models import Tender
from tender.tenders.operations.access import membership_of
from tender.tenders.operations.files import open_file

MIN_REASONS = 20
FACTS = ("address", "buildings", "households", "service_grade", "service_scope", "fee_model", "ceiling_fen",
         "contract_months", "qualifications", "bid_validity_days", "bid_security_fen", "min_credit_score")


def _failure(tender: Tender) -> FailedTender:
    failure = failure_of(tender)
    if failure is None:
        raise DomainError(_("This tender did not fail at its opening."), code="not_failed")
    return failure


def retender(tender: Tender, *, actor: User, membership=None, now: datetime | None = None) -> Tender:
    """Start a new draft with the failed tender's facts, areas, custodians, scheme and latest documents."""
    now = now or clock.now()
    membership = membership_of(actor, membership)
    require_opening_action(tender, membership, actor, "retender", now)
    failure = _failure(tender)
    draft = tops.create_tender(tender.tenderer, {"community_name": tender.community_name,
                                                 "district_code": tender.district_code}, actor=actor)
    facts = {name: getattr(tender, name) for name in FACTS}
    facts["fee_model"] = tender.fee_model.value
    tops.update_tender(draft, facts, actor=actor, membership=membership)
    tops.set_areas(draft, {"areas": {a.property_type.value: a.floor_area_m2 for a in tender.areas}}, actor=actor,
                   membership=membership)
    draft.scheme = dict(tender.scheme or {})
    if tender.resolution is not None:
        r = tender.resolution
        data = {name: getattr(r, name) for name in ("resolved_on", "total_area_m2", "total_owners",
                                                    "participating_area_m2", "participating_owners",
                                                    "approving_area_m2", "approving_owners")}
        if r.document_digest:
            with open_file(r.document_digest) as fh:
                data.update(file=io.BytesIO(fh.read()), filename=r.document_name)
        tops.record_resolution(draft, data, actor=actor, membership=membership, now=now)
    tops.set_custodians(draft, {"user_ids": [c.user_id for c in tender.custodians],
                                "threshold": tender.custodian_threshold}, actor=actor, membership=membership)
    latest = tender.latest_document()
    if latest is not None:
        with open_file(latest.digest) as fh:
            tops.add_document(draft, {"file": io.BytesIO(fh.read()), "filename": latest.filename}, actor=actor,
                              membership=membership, now=now)
    failure.path, failure.retender_id = FailurePath.RETENDER, draft.id
    db.session.flush()
    record_event("bidding.retendered", tender, actor=actor, district=tender.district_code,
                 details={"reference": tender.reference, "new_tender": draft.id})
    return draft


def request_negotiation(tender: Tender, data: dict, *, actor: User, membership=None,
                        now: datetime | None = None) -> FailedTender:
    """The tenderer asks the bureau to approve appointing one firm by negotiation, with its reasons."""
    now = now or clock.now()
    membership = membership_of(actor, membership)
    require_opening_action(tender, membership, actor, "request_negotiation", now)
    failure = _failure(tender)
    firm = db.session.get(Organisation, int(data.get("firm_id") or 0))
    bidders = {b.firm_id for b in Bid.query.filter_by(tender_id=tender.id)}
    if firm is None or firm.kind != OrgKind.FIRM or firm.id not in bidders:
        raise DomainError(_("Choose one of the firms that bid for this tender."), code="firm", field="firm_id")
    reasons = (data.get("reasons") or "").strip()
    if len(reasons) < MIN_REASONS:
        raise DomainError(_("Give the reasons for a negotiated appointment (at least %(num)s characters).",
                            num=MIN_REASONS), code="reasons", field="reasons")
    failure.path, failure.negotiation_state = FailurePath.NEGOTIATED, NegotiationState.REQUESTED
    failure.negotiated_firm_id, failure.negotiation_reasons = firm.id, reasons[:4000]
    failure.requested_by_id, failure.requested_at = actor.id, now
    db.session.flush()
    record_event("bidding.negotiation_requested", tender, actor=actor, district=tender.district_code,
                 details={"reference": tender.reference, "firm": firm.id})
    notices.tell_bureau(tender, notices.NEGOTIATION_REQUESTED, {}, actor=actor)
    return failure


def decide_negotiation(tender: Tender, data: dict, *, actor: User, membership=None,
                       now: datetime | None = None) -> FailedTender:
    """The district bureau approves or refuses the negotiated appointment; a refusal lets the tenderer choose again."""
    now = now or clock.now()
    membership = membership_of(actor, membership)
    require_opening_action(tender, membership, actor, "decide_negotiation", now)
    failure = _failure(tender)
    approve = data.get("decision") == "approve"
    if data.get("decision") not in ("approve", "refuse"):
        raise DomainError(_("Approve or refuse the request."), code="decision", field="decision")
    note = (data.get("note") or "").strip()
    if not approve and len(note) < 10:
        raise DomainError(_("Say why the request is refused (at least 10 characters)."), code="note", field="note")
    failure.negotiation_state = NegotiationState.APPROVED if approve else NegotiationState.REFUSED
    failure.decided_by_id, failure.decided_at, failure.decision_note = actor.id, now, note[:4000] or None
    if not approve:
        failure.path = None
    db.session.flush()
    record_event("bidding.negotiation_decided", tender, actor=actor, district=tender.district_code,
                 details={"reference": tender.reference, "approved": approve})
    notices.tell_managers(tender, notices.NEGOTIATION_DECIDED, {}, actor=actor)
    return failure
