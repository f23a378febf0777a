"""Rule values at an instant: the credit policy and the grade scale in force then.

Both are dated rows (``valid_from``), read from the database for each question (a request reads
them once), so a score at a tender's bid deadline uses the thresholds of that deadline and every
instance of the application agrees. Nothing is kept in process memory.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa
from flask import g, has_request_context

from core.db import db
from credit.models import CreditPolicy, GradeRule

_SLOT = "_credit_rules"
REGISTRY_START = datetime(2000, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Policy:
    valid_from: datetime
    base_score: int = 100
    objection_working_days: int = 5
    correction_check_working_days: int = 5
    serious_record_lists_subject: bool = True
    listed_grade_cap: str | None = "D"


@dataclass(frozen=True)
class Grade:
    grade: str
    min_score: int
    may_bid: bool
    factor_permille: int

    @property
    def factor(self) -> float:
        return self.factor_permille / 1000


DEFAULT_POLICY = Policy(REGISTRY_START)
POLICY_FIELDS = ("base_score", "objection_working_days", "correction_check_working_days", "serious_record_lists_subject",
                 "listed_grade_cap")


@dataclass(frozen=True)
class RuleBook:
    """Every dated policy row and grade scale, in order of ``valid_from``."""

    policy_starts: list[datetime]
    policies: list[Policy]
    scale_starts: list[datetime]
    scales: list[list[Grade]]

    def policy_at(self, at: datetime) -> Policy:
        i = bisect_right(self.policy_starts, at)
        return self.policies[i - 1] if i else DEFAULT_POLICY

    def scale_at(self, at: datetime) -> list[Grade]:
        i = bisect_right(self.scale_starts, at)
        return self.scales[i - 1] if i else []


# Plain rows, not ORM objects: every public answer reads them, and they are a handful.
POLICIES = sa.select(CreditPolicy.valid_from, *[getattr(CreditPolicy, f) for f in POLICY_FIELDS]).order_by(
    CreditPolicy.valid_from)
GRADES = sa.select(GradeRule.valid_from, GradeRule.grade, GradeRule.min_score, GradeRule.may_bid,
                   GradeRule.factor_permille).order_by(GradeRule.valid_from, GradeRule.min_score.desc())


def _load() -> RuleBook:
    policies = [Policy(*row) for row in db.session.execute(POLICIES)]
    scales: dict[datetime, list[Grade]] = {}
    for valid_from, *grade in db.session.execute(GRADES):
        scales.setdefault(valid_from, []).append(Grade(*grade))
    return RuleBook([p.valid_from for p in policies], policies, list(scales), list(scales.values()))


def rulebook() -> RuleBook:
    """The dated rules, read once per request (outside a request, on every call)."""
    if not has_request_context():
        return _load()
    book = g.get(_SLOT)
    if book is None:
        book = g._credit_rules = _load()
    return book


def forget() -> None:
    """Drop this request's copy after the rules were changed in it."""
    if has_request_context():
        g.pop(_SLOT, None)


def policy_at(at: datetime) -> Policy:
    """The policy in force at ``at``."""
    return rulebook().policy_at(at)


def scale_at(at: datetime) -> list[Grade]:
    """The grade scale in force at ``at``, best grade first."""
    return rulebook().scale_at(at)


def grade_for(score: float, at: datetime, *, listed: bool = False) -> Grade | None:
    """The grade a score earns at ``at``; a listed subject gets at best the policy's cap."""
    scale = scale_at(at)
    earned = next((rule for rule in scale if score >= rule.min_score), None)
    cap_name = policy_at(at).listed_grade_cap if listed else None
    cap = next((rule for rule in scale if rule.grade == cap_name), None)
    if cap is not None and earned is not None and earned.min_score > cap.min_score:
        return cap
    return earned
