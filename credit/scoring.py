"""Scores, grades and eligibility at any instant.

Firm score (Shanghai 2012 scheme, Arts. 2-3): base score + the firm's own signed points (its
branches' records count against it) + Σ(project floor area × that project's manager's signed points
÷ the firm's total managed floor area). Only records in force at the instant count: published at or
before it, not yet expired, not corrected. Everything is derived from stored timestamps, so any past
instant (a tender's bid deadline) gives the answer the registry would have given then.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from core.db import db, utcnow
from credit import cache as public_cache
from credit.models import (
    ConductItem,
    ConductKind,
    CreditPolicy,
    CreditRecord,
    CreditSubject,
    GradeRule,
    ManagedProject,
    ProjectManager,
    Severity,
    SubjectKind,
)


@dataclass(frozen=True)
class Fact:
    """A published record reduced to what scoring needs."""

    record_id: int
    manager_id: int | None
    signed_points: int
    serious: bool
    start: datetime
    end: datetime | None

    def in_force(self, at: datetime) -> bool:
        return self.start <= at and (self.end is None or at < self.end)


@dataclass(frozen=True)
class Project:
    manager_id: int | None
    area: int
    start: datetime
    end: datetime | None

    def active(self, at: datetime) -> bool:
        return self.start <= at and (self.end is None or at < self.end)


@dataclass
class Standing:
    """A subject's credit at one instant."""

    at: datetime
    score: float
    grade: str | None
    listed: bool  # on the seriously-untrustworthy list
    own_points: int
    manager_points: float
    record_ids: list[int] = field(default_factory=list)

    @property
    def score_text(self) -> str:
        return f"{self.score:.2f}"


# Policy and grade rules change rarely (an administrator's edit); each process keeps them for a few
# seconds so a public page does not pay two extra queries. An edit shows everywhere within the TTL.
REFERENCE_TTL_SECONDS = 30
_reference: dict = {}


def _reference_data() -> tuple[CreditPolicy, list[GradeRule]]:
    now = time.monotonic()
    cached = _reference.get(db.engine.url)
    # An answer being stored for the public cache must be built from rules at least as new as its
    # publication version (an edit bumps it), not from another process's copy of up to 30 s ago.
    version = public_cache.request_version()
    if cached is None or now - cached[0] > REFERENCE_TTL_SECONDS or (version is not None and cached[3] != version):
        found = db.session.scalars(sa.select(CreditPolicy).limit(1)).first()
        policy_row = CreditPolicy(
            base_score=found.base_score if found else 100,
            objection_working_days=found.objection_working_days if found else 5,
            correction_check_working_days=found.correction_check_working_days if found else 5,
            serious_record_lists_subject=found.serious_record_lists_subject if found else True,
        )
        rules = [GradeRule(grade=r.grade, min_score=r.min_score, may_bid=r.may_bid, factor_permille=r.factor_permille)
                 for r in db.session.scalars(sa.select(GradeRule).order_by(GradeRule.min_score.desc()))]
        cached = (now, policy_row, rules, version)
        _reference[db.engine.url] = cached
    return cached[1], cached[2]


def forget_reference_data() -> None:
    """Drop the cached policy and grades (after an edit, and between tests)."""
    _reference.clear()


def policy() -> CreditPolicy:
    return _reference_data()[0]


def grade_rules() -> list[GradeRule]:
    return _reference_data()[1]


def grade_for(score: float) -> GradeRule | None:
    for rule in grade_rules():
        if score >= rule.min_score:
            return rule
    return None


def _end(published, expires, corrected):
    ends = [t for t in (expires, corrected) if t is not None]
    return min(ends) if ends else None


def _facts(where) -> list[Fact]:
    rows = db.session.execute(
        sa.select(
            CreditRecord.id,
            CreditRecord.manager_id,
            CreditRecord.points,
            CreditRecord.published_at,
            CreditRecord.expires_at,
            CreditRecord.corrected_at,
            ConductItem.points.label("item_points"),
            ConductItem.kind,
            ConductItem.severity,
        )
        .join(ConductItem, ConductItem.id == CreditRecord.item_id)
        .where(CreditRecord.published_at.is_not(None), where)
    ).all()
    facts = []
    for r in rows:
        magnitude = r.points if r.points is not None else r.item_points
        signed = -magnitude if r.kind == ConductKind.BAD else magnitude
        serious = r.kind == ConductKind.BAD and r.severity == Severity.SERIOUS
        facts.append(Fact(r.id, r.manager_id, signed, serious, r.published_at, _end(r.published_at, r.expires_at, r.corrected_at)))
    return facts


