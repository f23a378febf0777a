"""The committee of a real tender (评标委员会组建): the draw after the opening, invitations and answers,
reserves called for declines and silence, and the move to evaluating once every seat has accepted.

Who sits on the panel stays secret from the firms and the tenderer until the result: only the
bureau and the experts themselves see the seats; the public draw record names pseudonyms only.
"""

from __future__ import annotations

import secrets
import string
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core import clock
from core.accounts.models import Membership, Role
from core.audit.operations import record_event
from core.db import DomainError, db
from core.jobs.operations import tell
from core.messages import at, define
from tender.evaluation import bids as bidding
from tender.evaluation.conflicts import BidderPrincipal, DrawParties
from tender.evaluation.models import (
    BidCode,
    Draw,
    DrawSeat,
    DrawStatus,
    EvaluationPanel,
    InvitationStatus,
    PanelInvitation,
    PanelState,
    SeatRole,
    SeatStatus,
)
from tender.evaluation.operations.draw import DrawRequest, PanelSpec, perform_draw, prepare_draw, replace_member
from tender.evaluation.operations.rules import rule_at
from tender.tenders.models import Tender, TenderState
from tender.tenders.operations.access import BUREAU, MANAGER, capacity, membership_of
from tender.tenders.operations.lifecycle import transition

INVITED = define("evaluation.invited", _l("Invitation to evaluate tender %(ref)s"),
                 _l("You were drawn for the evaluation committee of tender %(ref)s, starting %(starts)s. "
                    "Accept or decline with a reason by %(due)s."))
SEAT_REFILLED = define("evaluation.seat_refilled", _l("Tender %(ref)s: a reserve expert was called"),
                       _l("A drawn expert declined or did not answer; reserve no. %(position)s was invited."))
PANEL_FORMED = define("evaluation.panel_formed", _l("Tender %(ref)s: the evaluation committee is formed"),
                      _l("Every seat of the committee has accepted; the evaluation starts %(starts)s."))
NO_RESERVE = define("evaluation.no_reserve", _l("Tender %(ref)s: no reserve expert is left"),
                    _l("A drawn expert did not answer and every reserve has been called; draw again for the missing seat."))
CODES = string.ascii_uppercase
DECLINE_REASONS = ("declared_conflict", "unavailable", "other")


def panel_of(tender: Tender) -> EvaluationPanel | None:
    return db.session.scalar(sa.select(EvaluationPanel).where(EvaluationPanel.tender_id == tender.id))


def open_draw_of(tender: Tender) -> Draw | None:
    """The draw prepared for this tender and not yet performed."""
    return db.session.scalar(sa.select(Draw).where(Draw.tender_id == tender.id, Draw.status == DrawStatus.PREPARED))


def may_draw(tender: Tender, membership: Membership | None) -> bool:
    """The tenderer, its appointed agency or the bureau draw the panel."""
    return capacity(tender, membership) is not None and capacity(tender, membership) != "firm"


def draw_actions(tender: Tender, membership: Membership | None, now: datetime) -> frozenset[str]:
    """What this membership may do about the tender's draw now."""
    if not may_draw(tender, membership) or tender.state != TenderState.OPENED:
        return frozenset()
    panel = panel_of(tender)
    if panel is None:
        return frozenset({"prepare"})
    if panel.state == PanelState.DRAWING and open_draw_of(tender) is not None:
        return frozenset({"perform"})
    if panel.state == PanelState.INVITING and capacity(tender, membership) == MANAGER and open_representative_seats(panel):
        return frozenset({"appoint"})
    return frozenset()


def parties_of(tender: Tender, opened: list) -> DrawParties:
    """The tender's parties as known after the opening: the tenderer, its agency, the bidders and their people."""
    principals = []
    for bid in opened:
        sheet = getattr(bid, "price_sheet", None)
        if sheet is None:
            continue
        people = [(sheet.project_manager or {}).get("name"), (sheet.contact or {}).get("name")]
        people += [p.get("name") for p in (sheet.key_people or [])]
        principals += [BidderPrincipal(bid.firm_id, name, "staff") for name in people if name]
    appointment = tender.appointment
    return DrawParties(tender.tenderer_id, appointment.agency_id if appointment else None,
                       tuple(b.firm_id for b in opened), tuple(principals), tender.district_code)


