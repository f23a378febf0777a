"""Who acts on a tender's award stage, and which actions the stage offers them now.

The tender's own roles (tenderer, agency, bureau, firm) come from :mod:`tender.tenders.operations.access`;
this stage adds the bidder (a firm with a bid on the tender) and the owners' committee member (a
member of the verified owners' assembly of the tender's community).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from core.accounts.models import Membership, OrgKind, OrgStatus
from core.db import DomainError
from tender.award.models import FilingKind, FilingState, ObjectionState
from tender.award.operations import state as facts
from tender.tenders.models import Tender, TenderState
from tender.tenders.operations.access import AGENCY, BUREAU, FIRM, MANAGER, capacity

S = TenderState
COMMITTEE = "committee"


def is_committee_member(tender: Tender, membership: Membership | None) -> bool:
    """A member of the verified owners' assembly (业委会) of the tender's community."""
    if membership is None or not membership.active:
        return False
    org = membership.organisation
    return (org.kind == OrgKind.OWNERS_ASSEMBLY and org.status == OrgStatus.VERIFIED
            and (org.id == tender.tenderer_id or (org.community or "").strip() == tender.community_name.strip()))


def award_capacity(tender: Tender, membership: Membership | None) -> str | None:
    """tenderer, agency, bureau, bidder, committee, firm (not a bidder) or None."""
    who = capacity(tender, membership)
    if who == FIRM:
        return "bidder" if membership.organisation_id in facts.bidders(tender) else FIRM
    if who == MANAGER and is_committee_member(tender, membership):
        return MANAGER
    if who is None and is_committee_member(tender, membership):
        return COMMITTEE
    return who


def allowed_actions(tender: Tender, membership: Membership | None, now: datetime) -> frozenset[str]:
    """The award actions this membership may take on the tender at ``now``."""
    who = award_capacity(tender, membership)
    actions: set[str] = set()
    publicity = facts.current_publicity(tender)
    running = publicity is not None and publicity.running(now) and tender.state == S.CANDIDATES_PUBLISHED
    offer = facts.current_offer(tender)
    if who in (MANAGER, AGENCY):
        actions.add("see_record")
        if tender.state == S.EVALUATING and facts.unpublished_report(tender) is not None:
            actions.add("publish_candidates")
        if facts.open_objections(tender):
            actions.add("answer_objection")
        if tender.state == S.CANDIDATES_PUBLISHED and not facts.award_blockers(tender, now):
            actions.add("confirm_award")
        if tender.state == S.AWARDED and offer is not None:
            actions.add("end_offer")
            award_filing = offer.filing(FilingKind.AWARD)
            if award_filing is None or award_filing.state == FilingState.RETURNED:
                actions.add("submit_award_filing")
            contract = offer.filing(FilingKind.CONTRACT)
            if contract is None or contract.state == FilingState.RETURNED:
                actions.add("submit_contract")
        if who == MANAGER and is_committee_member(tender, membership) and running:
            actions.add("object")
    elif who == BUREAU:
        actions.add("see_record")
        if facts.pending_complaints(tender):
            actions.add("decide_complaint")
        if tender.state == S.AWARDED and offer is not None:
            actions.add("disqualify")
            for kind in FilingKind:
                filing = offer.filing(kind)
                if filing is not None and filing.state == FilingState.SUBMITTED:
                    actions.add(f"decide_{kind.value}_filing")
    elif who in ("bidder", COMMITTEE):
        if running:
            actions.add("object")
        if who == "bidder" and facts.notices_for(tender, membership.organisation_id):
            actions.add("see_notice")
    return frozenset(actions)


def objection_actions(objection, membership: Membership | None, now: datetime) -> frozenset[str]:
    """What this membership may do with one objection: answer it (tenderer) or complain (its bidder)."""
    tender = objection.tender
    who = award_capacity(tender, membership)
    actions = set()
    if who in (MANAGER, AGENCY) and objection.state == ObjectionState.OPEN:
        actions.add("answer")
    if (objection.state == ObjectionState.ANSWERED and objection.complaint is None
            and membership is not None and objection.firm_id == membership.organisation_id and who == "bidder"
            and now <= facts.complaint_until(objection, now)):
        actions.add("complain")
    return frozenset(actions)


REFUSALS = {
    "publish_candidates": lambda: _("The candidates can be published once the evaluation report is signed, "
                                    "by the tenderer or its agency."),
    "object": lambda: _("Objections are lodged during the publicity, by a bidder or an owner of the community."),
    "answer_objection": lambda: _("Only the tenderer or its agency answers an open objection."),
    "confirm_award": lambda: _("The award can be confirmed only after the publicity, with no objection or "
                               "complaint open."),
    "end_offer": lambda: _("Only the tenderer or its agency can end the current offer of the award."),
    "disqualify": lambda: _("Only the district bureau disqualifies the awarded candidate."),
    "submit_award_filing": lambda: _("The award is filed by its tenderer once, or again after the bureau returned it."),
    "submit_contract": lambda: _("The contract is filed by the tenderer once, or again after the bureau returned it."),
    "decide_award_filing": lambda: _("Only the district bureau decides a submitted filing."),
    "decide_contract_filing": lambda: _("Only the district bureau decides a submitted filing."),
    "decide_complaint": lambda: _("Only the district bureau decides a complaint."),
    "see_record": lambda: _("The tender's whole record is for its tenderer, its agency and the bureau."),
    "see_notice": lambda: _("The notices are for the tender's bidders, once sent."),
}


def require(tender: Tender, membership: Membership | None, action: str, now: datetime) -> None:
    """Refuse (409, with the reason) an award action the tender does not offer this membership now."""
    if action in allowed_actions(tender, membership, now):
        return
    text = REFUSALS.get(action)
    raise DomainError(text() if text else _("This is not possible at the tender's current stage."),
                      code=f"{action}_not_allowed")
