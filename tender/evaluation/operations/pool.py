"""The expert's own profile: title, practice, districts, relations, unavailability and employer changes."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core import clock
from core.accounts import uscc
from core.accounts.models import District, MemberRole, Membership, Organisation, OrgKind
from core.audit.operations import record_event
from core.db import DomainError, db, utcnow
from core.messages import define, on
from tender.evaluation import rules
from tender.evaluation.models import (
    EmploymentStatus,
    ExpertDistrict,
    ExpertEmployment,
    ExpertProfile,
    ExpertRelation,
    ExpertUnavailability,
    Relationship,
)

# How far ahead an expert may mark days off, and the longest single stretch.
MAX_AHEAD_DAYS = 730
MAX_STRETCH_DAYS = 366

EMPLOYER_CONFIRMED = define("evaluation.employer_confirmed", _l("Your employer change is confirmed"),
                            _l("The city bureau confirmed %(employer)s as your employer from %(day)s."))
EMPLOYER_REJECTED = define("evaluation.employer_rejected", _l("Your employer change was not confirmed"),
                           _l("The city bureau did not confirm %(employer)s as your employer: %(note)s"))


def _expert_membership(membership: Membership) -> None:
    if membership.role != MemberRole.EXPERT or membership.organisation.kind != OrgKind.CITY_BUREAU:
        raise DomainError(_("Only evaluation experts of the city pool have a profile."), code="not_expert")


def profile_for(membership: Membership) -> ExpertProfile | None:
    """The profile of an expert membership, if it has one yet."""
    return db.session.scalar(sa.select(ExpertProfile).where(ExpertProfile.membership_id == membership.id))


def _profile(membership: Membership) -> ExpertProfile:
    _expert_membership(membership)
    profile = profile_for(membership)
    if profile is None:
        profile = ExpertProfile(membership_id=membership.id, other_specialties=[])
        profile.membership = membership
        db.session.add(profile)
        db.session.flush()
    return profile


def _text(data: dict, key: str, limit: int) -> str | None:
    value = " ".join((data.get(key) or "").split())
    return value[:limit] or None


def _check_uscc(code: str | None, field: str) -> str | None:
    if not code:
        return None
    code = uscc.normalise(code)
    # Early codes may fail the check character (credit admits them by hand); the shape must hold.
    if uscc.problem(code) not in (None, "check_character"):
        raise DomainError(_("A unified social credit code has 18 letters and digits."), code="uscc", field=field)
    return code


def update_profile(membership: Membership, data: dict, *, actor) -> ExpertProfile:
    """Change the expert's title, years of practice, districts served, further specialties and note."""
    from core.accounts.forms import SPECIALTIES

    profile = _profile(membership)
    title = data.get("title") or None
    if title is not None and title not in rules.TITLES:
        raise DomainError(_("Choose a title from the list."), code="title", field="title")
    since = data.get("practice_since")
    if since is not None and since > clock.today():
        raise DomainError(_("Practice cannot start in the future."), code="practice_since", field="practice_since")
    codes = sorted(set(data.get("districts") or ()))
    known = set(db.session.scalars(sa.select(District.code)))
    if not set(codes) <= known:
        raise DomainError(_("Choose districts from the list."), code="districts", field="districts")
    others = [s for s in dict.fromkeys(data.get("other_specialties") or ()) if s != membership.specialty]
    if not set(others) <= set(SPECIALTIES):
        raise DomainError(_("Choose specialties from the list."), code="specialties", field="other_specialties")
    profile.title, profile.practice_since = title, since
    profile.title_certificate = _text(data, "title_certificate", 64)
    profile.note = _text(data, "note", 1000)
    profile.other_specialties = others
    current = {d.district_code: d for d in profile.districts}
    profile.districts = [current.get(c) or ExpertDistrict(district_code=c) for c in codes]
    db.session.flush()
    record_event("expert.profile_updated", profile, actor=actor,
                 details={"title": title, "practice_since": since.isoformat() if since else None,
                          "districts": codes, "other_specialties": others})
    return profile


