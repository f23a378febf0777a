"""An expert's standing in the pool: eligibility under the dated pool rule, conduct history and the
draw weight it gives, and the city bureau's list of the pool."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload
from flask_babel import gettext as _

from core import clock
from core.accounts.models import MemberRole, Membership, OrgKind, User
from core.audit.operations import record_event
from core.db import DomainError, db, utcnow
from tender.evaluation import rules
from tender.evaluation.models import EmploymentStatus, ExpertConduct, ExpertEmployment, ExpertProfile
from tender.evaluation.operations.rules import rule_at
from tender.tenders.models import Tender

# Reasons an expert is not eligible for the pool (shown on the pool page and used by the draw).
NOT_ELIGIBLE = ("no_profile", "inactive", "no_title", "title_not_senior", "too_few_years", "no_districts")


def years_of_practice(profile: ExpertProfile, on: date) -> int:
    """Whole years from the start of practice to ``on``."""
    since = profile.practice_since
    if since is None or on < since:
        return 0
    years = on.year - since.year
    return years - 1 if (on.month, on.day) < (since.month, since.day) else years


def eligibility(profile: ExpertProfile | None, at: datetime, rule: rules.PoolRule | None = None) -> list[str]:
    """Why the expert may not be drawn at ``at`` under the pool rule then in force (empty: eligible)."""
    if profile is None:
        return ["no_profile"]
    rule = rule or rule_at("pool", at)
    reasons = []
    membership = profile.membership
    if not (membership.active and membership.user.active):
        reasons.append("inactive")
    if not profile.title:
        reasons.append("no_title")
    elif profile.title not in rule.senior_titles:
        reasons.append("title_not_senior")
    if years_of_practice(profile, clock.shanghai_date(at)) < rule.min_years:
        reasons.append("too_few_years")
    if not profile.districts:
        reasons.append("no_districts")
    return reasons


def counting_conduct(profile: ExpertProfile, at: datetime, rule: rules.PoolRule) -> list[ExpertConduct]:
    """Conduct records that still lower the weight at ``at`` (dated within the rule's years, not after ``at``)."""
    day = clock.shanghai_date(at)
    since = _years_before(day, rule.conduct_years)
    return [c for c in profile.conduct if since < c.occurred_on <= day]


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def draw_weight(profile: ExpertProfile, at: datetime, rule: rules.PoolRule | None = None) -> int:
    """The draw weight in thousandths: 1000 less every counting record's effect, never below the rule's floor."""
    rule = rule or rule_at("pool", at)
    taken = sum(c.weight_effect for c in counting_conduct(profile, at, rule))
    return max(rule.min_weight, min(1000, 1000 - taken))


def misconduct_penalty(profile: ExpertProfile, at: datetime, rule: rules.PoolRule) -> ExpertConduct | None:
    """A penalty for evaluation misconduct that excludes the expert at ``at``."""
    day = clock.shanghai_date(at)
    since = _years_before(day, rule.misconduct_years)
    return next((c for c in profile.conduct if c.kind == "evaluation_misconduct" and since < c.occurred_on <= day), None)


def record_expert_conduct(expert: ExpertProfile, data: dict, *, actor) -> ExpertConduct:
    """Enter a conduct record (late locking, absence after accepting, an upheld scoring flag, misconduct)."""
    kind = data.get("kind")
    if kind not in rules.CONDUCT_KINDS:
        raise DomainError(_("Choose what happened."), code="kind", field="kind")
    occurred = data.get("occurred_on")
    if occurred is None:
        raise DomainError(_("Give the day it happened."), code="occurred_on", field="occurred_on")
    if occurred > clock.today():
        raise DomainError(_("The day cannot be in the future."), code="occurred_on", field="occurred_on")
    note = " ".join((data.get("note") or "").split())[:1000]
    if not note:
        raise DomainError(_("Describe what happened; the expert reads it."), code="note", field="note")
    effect = data.get("weight_effect")
    if effect is None:
        effect = rule_at("pool").conduct_effects.get(kind, 0)
    if not isinstance(effect, int) or not 0 <= effect <= 1000:
        raise DomainError(_("The effect on the draw weight is between 0 and 1000 thousandths."),
                          code="weight_effect", field="weight_effect")
    tender_id = data.get("tender_id")
    if tender_id is not None and db.session.get(Tender, tender_id) is None:
        raise DomainError(_("There is no tender with this number."), code="tender_id", field="tender_id")
    entry = ExpertConduct(profile=expert, kind=kind, occurred_on=occurred, note=note, weight_effect=effect,
                          tender_id=tender_id, recorded_by_id=actor.id if actor is not None else None,
                          created_at=utcnow())
    db.session.add(entry)
    db.session.flush()
    record_event("expert.conduct_recorded", entry, actor=actor, data={"note": note},
                 details={"profile": expert.id, "kind": kind, "weight_effect": effect, "tender": entry.tender_id})
    return entry


def pool_query(city_bureau_id: int, *, specialty: str | None = None, pending_only: bool = False):
    """The experts of the city pool (with or without a profile), by name."""
    query = (sa.select(Membership).join(User, Membership.user_id == User.id)
             .where(Membership.organisation_id == city_bureau_id, Membership.role == MemberRole.EXPERT,
                    Membership.active)
             .order_by(User.name, Membership.id))
    if specialty:
        query = query.where(Membership.specialty == specialty)
    if pending_only:
        query = query.where(Membership.id.in_(
            sa.select(ExpertProfile.membership_id).join(ExpertEmployment)
            .where(ExpertEmployment.status == EmploymentStatus.PROPOSED)))
    return query


def pool_counts(city_bureau_id: int, at: datetime) -> dict:
    """How many experts the pool holds, how many are eligible now, and how many changes wait."""
    members = list(db.session.scalars(pool_query(city_bureau_id)))
    profiles = profiles_by_membership([m.id for m in members])
    rule = rule_at("pool", at)
    eligible = sum(1 for m in members if not eligibility(profiles.get(m.id), at, rule))
    pending = db.session.scalar(
        sa.select(sa.func.count(ExpertEmployment.id)).join(ExpertProfile)
        .join(Membership, ExpertProfile.membership_id == Membership.id)
        .where(Membership.organisation_id == city_bureau_id, ExpertEmployment.status == EmploymentStatus.PROPOSED))
    return {"experts": len(members), "eligible": eligible, "pending_changes": pending or 0}


def profiles_by_membership(membership_ids: list[int]) -> dict[int, ExpertProfile]:
    """The profiles of these expert memberships, with what the pool page reads, by membership id."""
    if not membership_ids:
        return {}
    rows = db.session.scalars(sa.select(ExpertProfile).where(ExpertProfile.membership_id.in_(membership_ids))
                              .options(*profile_loading()))
    return {p.membership_id: p for p in rows}


def profile_loading() -> tuple:
    """Load options for reading many profiles at once (the pool page, the draw's filters)."""
    return (joinedload(ExpertProfile.membership).joinedload(Membership.user),
            selectinload(ExpertProfile.districts), selectinload(ExpertProfile.employments),
            selectinload(ExpertProfile.relations), selectinload(ExpertProfile.absences),
            selectinload(ExpertProfile.conduct))


def bureau_actions(profile: ExpertProfile | None, membership: Membership) -> set[str]:
    """What the city bureau may do on an expert's page now."""
    if membership.organisation.kind != OrgKind.CITY_BUREAU or membership.role == MemberRole.EXPERT:
        return set()
    if profile is None:
        return set()
    actions = {"record_conduct", "record_employment"}
    pending = profile.pending_employment()
    if pending is not None:
        actions |= {f"decide_employment:{pending.id}"}
    return actions


def recent_window(at: datetime, years: int) -> date:
    """The first day still inside a window of ``years`` ending on the Shanghai date of ``at``."""
    return _years_before(clock.shanghai_date(at), years) + timedelta(days=1)