def _specialties(data: dict) -> tuple[str, ...]:
    """The specialties the drawer asks for; none means any (a panel mixes property, facilities and finance)."""
    from core.accounts.forms import SPECIALTIES

    chosen = tuple(s for s in (data.get("specialties") or ()) if s in SPECIALTIES)
    return chosen


def prepare_tender_draw(tender: Tender, data: dict, *, actor, membership: Membership | None = None) -> Draw:
    """Publish the commitment and the candidate list for this tender's panel, after the opening."""
    now = clock.now()
    membership = membership_of(actor, membership)
    if "prepare" not in draw_actions(tender, membership, now):
        raise DomainError(_("The panel is drawn by the tenderer, its agency or the bureau, after the opening and "
                            "before the panel is formed."), code="draw_not_allowed")
    starts = data.get("evaluation_starts_at")
    if starts is None or starts.tzinfo is None:
        raise DomainError(_("Give the day and time the evaluation starts."), code="starts", field="evaluation_starts_at")
    opened = bidding.opened_bids(tender)
    opened_at = bidding.opened_at(tender)
    if not opened or opened_at is None:
        raise DomainError(_("There are no opened bids to evaluate."), code="no_bids")
    members = data.get("members") or (tender.procedure_values or {}).get("committee_min_members", 5)
    allowed = (tender.procedure_values or {}).get("max_tenderer_representatives")
    spec = PanelSpec(int(members), int(data.get("reserves") or rule_at("draw", now).min_reserves),
                     int(data.get("tenderer_representatives") or 0),
                     max_tenderer_representatives=None if allowed is None else int(allowed))
    request = DrawRequest(tender.id, parties_of(tender, opened), spec, _specialties(data), tender.district_code,
                          starts, opened_at)
    draw = prepare_draw(request, actor=actor)
    db.session.add(EvaluationPanel(tender_id=tender.id, draw_id=draw.id, state=PanelState.DRAWING,
                                   evaluation_starts_at=starts, created_at=now))
    db.session.flush()
    return draw


def perform_tender_draw(tender: Tender, data: dict, *, actor, membership: Membership | None = None) -> EvaluationPanel:
    """Draw the panel with the witness text, code the bids and invite the members by job."""
    now = clock.now()
    membership = membership_of(actor, membership)
    draw = open_draw_of(tender)
    if draw is None or "perform" not in draw_actions(tender, membership, now):
        raise DomainError(_("There is no prepared draw for you to perform."), code="no_draw")
    perform_draw(draw, data, actor=actor)
    panel = panel_of(tender)
    panel.state = PanelState.INVITING
    opened = bidding.opened_bids(tender)
    order = list(range(len(opened)))
    secrets.SystemRandom().shuffle(order)  # codes never follow the order of the opening record
    panel.codes = [BidCode(bid_id=opened[i].id, code=code_for(n)) for n, i in enumerate(order)]
    for seat in draw.seats:
        if seat.role == SeatRole.MEMBER:
            _invite(panel, seat, now)
    db.session.flush()
    record_event("evaluation.panel_drawn", panel, actor=actor,
                 details={"tender": tender.id, "draw": draw.id, "bids": len(opened)})
    return panel


def code_for(n: int) -> str:
    """A, B, … Z, AA, AB…"""
    code = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        code = CODES[rest] + code
    return code


def _invite(panel: EvaluationPanel, seat: DrawSeat, now: datetime) -> PanelInvitation:
    hours = rule_at("scoring", now).answer_hours
    due = min(now + timedelta(hours=hours), panel.evaluation_starts_at)
    invitation = PanelInvitation(panel=panel, seat=seat, membership_id=seat.candidate.membership_id,
                                 respond_by=due, created_at=now)
    db.session.add(invitation)
    db.session.flush()
    from core.jobs.queueing import enqueue_after_commit
    from tender.evaluation import tasks

    enqueue_after_commit(tasks.send_invitation, invitation.id)
    return invitation


