"""Who acts on a tender, in what capacity, and which actions the tender offers them now.

Pages show the actions :func:`allowed_actions` returns and nothing else; every operation asserts
its action with :func:`require_action`, so a request the page would not have offered is refused
with the reason.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from core.accounts.models import Membership, OrgKind, OrgStatus, Role, User
from core.authz import active_membership
from core.db import DomainError, db
from tender.tenders.models import EDITABLE_STATES, TRANSITIONS, Registration, Tender, TenderState

S = TenderState
MANAGER, AGENCY, BUREAU, FIRM = "tenderer", "agency", "bureau", "firm"


def membership_of(actor: User | None, membership: Membership | None = None) -> Membership | None:
    """The membership ``actor`` acts in: the one given, the request's, or their only one (jobs, commands)."""
    if membership is not None or actor is None:
        return membership
    current = active_membership()
    if current is not None and current.user_id == actor.id:
        return current
    found = actor.active_memberships()
    return found[0] if found else None


def capacity(tender: Tender, membership: Membership | None) -> str | None:
    """tenderer, agency (appointed on this tender), bureau (its district or the city), firm, or None."""
    if membership is None or not membership.active:
        return None
    org = membership.organisation
    if org.status != OrgStatus.VERIFIED:
        return None
    role = membership.platform_role
    if role == Role.TENDERER and org.id == tender.tenderer_id:
        return MANAGER
    if role == Role.AGENCY and tender.appointment is not None and tender.appointment.agency_id == org.id:
        return AGENCY
    if role == Role.SUPERVISOR and (org.kind == OrgKind.CITY_BUREAU or org.district_code == tender.district_code):
        return BUREAU
    if role == Role.FIRM and org.kind == OrgKind.FIRM:
        return FIRM
    return None


def manages(tender: Tender, membership: Membership | None) -> bool:
    return capacity(tender, membership) in (MANAGER, AGENCY)


def may_view(tender: Tender, membership: Membership | None) -> bool:
    """The public sees announced tenders; the tenderer, its agency and the bureau see every state."""
    return tender.is_public or capacity(tender, membership) in (MANAGER, AGENCY, BUREAU)


def registration_of(tender: Tender, membership: Membership | None) -> Registration | None:
    if membership is None or membership.platform_role != Role.FIRM:
        return None
    return db.session.scalar(sa.select(Registration).where(Registration.tender_id == tender.id,
                                                           Registration.firm_id == membership.organisation_id))


def allowed_actions(tender: Tender, membership: Membership | None, now: datetime) -> frozenset[str]:
    """The actions this membership may take on the tender at ``now``."""
    who = capacity(tender, membership)
    state, actions = tender.state, set()
    open_for_bids = tender.phase(now) == "open_for_bids"
    cancellable = S.CANCELLED in TRANSITIONS[state]
    if who in (MANAGER, AGENCY):
        if state in EDITABLE_STATES:
            actions |= {"edit", "submit", "upload_document"}
            if who == MANAGER:
                actions.add("appoint_agency")
        if state == S.FILED and tender.custodians_stopped_at is None:
            actions.add("publish")
        if state == S.FILED:
            actions.add("edit_timeline")
        if open_for_bids:
            actions |= {"answer", "clarify", "upload_document"}
        # The tenderer and its agency may cancel until the bids are in; later only the bureau may.
        if cancellable and state in (S.DRAFT, S.PENDING_FILING, S.RETURNED, S.FILED, S.PUBLISHED):
            actions.add("cancel")
    elif who == BUREAU:
        if state == S.PENDING_FILING:
            actions |= {"file", "return"}
        if tender.custodians_stopped_at is not None and state in (S.FILED, S.PUBLISHED):
            actions.add("accept_keys")
        if cancellable and state != S.DRAFT:
            actions.add("cancel")
        actions.add("see_registrations")
        actions.add("see_askers")
    elif who == FIRM:
        registered = registration_of(tender, membership) is not None
        if open_for_bids and not registered:
            actions.add("register")
        if open_for_bids and registered:
            actions.add("ask")
        if registered:
            actions.add("read_answers")
    return frozenset(actions)


ACTION_REFUSALS = {
    "register": lambda: _("Registration is open only to verified firms while the tender is open for bids."),
    "ask": lambda: _("Only firms registered for this tender may ask questions, until the bid deadline."),
    "publish": lambda: _("Only a filed tender that is not stopped can be published, by its tenderer or agency."),
    "cancel": lambda: _("This tender cannot be cancelled by you at its current stage."),
    "file": lambda: _("Only the district bureau can file a tender that is waiting for filing."),
    "return": lambda: _("Only the district bureau can return a tender that is waiting for filing."),
}


def require_action(tender: Tender, membership: Membership | None, action: str, now: datetime) -> None:
    """Refuse (409, with the reason) an action the tender does not offer this membership now."""
    if action in allowed_actions(tender, membership, now):
        return
    if membership is not None and membership.platform_role == Role.AGENCY and action in ("register", "ask"):
        raise DomainError(_("A tender agency never bids, and never acts for a bidder."), code="agency_may_not_bid")
    who = capacity(tender, membership)
    if who is None and action not in ("register", "ask"):
        raise DomainError(_("You act only on tenders of your own organisation, or those your agency is appointed to."),
                          code="not_your_tender")
    text = ACTION_REFUSALS.get(action)
    message = text() if text else _("This is not possible while the tender is %(state)s.", state=state_text(tender, now))
    raise DomainError(message, code=f"{action}_not_allowed")


def state_text(tender: Tender, now: datetime) -> str:
    from tender.tenders.labels import phase_label

    return phase_label(tender.phase(now))
