"""Confirming the award (定标), its notices, the next candidate taking over, and the bid securities."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from core import clock
from core.audit.operations import record_event
from core.db import DomainError, db
from core.jobs.operations import tell_organisation
from core.jobs.queueing import enqueue_after_commit
from core.messages import at
from tender.award import notices
from tender.award.models import Award, OfferOutcome
from tender.award.operations import sources, state
from tender.award.operations.access import require
from tender.award.operations.periods import deadline
from tender.tenders.models import TenderState
from tender.tenders.operations.access import membership_of
from tender.tenders.operations.lifecycle import base_params, tell_bureau, tell_managers, transition

MIN_NOTE = 10
# The credit catalogue's items for a candidate that lets the award fall (codes of credit's catalogue).
VIOLATION_ITEMS = {
    OfferOutcome.DECLINED: "EX-F-06-02",
    OfferOutcome.FAILED_TO_SIGN: "EX-F-06-02",
    OfferOutcome.DISQUALIFIED: "EX-F-18-01",
}
# Who may end an offer for each reason: the tenderer's side, or the bureau.
ENDED_BY = {OfferOutcome.DECLINED: "end_offer", OfferOutcome.FAILED_TO_SIGN: "end_offer",
            OfferOutcome.DISQUALIFIED: "disqualify"}


def _offer(tender, candidate, *, actor, now: datetime) -> Award:
    award = Award(tender_id=tender.id, candidate_id=candidate.id, firm_id=candidate.firm_id, confirmed_at=now,
                  confirmed_by_id=actor.id if actor is not None else None,
                  filing_due_at=deadline(tender, now, "award_filing_days", now),
                  contract_due_at=deadline(tender, now, "contract_days", now))
    db.session.add(award)
    db.session.flush()
    record_event("award.offered", award, actor=actor, district=tender.district_code,
                 details={"tender": tender.id, "rank": candidate.rank, "firm": candidate.firm_id,
                          "contract_due_at": award.contract_due_at.isoformat()})
    from tender.award import tasks

    enqueue_after_commit(tasks.send_award_notices, award.id, job_id=f"award-notices-{award.id}")
    return award


def confirm_award(tender, data: dict | None = None, *, actor, membership=None, now: datetime | None = None) -> Award:
    """The tenderer confirms the first candidate after the publicity, with no objection or complaint open;
    the award notice and the result notices go out by job."""
    now = now or clock.now()
    membership = membership_of(actor, membership)
    blockers = state.award_blockers(tender, now)
    if tender.state == TenderState.CANDIDATES_PUBLISHED and blockers:
        raise DomainError(_("The award cannot be confirmed yet:") + " " + " ".join(blockers), code="award_blocked")
    require(tender, membership, "confirm_award", now)
    award = _offer(tender, state.next_candidate(tender), actor=actor, now=now)
    transition(tender, TenderState.AWARDED, actor=actor, details={"firm": award.firm_id})
    return_securities(tender, keep_firm_id=award.firm_id, actor=actor, now=now)
    return award


def end_offer(tender, data: dict, *, actor, membership=None, now: datetime | None = None) -> Award | None:
    """The current candidate declined, failed to sign or was disqualified: a credit record draft is opened
    (once per event) and the next candidate is offered the award; with none left the tender fails."""
    now = now or clock.now()
    try:
        outcome = OfferOutcome(data.get("outcome"))
    except ValueError:
        raise DomainError(_("Choose why the award to this candidate ends."), code="outcome", field="outcome") from None
    require(tender, membership_of(actor, membership), ENDED_BY[outcome], now)
    note = (data.get("note") or "").strip()
    if len(note) < MIN_NOTE:
        raise DomainError(_("Describe what happened (at least 10 characters); it goes into the credit record."),
                          code="note", field="note")
    offer = state.current_offer(tender)
    return _end(tender, offer, outcome, note, actor=actor, now=now)


def _end(tender, offer: Award, outcome: OfferOutcome, note: str, *, actor, now: datetime) -> Award | None:
    from credit.operations import record_tender_violation

    offer.ended_at, offer.outcome, offer.outcome_note = now, outcome, note[:4000]
    record = record_tender_violation(offer.firm, {
        "item_code": VIOLATION_ITEMS[outcome], "tender_ref": f"{tender.reference}/award/{offer.candidate.rank}",
        "facts": note, "occurred_on": clock.shanghai_date(now), "district_code": tender.district_code,
    }, actor=actor)
    offer.credit_record_id = record.id
    db.session.flush()
    record_event("award.offer_ended", offer, actor=actor, district=tender.district_code,
                 details={"tender": tender.id, "outcome": outcome.value, "credit_record": record.id})
    following = state.next_candidate(tender)
    params = {**base_params(tender), "firm": offer.firm.name, "reason": _outcome_text(outcome),
              "next": following.firm_name if following is not None else "—"}
    tell_managers(tender, notices.OFFER_ENDED, params, actor=actor)
    tell_bureau(tender, notices.OFFER_ENDED, params, actor=actor)
    if following is None:
        transition(tender, TenderState.FAILED, actor=actor, details={"reason": "no_candidate_left"})
        tell_managers(tender, notices.TENDER_FAILED, base_params(tender), actor=actor)
        return None
    return _offer(tender, following, actor=actor, now=now)


def _outcome_text(outcome: OfferOutcome) -> dict:
    from tender.award.labels import OUTCOME_LABELS
    from tender.tenders.notices import both

    return both(OUTCOME_LABELS[outcome.value])


def send_award_notices(award: Award, now: datetime | None = None) -> bool:
    """Send the award notice to the winner and the result to every other bidder, once (False: sent already)."""
    if award.notices_sent_at is not None:
        return False
    now = now or clock.now()
    from tender.tenders.models import Tender

    tender = db.session.get(Tender, award.tender_id)
    link = f"/tenders/{tender.id}/award/notice"
    params = {**base_params(tender), "due": at(award.contract_due_at), "winner": award.firm.name}
    tell_organisation(award.firm, notices.AWARD_NOTICE, params, link=link, kind="tender", mail_copy=True, actor=None)
    from core.accounts.models import Organisation

    for firm_id in sorted(state.bidders(tender) - {award.firm_id}):
        firm = db.session.get(Organisation, firm_id)
        if firm is not None:
            tell_organisation(firm, notices.RESULT_NOTICE, params, link=link, kind="tender", mail_copy=True,
                              actor=None)
    award.notices_sent_at = now
    db.session.flush()
    record_event("award.notices_sent", award, actor=None, district=tender.district_code,
                 details={"tender": tender.id, "firm": award.firm_id})
    return True


def return_securities(tender, *, keep_firm_id: int | None, actor, now: datetime) -> int:
    """Return the bid securities of every bidder except ``keep_firm_id`` (the winner's is returned when
    the contract is filed), and record it; a security already returned is left as it is."""
    count = 0
    for bid in sources.bids(tender):
        security = sources.security_of(bid)
        if security is None or security.returned_at is not None or bid.firm_id == keep_firm_id:
            continue
        security.returned_at = now
        security.returned_by_id = actor.id if actor is not None else None
        security.return_note = (_("Returned after the award of tender %(ref)s.", ref=tender.reference)
                                if keep_firm_id is not None else
                                _("Returned after the contract of tender %(ref)s was filed.", ref=tender.reference))
        count += 1
        record_event("award.security_returned", bid, actor=actor, district=tender.district_code,
                     details={"tender": tender.id, "firm": bid.firm_id, "amount_fen": security.amount_fen})
    db.session.flush()
    return count
