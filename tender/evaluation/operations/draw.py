"""Preparing, performing, checking and amending a panel draw (see docs/panel-draw.md)."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from core import clock
from core.accounts.models import MemberRole, Membership
from core.accounts.operations import bureau_for
from core.audit.operations import record_event
from core.db import DomainError, db, utcnow
from tender.evaluation import panel
from tender.evaluation.conflicts import DECLARED_CONFLICT, DrawParties, PartyIndex, conflicts
from tender.evaluation.models import (
    Draw,
    DrawCandidate,
    DrawSeat,
    DrawStatus,
    ExpertProfile,
    SeatRole,
    SeatStatus,
)
from tender.evaluation.operations.pool import available_on
from tender.evaluation.operations.rules import rule_at
from tender.evaluation.operations.standing import draw_weight, eligibility, profile_loading

REPLACE_REASONS = ("declared_conflict", "unavailable", "no_answer", "other")


@dataclass(frozen=True)
class PanelSpec:
    """The committee the procedure asks for: experts drawn, the tenderer's representatives, reserves."""

    members: int
    reserves: int = 2
    tenderer_representatives: int = 0
    # What the procedure allows for this tender (None: the draw rule's maximum).
    max_tenderer_representatives: int | None = None


@dataclass(frozen=True)
class DrawRequest:
    """Everything a draw needs from the tender, filled by the bidding/evaluation wiring."""

    tender_id: int
    parties: DrawParties
    panel: PanelSpec
    specialties: tuple[str, ...]
    district: str | None  # the project's district: experts must serve it
    evaluation_starts_at: datetime
    opened_at: datetime


