"""Scores, grades, listings and eligibility at any instant.

Firm score (Shanghai 2012 scheme, Arts. 2-3): base score + the firm's own signed points (its
branches' records count against it) + Σ(project floor area × that project's manager's signed points
÷ the firm's total managed floor area). A tender agency's score is the base plus its own points.
Only records in force at the instant count (:func:`credit.models.records.in_force`). Everything is
derived from stored timestamps and dated rule rows, so any past instant (a tender's bid deadline)
gives the answer the registry would have given then.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from core import clock
from core.accounts.models import District
from core.db import db
from credit import rules
from credit.models import (
    CatalogueVersion,
    ConductItem,
    ConductKind,
    CreditRecord,
    CreditSubject,
    ManagedProject,
    ProjectManager,
    Severity,
    SubjectKind,
)
from credit.models.records import in_force, signed_points


@dataclass(frozen=True)
class Fact:
    """A published record reduced to what scoring and the public record need (no personal data)."""

    record_id: int
    subject_kind: str
    manager_id: int | None
    signed_points: int
    serious: bool
    published_at: datetime
    expires_at: datetime | None
    corrected_at: datetime | None
    item_code: str
    item_title_zh: str
    item_title_en: str
    item_basis: str | None
    item_is_example: bool
    severity: str
    catalogue_version: int
    occurred_on: date
    decision: str | None
    decision_no: str | None
    decided_at: datetime | None
    correction_from: datetime | None
    district_zh: str | None
    district_en: str | None

    @property
    def reference(self) -> str:
        return f"CR{self.record_id:08d}"

    @property
    def end(self) -> datetime | None:
        ends = [t for t in (self.expires_at, self.corrected_at) if t is not None]
        return min(ends) if ends else None

    def in_force(self, at: datetime) -> bool:
        return in_force(self.published_at, self.expires_at, self.corrected_at, at)


FACT_COLUMNS = (
    CreditRecord.id, CreditRecord.subject_kind, CreditRecord.manager_id, CreditRecord.points,
    CreditRecord.published_at, CreditRecord.expires_at, CreditRecord.corrected_at, CreditRecord.occurred_on,
    CreditRecord.decision, CreditRecord.decision_no, CreditRecord.decided_at, CreditRecord.correction_from,
    ConductItem.points.label("item_points"), ConductItem.kind, ConductItem.severity, ConductItem.code,
    ConductItem.title_zh, ConductItem.title_en, ConductItem.basis, ConductItem.is_example,
    CatalogueVersion.number, District.name_zh, District.name_en,
)


def load_facts(where) -> list[Fact]:
    """Published records matching ``where``, with their item, catalogue version and authority, in one query."""
    rows = db.session.execute(
        sa.select(*FACT_COLUMNS)
        .join(ConductItem, ConductItem.id == CreditRecord.item_id)
        .join(CatalogueVersion, CatalogueVersion.id == ConductItem.version_id)
        .outerjoin(District, District.code == CreditRecord.district_code)
        .where(CreditRecord.published_at.is_not(None), where)
        .order_by(CreditRecord.published_at.desc(), CreditRecord.id.desc())
    ).all()
    return [Fact(
        r.id, r.subject_kind.value, r.manager_id, signed_points(r.points, r.item_points, r.kind),
        r.kind == ConductKind.BAD and r.severity == Severity.SERIOUS, r.published_at, r.expires_at, r.corrected_at,
        r.code, r.title_zh, r.title_en, r.basis, r.is_example, r.severity.value, r.number, r.occurred_on,
        r.decision.value if r.decision else None, r.decision_no, r.decided_at, r.correction_from, r.name_zh, r.name_en,
    ) for r in rows]


@dataclass(frozen=True)
class Project:
    manager_id: int | None
    area: int
    start: datetime
    end: datetime | None

    def active(self, at: datetime) -> bool:
        return self.start <= at and (self.end is None or at < self.end)


@dataclass(frozen=True)
class Listing:
    """A place on the seriously-untrustworthy list (严重失信名单): since when, until when (if nothing
    else happens), and the serious records it rests on."""

    start: datetime
    end: datetime | None
    basis: tuple[Fact, ...]

    def as_dict(self) -> dict:
        """What a printed report keeps of the listing (no personal data)."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat() if self.end else None,
                "basis": [{"reference": f.reference, "item_code": f.item_code, "title_zh": f.item_title_zh,
                           "title_en": f.item_title_en, "basis": f.item_basis, "decision_no": f.decision_no}
                          for f in self.basis]}