def declare_relation(membership: Membership, data: dict, *, actor) -> ExpertRelation:
    """Declare a relation: a named person at an organisation (a relative at a firm, for example)."""
    profile = _profile(membership)
    person = _text(data, "person_name", 100)
    organisation = _text(data, "organisation_name", 200)
    if not person:
        raise DomainError(_("Give the person's name."), code="person_name", field="person_name")
    if not organisation:
        raise DomainError(_("Give the organisation's name."), code="organisation_name", field="organisation_name")
    try:
        kind = Relationship(data.get("relationship_kind"))
    except ValueError:
        raise DomainError(_("Choose how you are related."), code="relationship", field="relationship_kind") from None
    relation = ExpertRelation(profile=profile, person_name=person, relationship_kind=kind,
                              organisation_name=organisation, person_role=_text(data, "person_role", 100),
                              organisation_uscc=_check_uscc(data.get("organisation_uscc"), "organisation_uscc"),
                              declared_at=utcnow())
    db.session.add(relation)
    db.session.flush()
    record_event("expert.relation_declared", relation, actor=actor,
                 data={"person": person, "organisation": organisation, "uscc": relation.organisation_uscc},
                 details={"profile": profile.id, "relationship": kind.value})
    return relation


def withdraw_relation(relation: ExpertRelation, *, actor) -> ExpertRelation:
    """Withdraw a declared relation that no longer holds (kept in the history)."""
    if relation.withdrawn_at is not None:
        raise DomainError(_("This relation was already withdrawn."), code="withdrawn")
    relation.withdrawn_at = utcnow()
    record_event("expert.relation_withdrawn", relation, actor=actor, details={"profile": relation.profile_id})
    return relation


def mark_unavailable(membership: Membership, data: dict, *, actor) -> ExpertUnavailability:
    """Mark days (both ends included) on which the expert cannot evaluate."""
    profile = _profile(membership)
    starts, ends = data.get("starts_on"), data.get("ends_on")
    today = clock.today()
    if starts is None:
        raise DomainError(_("Give the first day."), code="starts_on", field="starts_on")
    ends = ends or starts
    if ends < starts:
        raise DomainError(_("The last day is on or after the first day."), code="ends_on", field="ends_on")
    if ends < today:
        raise DomainError(_("These days are past."), code="past", field="ends_on")
    if starts > today + timedelta(days=MAX_AHEAD_DAYS):
        raise DomainError(_("Mark days at most two years ahead."), code="too_far", field="starts_on")
    if (ends - starts).days + 1 > MAX_STRETCH_DAYS:
        raise DomainError(_("One stretch is at most a year; add another for more."), code="too_long", field="ends_on")
    absence = ExpertUnavailability(profile=profile, starts_on=starts, ends_on=ends, reason=_text(data, "reason", 200))
    db.session.add(absence)
    db.session.flush()
    record_event("expert.unavailable_marked", absence, actor=actor,
                 details={"profile": profile.id, "from": starts.isoformat(), "to": ends.isoformat()})
    return absence


def remove_unavailability(absence: ExpertUnavailability, *, actor) -> None:
    """Take back days marked unavailable (only days not yet past)."""
    if absence.ends_on < clock.today():
        raise DomainError(_("Past days stay in the record."), code="past")
    record_event("expert.unavailable_removed", absence, actor=actor,
                 details={"profile": absence.profile_id, "from": absence.starts_on.isoformat(),
                          "to": absence.ends_on.isoformat()})
    db.session.delete(absence)
    db.session.flush()


def available_on(profile: ExpertProfile, day: date) -> bool:
    """Whether no marked stretch covers ``day``."""
    return not any(a.starts_on <= day <= a.ends_on for a in profile.absences)


def _employer(data: dict) -> tuple[str, str | None, Organisation | None]:
    name = _text(data, "employer_name", 200)
    if not name:
        raise DomainError(_("Give the employer's name."), code="employer_name", field="employer_name")
    code = _check_uscc(data.get("employer_uscc"), "employer_uscc")
    org = db.session.scalar(sa.select(Organisation).where(Organisation.uscc == code)) if code else None
    return name, code, org