@dataclass
class FirmFacts:
    """Everything needed to score a firm at any instant, loaded with a few indexed queries."""

    own: list[Fact]
    projects: list[Project]
    manager_facts: dict[int, list[Fact]]

    @classmethod
    def load(cls, firm: CreditSubject, since: datetime | None = None) -> FirmFacts:
        firm_ids = sa.select(CreditSubject.id).where(sa.or_(CreditSubject.id == firm.id, CreditSubject.head_office_id == firm.id))
        own = _facts(sa.and_(CreditRecord.firm_id.in_(firm_ids), CreditRecord.subject_kind == SubjectKind.FIRM))
        window = sa.or_(ManagedProject.ended_at.is_(None), ManagedProject.ended_at > since) if since else sa.true()
        firm_projects = sa.and_(ManagedProject.firm_id.in_(firm_ids), window)
        project_rows = db.session.execute(
            sa.select(ManagedProject.manager_id, ManagedProject.floor_area_m2, ManagedProject.started_at, ManagedProject.ended_at)
            .where(firm_projects)
        ).all()
        projects = [Project(r.manager_id, r.floor_area_m2, r.started_at, r.ended_at) for r in project_rows]
        manager_facts: dict[int, list[Fact]] = defaultdict(list)
        if any(p.manager_id is not None for p in projects):
            managers = sa.select(ManagedProject.manager_id).where(firm_projects, ManagedProject.manager_id.is_not(None))
            for fact in _facts(sa.and_(CreditRecord.manager_id.in_(managers),
                                       CreditRecord.subject_kind == SubjectKind.PROJECT_MANAGER)):
                manager_facts[fact.manager_id].append(fact)
        return cls(own, projects, manager_facts)

    def standing(self, at: datetime) -> Standing:
        own = [f for f in self.own if f.in_force(at)]
        own_points = sum(f.signed_points for f in own)
        active = [p for p in self.projects if p.active(at)]
        total_area = sum(p.area for p in active)
        manager_points = 0.0
        if total_area:
            for p in active:
                if p.manager_id is None:
                    continue
                pm_points = sum(f.signed_points for f in self.manager_facts.get(p.manager_id, ()) if f.in_force(at))
                manager_points += p.area * pm_points / total_area
        score = round(policy().base_score + own_points + manager_points, 2)
        rule = grade_for(score)
        listed = policy().serious_record_lists_subject and any(f.serious for f in own)
        return Standing(at, score, rule.grade if rule else None, listed, own_points, round(manager_points, 2), [f.record_id for f in own])

    def breakpoints(self, since: datetime, until: datetime) -> list[datetime]:
        points = {since, until}
        facts = list(self.own) + [f for fs in self.manager_facts.values() for f in fs]
        for f in facts:
            points.update(t for t in (f.start, f.end) if t is not None)
        for p in self.projects:
            points.update(t for t in (p.start, p.end) if t is not None)
        return sorted(t for t in points if since <= t <= until)


def manager_standing(manager: ProjectManager, at: datetime, facts: list[Fact] | None = None) -> Standing:
    """A project manager's points total at ``at`` (records in force in their period)."""
    if facts is None:
        facts = _facts(sa.and_(CreditRecord.manager_id == manager.id, CreditRecord.subject_kind == SubjectKind.PROJECT_MANAGER))
    in_force = [f for f in facts if f.in_force(at)]
    points = sum(f.signed_points for f in in_force)
    listed = policy().serious_record_lists_subject and any(f.serious for f in in_force)
    return Standing(at, policy().base_score + points, None, listed, points, 0.0, [f.record_id for f in in_force])


def score_at(subject, instant: datetime | None = None) -> Standing:
    """The credit standing of a firm or project manager at ``instant`` (now by default)."""
    instant = instant or utcnow()
    if isinstance(subject, ProjectManager):
        return manager_standing(subject, instant)
    return FirmFacts.load(subject).standing(instant)


def history(firm: CreditSubject, years: int = 3, now: datetime | None = None) -> list[tuple[datetime, float]]:
    """The firm's score at each instant it changed over the last ``years`` years (for the chart)."""
    now = now or utcnow()
    since = now - timedelta(days=365 * years)
    facts = FirmFacts.load(firm, since=since)
    return [(t, facts.standing(t).score) for t in facts.breakpoints(since, now)]


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: list[str]
    standing: Standing


def _firm(firm) -> CreditSubject | None:
    """Accept a CreditSubject, or core's Organisation (kind firm) linked to one or sharing its USCC."""
    if isinstance(firm, CreditSubject):
        return firm
    subject = db.session.scalars(sa.select(CreditSubject).where(CreditSubject.organisation_id == firm.id)).first()
    if subject is None and getattr(firm, "uscc", None):
        subject = db.session.scalars(sa.select(CreditSubject).where(CreditSubject.uscc == firm.uscc)).first()
    return subject


def eligibility(firm, at: datetime) -> Eligibility:
    """May this firm bid at ``at``, and if not, why not (reason codes)."""
    subject = _firm(firm)
    if subject is None:
        # A firm with no credit file has no adverse record: it starts at the base score.
        base = float(policy().base_score)
        rule = grade_for(base)
        standing = Standing(at, base, rule.grade if rule else None, False, 0, 0.0)
    else:
        standing = FirmFacts.load(subject).standing(at)
    reasons = []
    if standing.listed:
        reasons.append("seriously_untrustworthy_list")
    rule = grade_for(standing.score)
    if rule is not None and not rule.may_bid:
        reasons.append(f"grade_{rule.grade}_may_not_bid")
    if rule is None and grade_rules():
        reasons.append("below_lowest_grade")
    return Eligibility(not reasons, reasons, standing)


def credit_factor(firm, at: datetime) -> float:
    """The multiplier a tender's credit criterion applies to this firm at ``at`` (0.0 to 1.0+)."""
    result = eligibility(firm, at)
    if result.standing.listed:
        return 0.0
    rule = grade_for(result.standing.score)
    return rule.factor_permille / 1000 if rule else 0.0