def representative_candidates(tender: Tender) -> list[Membership]:
    """Who the tenderer may appoint as its representative on the panel: its own active members."""
    return list(db.session.scalars(sa.select(Membership).where(Membership.organisation_id == tender.tenderer_id,
                                                               Membership.active).order_by(Membership.id)))


def open_representative_seats(panel: EvaluationPanel) -> int:
    """Representative seats of the draw not yet held by a pending or accepted invitation."""
    held = sum(1 for i in panel.invitations if i.representative
               and i.status in (InvitationStatus.PENDING, InvitationStatus.ACCEPTED))
    return max(0, panel.draw.tenderer_representatives - held)


def appoint_representative(panel: EvaluationPanel, data: dict, *, actor,
                           membership: Membership | None = None) -> PanelInvitation:
    """The tenderer appoints one of its people to a representative seat; they are invited as the experts
    are, declare any conflict when they answer, and lock and sign with their second factor."""
    tender = panel.tender
    now = clock.now()
    if "appoint" not in draw_actions(tender, membership_of(actor, membership), now):
        raise DomainError(_("The tenderer appoints its representatives after the draw, while seats are open."),
                          code="appoint_not_allowed")
    chosen = next((m for m in representative_candidates(tender) if str(m.id) == str(data.get("membership_id"))), None)
    if chosen is None:
        raise DomainError(_("Choose one of your organisation's people."), code="not_tenderer_member",
                          field="membership_id")
    if any(i.membership_id == chosen.id and i.status in (InvitationStatus.PENDING, InvitationStatus.ACCEPTED)
           for i in panel.invitations):
        raise DomainError(_("This person is already invited to the panel."), code="already_invited",
                          field="membership_id")
    if not chosen.user.has_second_factor:
        raise DomainError(_("This person has no second factor yet: members of the panel lock and sign their "
                            "scores with one. Ask them to set it up first."), code="no_second_factor",
                          field="membership_id")
    hours = rule_at("scoring", now).answer_hours
    invitation = PanelInvitation(panel=panel, seat=None, representative=True, membership_id=chosen.id,
                                 respond_by=min(now + timedelta(hours=hours), panel.evaluation_starts_at),
                                 created_at=now)
    db.session.add(invitation)
    db.session.flush()
    record_event("evaluation.representative_appointed", invitation, actor=actor,
                 details={"panel": panel.id, "membership": chosen.id})
    from core.jobs.queueing import enqueue_after_commit
    from tender.evaluation import tasks

    enqueue_after_commit(tasks.send_invitation, invitation.id)
    return invitation


def send_invitation(invitation: PanelInvitation) -> bool:
    """Tell the invited expert (once); False when already sent or no longer pending."""
    if invitation.sent_at is not None or invitation.status != InvitationStatus.PENDING:
        return False
    tender = invitation.panel.tender
    tell(invitation.membership.user, INVITED,
         {"ref": tender.reference or str(tender.id), "starts": at(invitation.panel.evaluation_starts_at),
          "due": at(invitation.respond_by)}, link=f"/evaluation/panels/{invitation.panel_id}", kind="evaluation")
    invitation.sent_at = clock.now()
    db.session.flush()
    return True


def invitation_for(panel: EvaluationPanel, membership: Membership | None) -> PanelInvitation | None:
    """This expert's latest invitation to the panel."""
    if membership is None:
        return None
    found = [i for i in panel.invitations if i.membership_id == membership.id]
    return found[-1] if found else None