@dataclass
class Verification:
    """What :func:`verify_draw` checked, each check named with its outcome."""

    checks: list[tuple[str, bool, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(ok for _name, ok, _detail in self.checks)

    def add(self, name: str, ok: bool, detail: str = "") -> None:
        self.checks.append((name, ok, detail))


def canonical(document: dict) -> str:
    """JSON in the publication's canonical form: keys sorted, no spaces, non-ASCII as it is."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def check_panel(spec: PanelSpec, at: datetime) -> None:
    """Refuse a committee the draw rule does not allow, naming the field to change."""
    rule = rule_at("draw", at)
    size = spec.members + spec.tenderer_representatives
    allowed_reps = rule.max_tenderer_representatives if spec.max_tenderer_representatives is None else min(
        spec.max_tenderer_representatives, rule.max_tenderer_representatives)
    if spec.members < 1 or size < rule.min_size:
        raise DomainError(_("The committee has at least %(num)d members.", num=rule.min_size), code="size",
                          field="members")
    if size % 2 == 0:
        raise DomainError(_("The committee has an odd number of members."), code="odd", field="members")
    if spec.tenderer_representatives < 0 or spec.tenderer_representatives > allowed_reps:
        raise DomainError(_("At most %(num)d representatives of the tenderer may sit on this committee.",
                            num=allowed_reps), code="representatives", field="tenderer_representatives")
    numerator, denominator = rule.expert_share
    if spec.members * denominator < size * numerator:
        raise DomainError(_("Experts make at least %(num)d/%(den)d of the committee.", num=numerator, den=denominator),
                          code="expert_share", field="tenderer_representatives")
    if spec.reserves < rule.min_reserves:
        raise DomainError(_("Draw at least %(num)d reserves.", num=rule.min_reserves), code="reserves",
                          field="reserves")


def _check_timing(request: DrawRequest, now: datetime) -> None:
    window = timedelta(hours=rule_at("draw", now).window_hours)
    if request.opened_at > now:
        raise DomainError(_("Experts are drawn after the bids are opened."), code="not_opened")
    if now > request.evaluation_starts_at:
        raise DomainError(_("The evaluation has started; it is too late to draw."), code="too_late")
    if now < request.evaluation_starts_at - window:
        raise DomainError(_("Experts are drawn at most %(hours)d hours before the evaluation.", hours=window // timedelta(hours=1)),
                          code="too_early")


def candidates_for(request: DrawRequest, at: datetime) -> tuple[list[tuple[ExpertProfile, int]], dict[str, int]]:
    """The experts who pass every filter, with their weights, and how many each filter left out."""
    city = bureau_for(None)
    profiles = db.session.scalars(
        sa.select(ExpertProfile).join(Membership, ExpertProfile.membership_id == Membership.id)
        .where(Membership.organisation_id == city.id, Membership.role == MemberRole.EXPERT, Membership.active)
        .order_by(ExpertProfile.id).options(*profile_loading())).unique().all()
    pool_rule = rule_at("pool", at)
    index = PartyIndex(request.parties)
    day = clock.shanghai_date(request.evaluation_starts_at)
    wanted = set(request.specialties)
    excluded = {"not_eligible": 0, "specialty": 0, "district": 0, "unavailable": 0, "conflict": 0}
    chosen = []
    for profile in profiles:
        if eligibility(profile, at, pool_rule):
            excluded["not_eligible"] += 1
        elif wanted and not wanted & set(profile.specialties):
            excluded["specialty"] += 1
        elif request.district and request.district not in profile.district_codes:
            excluded["district"] += 1
        elif not available_on(profile, day):
            excluded["unavailable"] += 1
        elif conflicts(profile, index, at, pool_rule):
            excluded["conflict"] += 1
        else:
            chosen.append((profile, draw_weight(profile, at, pool_rule)))
    return chosen, excluded


def prepare_draw(request: DrawRequest, *, actor) -> Draw:
    """Fix the candidate list, commit to a secret seed and publish both with the filters."""
    now = clock.now()
    check_panel(request.panel, now)
    _check_timing(request, now)
    open_draw = db.session.scalar(sa.select(Draw.id).where(Draw.tender_id == request.tender_id,
                                                           Draw.status == DrawStatus.PREPARED))
    if open_draw is not None:
        raise DomainError(_("A draw for this tender is prepared and not yet performed."), code="draw_open")
    declared = set(db.session.scalars(
        sa.select(DrawCandidate.membership_id).join(DrawSeat, DrawSeat.candidate_id == DrawCandidate.id)
        .join(Draw, Draw.id == DrawCandidate.draw_id)
        .where(Draw.tender_id == request.tender_id, DrawSeat.reason == DECLARED_CONFLICT)))
    if declared:
        parties = dataclasses.replace(request.parties, declared_conflicts=request.parties.declared_conflicts | declared)
        request = dataclasses.replace(request, parties=parties)
    chosen, excluded = candidates_for(request, now)
    seats = request.panel.members + request.panel.reserves
    if len(chosen) < seats:
        raise DomainError(_("Only %(found)d experts pass the filters; the committee and its reserves need %(seats)d.",
                            found=len(chosen), seats=seats), code="too_few_candidates", field="specialties")
    seed, salt = panel.new_seed(), panel.new_salt()
    draw = Draw(tender_id=request.tender_id, algorithm=panel.ALGORITHM, status=DrawStatus.PREPARED,
                commitment=panel.commitment(seed), seed=seed, salt=salt, publication="", publication_sha256="",
                members=request.panel.members, reserves=request.panel.reserves,
                tenderer_representatives=request.panel.tenderer_representatives,
                evaluation_date=clock.shanghai_date(request.evaluation_starts_at), prepared_at=now,
                prepared_by_id=actor.id if actor is not None else None)
    db.session.add(draw)
    draw.candidates = [DrawCandidate(membership_id=p.membership_id, pseudonym=panel.pseudonym(salt, p.membership_id),
                                     weight=w) for p, w in chosen]
    if len({c.pseudonym for c in draw.candidates}) != len(draw.candidates):
        raise DomainError(_("Two candidates drew the same pseudonym; prepare the draw again."), code="collision")
    db.session.flush()
    pool_rule = rule_at("pool", now)
    document = {
        "algorithm": panel.ALGORITHM, "draw": draw.id, "tender": draw.tender_id, "commitment": draw.commitment,
        "prepared_at": now.isoformat(), "members": draw.members, "reserves": draw.reserves,
        "filters": {"specialties": sorted(request.specialties), "district": request.district,
                    "available_on": draw.evaluation_date.isoformat(), "min_years": pool_rule.min_years,
                    "senior_titles": list(pool_rule.senior_titles), "conflict_years": pool_rule.conflict_years},
        "excluded": excluded,
        "candidates": [{"pseudonym": c.pseudonym, "weight": c.weight}
                       for c in sorted(draw.candidates, key=lambda c: c.pseudonym)],
    }
    draw.publication = canonical(document)
    draw.publication_sha256 = hashlib.sha256(draw.publication.encode("utf-8")).hexdigest()
    record_event("evaluation.draw_prepared", draw, actor=actor,
                 details={"tender": draw.tender_id, "commitment": draw.commitment,
                          "publication_sha256": draw.publication_sha256, "candidates": len(draw.candidates)})
    return draw


def published_candidates(draw: Draw) -> list[panel.Candidate]:
    """The candidate list as published before the draw."""
    return [panel.Candidate(c["pseudonym"], c["weight"]) for c in json.loads(draw.publication)["candidates"]]


def perform_draw(draw: Draw, data: dict, *, actor) -> Draw:
    """Reveal the seed, add the witness text and pick the members and the reserves."""
    if draw.status != DrawStatus.PREPARED:
        raise DomainError(_("This draw was already performed."), code="performed")
    witness = panel.normal_witness(data.get("witness") or "")
    if not witness or len(witness) > 200:
        raise DomainError(_("Enter the witness text read out at the draw (at most 200 characters)."),
                          code="witness", field="witness")
    outcome = panel.draw(published_candidates(draw), draw.seed, witness, draw.members, draw.reserves)
    by_name = {c.pseudonym: c for c in draw.candidates}
    picked = list(outcome.members) + list(outcome.reserves)
    draw.seats = [DrawSeat(position=n, candidate=by_name[name],
                           role=SeatRole.MEMBER if n <= draw.members else SeatRole.RESERVE)
                  for n, name in enumerate(picked, start=1)]
    draw.witness, draw.result = witness, picked
    draw.status, draw.performed_at = DrawStatus.PERFORMED, clock.now()
    draw.performed_by_id = actor.id if actor is not None else None
    db.session.flush()
    record_event("evaluation.draw_performed", draw, actor=actor,
                 details={"tender": draw.tender_id, "seed": draw.seed.hex(), "witness": witness, "result": picked})
    return draw


def public_record(draw: Draw) -> dict:
    """What anyone may read: the publication, and once performed the seed, the witness and the result."""
    record = {"publication": json.loads(draw.publication), "publication_sha256": draw.publication_sha256,
              "status": draw.status.value}
    if draw.status == DrawStatus.PERFORMED:
        record.update(seed=draw.seed.hex(), witness=draw.witness, performed_at=draw.performed_at.isoformat(),
                      members=draw.result[:draw.members], reserves=draw.result[draw.members:])
        record["replacements"] = [{"position": s.position, "reason": s.reason, "replaced_by": s.replaced_by.position}
                                  for s in draw.seats if s.replaced_by is not None]
    return record


def verify_draw(record: Draw) -> Verification:
    """Recompute the draw from its published data and check every link: publication, commitment, panel, pseudonyms."""
    report = Verification()
    digest = hashlib.sha256(record.publication.encode("utf-8")).hexdigest()
    report.add("publication", digest == record.publication_sha256, digest)
    document = json.loads(record.publication)
    report.add("commitment", document.get("commitment") == record.commitment == panel.commitment(record.seed),
               record.commitment)
    report.add("pseudonyms", all(hmac.compare_digest(c.pseudonym, panel.pseudonym(record.salt, c.membership_id))
                                 for c in record.candidates)
               and sorted(c.pseudonym for c in record.candidates) == [c["pseudonym"] for c in document["candidates"]],
               f"{len(record.candidates)} candidates")
    if record.status != DrawStatus.PERFORMED:
        return report
    try:
        outcome = panel.draw(published_candidates(record), record.seed, record.witness or "",
                             document["members"], document["reserves"])
    except panel.DrawDataError as exc:
        report.add("panel", False, str(exc))
        return report
    recomputed = list(outcome.members) + list(outcome.reserves)
    report.add("panel", recomputed == record.result, " ".join(recomputed))
    report.add("seats", [s.candidate.pseudonym for s in record.seats] == record.result, f"{len(record.seats)} seats")
    return report


def serving_seats(draw: Draw) -> list[DrawSeat]:
    """The committee's experts now, in draw order."""
    return [s for s in draw.seats if s.serving]


def replace_member(draw: Draw, declined: Membership, reason: str, *, actor, note: str | None = None) -> DrawSeat:
    """A member declines (a conflict declared when invited, unavailable, no answer): the next reserve takes the seat."""
    if draw.status != DrawStatus.PERFORMED:
        raise DomainError(_("The draw has not been performed yet."), code="not_performed")
    if reason not in REPLACE_REASONS:
        raise DomainError(_("Choose why the expert leaves the committee."), code="reason", field="reason")
    seat = next((s for s in serving_seats(draw) if s.candidate.membership_id == declined.id), None)
    if seat is None:
        raise DomainError(_("This expert does not sit on the committee."), code="not_member")
    reserve = next((s for s in draw.seats if s.role == SeatRole.RESERVE and s.status == SeatStatus.DRAWN), None)
    if reserve is None:
        raise DomainError(_("No reserve is left; draw again for the missing seats."), code="no_reserve")
    now = utcnow()
    seat.status, seat.reason, seat.note, seat.changed_at = SeatStatus.DECLINED, reason, (note or "")[:500] or None, now
    reserve.status, reserve.changed_at = SeatStatus.CALLED, now
    seat.replaced_by = reserve
    db.session.flush()
    record_event("evaluation.member_replaced", draw, actor=actor,
                 details={"tender": draw.tender_id, "declined_position": seat.position, "reason": reason,
                          "called_position": reserve.position})
    return reserve

