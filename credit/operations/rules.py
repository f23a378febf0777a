"""Grade thresholds and policy values, edited by the city bureau."""

from __future__ import annotations

import sqlalchemy as sa

from core.audit.operations import record_event
from core.db import DomainError, db
from credit.models import CreditPolicy, GradeRule
from credit.scoring import forget_reference_data
from credit.text import _


def set_grade(data: dict, *, actor) -> GradeRule:
    """Create or change a grade: its lowest score, whether it may bid, its credit factor (0 to 1.5)."""
    grade = (data.get("grade") or "").strip().upper()
    if not grade or len(grade) > 8:
        raise DomainError(_("A grade is a short label such as A."), code="grade", field="grade")
    factor = float(data["factor"])
    if not 0 <= factor <= 1.5:
        raise DomainError(_("The credit factor must be between 0 and 1.5."), code="factor", field="factor")
    rule = db.session.scalars(sa.select(GradeRule).where(GradeRule.grade == grade)).first() or GradeRule(grade=grade)
    rule.min_score, rule.may_bid, rule.factor_permille = int(data["min_score"]), bool(data["may_bid"]), round(factor * 1000)
    db.session.add(rule)
    db.session.flush()
    forget_reference_data()
    record_event("credit.grade_set", rule, actor=actor,
                 details={"grade": grade, "min_score": rule.min_score, "may_bid": rule.may_bid, "factor": factor})
    return rule


def set_policy(data: dict, *, actor) -> CreditPolicy:
    """Change the base score, the objection window or the correction check period (working days)."""
    policy = db.session.scalars(sa.select(CreditPolicy).limit(1)).first() or CreditPolicy()
    for key in ("base_score", "objection_working_days", "correction_check_working_days", "serious_record_lists_subject"):
        if data.get(key) is not None:
            setattr(policy, key, data[key])
    if policy.objection_working_days < 1 or policy.correction_check_working_days < 1:
        raise DomainError(_("Periods are at least one working day."), code="period")
    db.session.add(policy)
    db.session.flush()
    forget_reference_data()
    record_event("credit.policy_set", policy, actor=actor, details={k: str(v) for k, v in data.items() if v is not None})
    return policy