def answer_invitation(invitation: PanelInvitation, data: dict, *, actor) -> PanelInvitation:
    """The expert accepts, or declines with a reason (a declared conflict, unavailable, other)."""
    now = clock.now()
    if invitation.status != InvitationStatus.PENDING:
        raise DomainError(_("This invitation was already answered."), code="answered")
    if now > invitation.respond_by:
        raise DomainError(_("The time to answer has passed; a reserve has been or will be called."), code="too_late")
    if data.get("answer") == "accept":
        invitation.status, invitation.responded_at = InvitationStatus.ACCEPTED, now
        db.session.flush()
        record_event("evaluation.invitation_accepted", invitation, actor=actor, details={"panel": invitation.panel_id})
        form_if_complete(invitation.panel, actor=actor)
        return invitation
    if data.get("answer") != "decline":
        raise DomainError(_("Accept or decline the invitation."), code="answer", field="answer")
    reason = data.get("reason")
    if reason not in DECLINE_REASONS:
        raise DomainError(_("Choose why you decline."), code="reason", field="reason")
    note = " ".join((data.get("note") or "").split())[:500]
    if reason == "other" and not note:
        raise DomainError(_("Say why you decline."), code="note", field="note")
    invitation.status, invitation.responded_at = InvitationStatus.DECLINED, now
    invitation.reason, invitation.note = reason, note or None
    db.session.flush()
    record_event("evaluation.invitation_declined", invitation, actor=actor,
                 details={"panel": invitation.panel_id, "reason": reason})
    if not invitation.representative:  # the tenderer appoints another representative
        _call_reserve(invitation, reason, actor=actor)
    return invitation


def _call_reserve(invitation: PanelInvitation, reason: str, *, actor) -> PanelInvitation:
    panel = invitation.panel
    seat = replace_member(panel.draw, invitation.membership, reason, actor=actor, note=invitation.note)
    new = _invite(panel, seat, clock.now())
    from tender.tenders.operations.lifecycle import tell_bureau

    tender = panel.tender
    tell_bureau(tender, SEAT_REFILLED, {"ref": tender.reference or str(tender.id), "position": seat.position},
                actor=actor)
    return new


def expire_invitations(now: datetime | None = None) -> int:
    """Pending invitations past their time: mark them unanswered and call the next reserve (safe to run twice)."""
    now = now or clock.now()
    due = list(db.session.scalars(
        sa.select(PanelInvitation).where(PanelInvitation.status == InvitationStatus.PENDING,
                                         PanelInvitation.respond_by < now).order_by(PanelInvitation.id)
        .with_for_update(skip_locked=True)))
    for invitation in due:
        invitation.status, invitation.responded_at, invitation.reason = InvitationStatus.EXPIRED, now, "no_answer"
        db.session.flush()
        record_event("evaluation.invitation_expired", invitation, actor=None, details={"panel": invitation.panel_id})
        if invitation.representative:
            continue  # the tenderer appoints another; the panel page offers it again
        try:
            _call_reserve(invitation, "no_answer", actor=None)
        except DomainError as exc:
            if exc.code != "no_reserve":
                raise
            tender = invitation.panel.tender
            from tender.tenders.operations.lifecycle import tell_bureau

            tell_bureau(tender, NO_RESERVE, {"ref": tender.reference or str(tender.id)}, actor=None)
    return len(due)


def form_if_complete(panel: EvaluationPanel, *, actor) -> bool:
    """Once every serving seat has accepted, the panel is formed and the tender is evaluating."""
    if panel.state != PanelState.INVITING:
        return False
    serving = {s.id for s in panel.draw.seats if s.serving}
    accepted = {i.seat_id for i in panel.invitations if i.status == InvitationStatus.ACCEPTED}
    representatives = sum(1 for i in panel.invitations if i.representative and i.status == InvitationStatus.ACCEPTED)
    if not serving or serving - accepted or representatives < panel.draw.tenderer_representatives:
        return False
    panel.state, panel.formed_at = PanelState.FORMED, clock.now()
    tender = panel.tender
    if tender.state == TenderState.OPENED:  # a seat refilled later leaves the tender evaluating
        transition(tender, TenderState.EVALUATING, actor=actor, details={"panel": panel.id})
    from tender.tenders.operations.lifecycle import tell_bureau, tell_managers

    params = {"ref": tender.reference or str(tender.id), "starts": at(panel.evaluation_starts_at)}
    tell_managers(tender, PANEL_FORMED, params, actor=actor)
    tell_bureau(tender, PANEL_FORMED, params, actor=actor)
    record_event("evaluation.panel_formed", panel, actor=actor, details={"tender": tender.id})
    return True