def listing_of(facts: list[Fact], at: datetime) -> Listing | None:
    """The listing at ``at`` made by the serious records in force then, if the policy lists for them."""
    serious = [f for f in facts if f.serious and f.in_force(at)]
    if not serious or not rules.policy_at(at).serious_record_lists_subject:
        return None
    ends = [f.end for f in serious]
    return Listing(min(f.published_at for f in serious), None if None in ends else max(ends), tuple(serious))


@dataclass
class Standing:
    """A subject's credit at one instant."""

    at: datetime
    score: float
    grade: str | None
    listing: Listing | None  # on the seriously-untrustworthy list
    own_points: int
    manager_points: float
    may_bid: bool = True
    record_ids: list[int] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def listed(self) -> bool:
        return self.listing is not None

    @property
    def score_text(self) -> str:
        return f"{self.score:.2f}"


def make_standing(at: datetime, score: float, own: list[Fact], all_facts: list[Fact], manager_points: float = 0.0,
                  *, graded: bool = True) -> Standing:
    """Grade, listing and bidding rights of a score at ``at``: the one place that combines them."""
    score = round(score, 2)
    listing = listing_of(all_facts, at)
    rule = rules.grade_for(score, at, listed=listing is not None) if graded else None
    reasons = []
    if listing is not None:
        reasons.append("seriously_untrustworthy_list")
    if rule is not None and not rule.may_bid:
        reasons.append(f"grade_{rule.grade}_may_not_bid")
    if graded and rule is None and rules.scale_at(at):
        reasons.append("below_lowest_grade")
    return Standing(at, score, rule.grade if rule else None, listing, sum(f.signed_points for f in own),
                    round(manager_points, 2), not reasons, [f.record_id for f in own], reasons)


@dataclass
class FirmFacts:
    """Everything needed to score a firm (or agency) at any instant, loaded with a few indexed queries."""

    own: list[Fact]
    projects: list[Project]
    manager_facts: dict[int, list[Fact]]

    @classmethod
    def load(cls, firm: CreditSubject, since: datetime | None = None, extra_managers: list[int] = ()) -> FirmFacts:
        firm_ids = [firm.id] + [b.id for b in firm.branches]
        own = load_facts(sa.and_(CreditRecord.firm_id.in_(firm_ids), CreditRecord.subject_kind == firm.kind))
        projects = []
        if firm.kind == SubjectKind.FIRM:
            window = sa.or_(ManagedProject.ended_at.is_(None), ManagedProject.ended_at > since) if since else sa.true()
            projects = [Project(*row) for row in db.session.execute(
                sa.select(ManagedProject.manager_id, ManagedProject.floor_area_m2, ManagedProject.started_at,
                          ManagedProject.ended_at).where(ManagedProject.firm_id.in_(firm_ids), window))]
        managers = sorted({p.manager_id for p in projects if p.manager_id is not None} | set(extra_managers))
        manager_facts: dict[int, list[Fact]] = defaultdict(list)
        if managers:
            for fact in load_facts(sa.and_(CreditRecord.manager_id.in_(managers),
                                           CreditRecord.subject_kind == SubjectKind.PROJECT_MANAGER)):
                manager_facts[fact.manager_id].append(fact)
        return cls(own, projects, manager_facts)

    def manager_points(self, manager_id: int, at: datetime) -> int:
        return sum(f.signed_points for f in self.manager_facts.get(manager_id, ()) if f.in_force(at))

    def standing(self, at: datetime) -> Standing:
        own = [f for f in self.own if f.in_force(at)]
        active = [p for p in self.projects if p.active(at)]
        total_area = sum(p.area for p in active)
        weighted = 0.0
        if total_area:
            weighted = sum(p.area * self.manager_points(p.manager_id, at) / total_area
                           for p in active if p.manager_id is not None)
        base = rules.policy_at(at).base_score
        return make_standing(at, base + sum(f.signed_points for f in own) + weighted, own, self.own, weighted)

    def breakpoints(self, since: datetime, until: datetime) -> list[datetime]:
        points = {since, until}
        for f in list(self.own) + [f for fs in self.manager_facts.values() for f in fs]:
            points.update(t for t in (f.published_at, f.end) if t is not None)
        for p in self.projects:
            points.update(t for t in (p.start, p.end) if t is not None)
        return sorted(t for t in points if since <= t <= until)