def propose_employer_change(membership: Membership, data: dict, *, actor) -> ExpertEmployment:
    """Propose a new employer from a date; it counts once the city bureau confirms it."""
    profile = _profile(membership)
    if profile.pending_employment() is not None:
        raise DomainError(_("A change of employer is already waiting for the city bureau."), code="pending")
    name, code, org = _employer(data)
    starts = data.get("started_on")
    if starts is None:
        raise DomainError(_("Give the day you start there."), code="started_on", field="started_on")
    current = profile.current_employment()
    if current is not None and starts <= current.started_on:
        raise DomainError(_("The new employment starts after the current one started."), code="started_on",
                          field="started_on")
    employment = ExpertEmployment(profile=profile, employer_name=name, employer_uscc=code, employer=org,
                                  position=_text(data, "position", 100), started_on=starts,
                                  status=EmploymentStatus.PROPOSED)
    db.session.add(employment)
    db.session.flush()
    record_event("expert.employer_proposed", employment, actor=actor, data={"employer": name, "uscc": code},
                 details={"profile": profile.id, "started_on": starts.isoformat()})
    return employment


def record_employment(profile: ExpertProfile, data: dict, *, actor) -> ExpertEmployment:
    """The city bureau enters an employment it has checked (past or current), confirmed at once."""
    name, code, org = _employer(data)
    starts, ends = data.get("started_on"), data.get("ended_on")
    if starts is None:
        raise DomainError(_("Give the day the employment started."), code="started_on", field="started_on")
    if ends is not None and ends < starts:
        raise DomainError(_("The employment ends after it starts."), code="ended_on", field="ended_on")
    if ends is None and profile.current_employment() is not None:
        raise DomainError(_("The expert has a current employer; give an end date or confirm a change."),
                          code="current", field="ended_on")
    employment = ExpertEmployment(profile=profile, employer_name=name, employer_uscc=code, employer=org,
                                  position=_text(data, "position", 100), started_on=starts, ended_on=ends,
                                  status=EmploymentStatus.CONFIRMED, decided_at=utcnow(),
                                  decided_by_id=actor.id if actor is not None else None)
    db.session.add(employment)
    db.session.flush()
    record_event("expert.employment_recorded", employment, actor=actor, data={"employer": name, "uscc": code},
                 details={"profile": profile.id, "started_on": starts.isoformat(),
                          "ended_on": ends.isoformat() if ends else None})
    return employment


def decide_employer_change(employment: ExpertEmployment, data: dict, *, actor) -> ExpertEmployment:
    """The city bureau confirms a proposed employer (the previous one ends the day before) or rejects it."""
    from core.jobs.operations import tell

    if employment.status != EmploymentStatus.PROPOSED:
        raise DomainError(_("This change was already decided."), code="decided")
    note = _text(data, "note", 500)
    confirm = bool(data.get("confirm"))
    if not confirm and not note:
        raise DomainError(_("Say why the change is not confirmed; the expert reads it."), code="note", field="note")
    profile = employment.profile
    if confirm:
        current = profile.current_employment()
        if current is not None:
            current.ended_on = employment.started_on - timedelta(days=1)
        employment.status = EmploymentStatus.CONFIRMED
    else:
        employment.status = EmploymentStatus.REJECTED
    employment.decided_at, employment.decision_note = utcnow(), note
    employment.decided_by_id = actor.id if actor is not None else None
    db.session.flush()
    record_event("expert.employer_decided", employment, actor=actor,
                 details={"profile": profile.id, "confirmed": confirm})
    expert = profile.membership.user
    if confirm:
        tell(expert, EMPLOYER_CONFIRMED, {"employer": employment.employer_name, "day": on(employment.started_on)})
    else:
        tell(expert, EMPLOYER_REJECTED, {"employer": employment.employer_name, "note": note})
    return employment


def profile_actions(profile: ExpertProfile | None, today: date) -> set[str]:
    """What the expert may do on their profile page now."""
    actions = {"edit", "declare_relation", "mark_unavailable"}
    if profile is None or profile.pending_employment() is None:
        actions.add("propose_employer")
    if profile is not None:
        actions |= {f"withdraw_relation:{r.id}" for r in profile.relations if r.active}
        actions |= {f"remove_unavailability:{a.id}" for a in profile.absences if a.ends_on >= today}
    return actions