def panel_members(panel: EvaluationPanel) -> list[PanelInvitation]:
    """The accepted seats now serving, in draw order, then the tenderer's representatives who accepted."""
    serving = {s.id: s.position for s in panel.draw.seats if s.serving}
    experts = sorted((i for i in panel.invitations if i.status == InvitationStatus.ACCEPTED and i.seat_id in serving),
                     key=lambda i: serving[i.seat_id])
    return experts + [i for i in panel.invitations if i.representative and i.status == InvitationStatus.ACCEPTED]


def is_member(panel: EvaluationPanel, membership: Membership | None) -> bool:
    """Whether this membership serves on the panel now: a drawn expert, or a representative of the tenderer."""
    if membership is None:
        return False
    role = Role.TENDERER if is_representative(panel, membership) else Role.EXPERT
    return membership.platform_role == role and any(i.membership_id == membership.id for i in panel_members(panel))


def is_representative(panel: EvaluationPanel, membership: Membership | None) -> bool:
    invitation = invitation_for(panel, membership)
    return invitation is not None and invitation.representative


def seat_actions(panel: EvaluationPanel, viewer: Membership | None) -> dict[int, frozenset[str]]:
    """What ``viewer`` may do about each seat's invitation now, by invitation id: the bureau marks an
    expert who accepted and has not scored as absent (缺席), before the panel has locked its scores."""
    if capacity(panel.tender, viewer) != BUREAU or panel.state not in (PanelState.INVITING, PanelState.FORMED,
                                                                        PanelState.SCORING):
        return {}
    scored = {s.membership_id for s in panel.sheets if s.saved_at is not None}
    return {i.id: frozenset({"absent"}) for i in panel.invitations
            if i.status == InvitationStatus.ACCEPTED and not i.representative and i.membership_id not in scored}


def mark_absent(panel: EvaluationPanel, membership: Membership, data: dict, *, actor,
                viewer: Membership | None = None) -> PanelInvitation:
    """The bureau records that an expert who accepted did not come: a conduct entry, and a reserve is called."""
    from tender.evaluation.operations.pool import profile_for
    from tender.evaluation.operations.standing import record_expert_conduct

    invitation = invitation_for(panel, membership)
    if invitation is None or invitation.status != InvitationStatus.ACCEPTED:
        raise DomainError(_("This expert has not accepted a seat on the panel."), code="not_accepted")
    if any(s.membership_id == membership.id and s.saved_at is not None for s in panel.sheets):
        raise DomainError(_("This expert has already scored."), code="scored")
    if "absent" not in seat_actions(panel, membership_of(actor, viewer)).get(invitation.id, frozenset()):
        raise DomainError(_("Only the supervising bureau records an absence, before the scores are locked."),
                          code="not_allowed")
    note = " ".join((data.get("note") or "").split())
    if not note:
        raise DomainError(_("Describe what happened; the expert reads it."), code="note", field="note")
    invitation.status, invitation.note = InvitationStatus.WITHDRAWN, note[:500]
    record_expert_conduct(profile_for(membership), {"kind": "absent_after_accepting", "occurred_on": clock.today(),
                                                     "note": note, "tender_id": panel.tender_id}, actor=actor)
    if panel.state == PanelState.FORMED:
        panel.state = PanelState.INVITING
    _call_reserve(invitation, "unavailable", actor=actor)
    return invitation


def panel_names_visible(panel: EvaluationPanel, membership: Membership | None) -> bool:
    """Names of the panel: the bureau always; the tenderer and firms only once the result is out."""
    tender = panel.tender
    who = capacity(tender, membership)
    if who == BUREAU:
        return True
    return tender.state in (TenderState.CANDIDATES_PUBLISHED, TenderState.AWARDED, TenderState.CONTRACTED)