def manager_facts(manager: ProjectManager) -> list[Fact]:
    return load_facts(sa.and_(CreditRecord.manager_id == manager.id,
                              CreditRecord.subject_kind == SubjectKind.PROJECT_MANAGER))


def manager_standing(manager: ProjectManager, at: datetime, facts: list[Fact] | None = None) -> Standing:
    """A project manager's points total at ``at`` (records in force in their period); managers have no grade."""
    facts = manager_facts(manager) if facts is None else facts
    own = [f for f in facts if f.in_force(at)]
    base = rules.policy_at(at).base_score
    return make_standing(at, base + sum(f.signed_points for f in own), own, facts, graded=False)


def score_at(subject, instant: datetime | None = None) -> Standing:
    """The credit standing of a firm, agency or project manager at ``instant`` (now by default)."""
    instant = instant or clock.now()
    if isinstance(subject, ProjectManager):
        return manager_standing(subject, instant)
    subject = as_subject(subject)
    if subject is None:
        return base_standing(instant)
    return FirmFacts.load(subject).standing(instant)


def base_standing(at: datetime) -> Standing:
    """The standing of an organisation with no credit file: no adverse record, the base score."""
    return make_standing(at, float(rules.policy_at(at).base_score), [], [])


def history(firm: CreditSubject, years: int = 3, now: datetime | None = None) -> list[tuple[datetime, float]]:
    """The firm's score at each instant it changed over the last ``years`` years (for the chart)."""
    now = now or clock.now()
    since = now - timedelta(days=365 * years)
    facts = FirmFacts.load(firm, since=since)
    return [(t, facts.standing(t).score) for t in facts.breakpoints(since, now)]


REASON_TEXTS = {
    "seriously_untrustworthy_list": lambda: _("The firm is on the list of seriously untrustworthy subjects, so it may "
                                              "not take part in tenders until the listing ends."),
    "below_lowest_grade": lambda: _("The firm's credit score is below the lowest credit grade, so it may not take part "
                                    "in tenders."),
}


def reason_text(code: str) -> str:
    """A refusal reason in plain words, in the reader's language."""
    if code in REASON_TEXTS:
        return REASON_TEXTS[code]()
    if code.startswith("grade_") and code.endswith("_may_not_bid"):
        return _("The firm's credit grade is %(grade)s, and firms of this grade may not take part in tenders.",
                 grade=code[len("grade_"):-len("_may_not_bid")])
    return code


@dataclass(frozen=True)
class Eligibility:
    """May a firm bid at an instant (reason codes when not), and its standing then."""

    eligible: bool
    reasons: list[str]
    standing: Standing

    @property
    def reason_texts(self) -> list[str]:
        """The reasons in plain words, for the page that refuses a firm's registration."""
        return [reason_text(code) for code in self.reasons]


def as_subject(org_or_subject) -> CreditSubject | None:
    """A CreditSubject as it is, or core's Organisation's credit subject (None when it has no file)."""
    if isinstance(org_or_subject, CreditSubject):
        return org_or_subject
    return CreditSubject.for_organisation(org_or_subject)


def eligibility(firm, at: datetime) -> Eligibility:
    """May this firm bid at ``at``, and if not, why not (reason codes)."""
    standing = score_at(firm, at)
    return Eligibility(standing.may_bid, list(standing.reasons), standing)


def credit_factor(firm, at: datetime) -> float:
    """The multiplier a tender's credit criterion applies to this firm at ``at`` (0.0 when listed)."""
    standing = score_at(firm, at)
    if standing.listed:
        return 0.0
    rule = rules.grade_for(standing.score, at)
    return rule.factor if rule else 0.0
