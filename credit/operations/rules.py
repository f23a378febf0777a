"""Grade thresholds and policy values, edited by the city bureau as dated rows.

An edit takes effect from an instant (now by default, or a later one) and never rewrites the past:
a score at an earlier instant keeps the values of that instant.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from core import clock
from core.audit.operations import record_event
from core.db import DomainError, db
from credit import rules
from credit.models import CreditPolicy, GradeRule


def _effective(data: dict) -> datetime:
    now = clock.now()
    valid_from = data.get("valid_from") or now
    if valid_from.tzinfo is None:
        raise DomainError(_("Give the date and time the change takes effect with its time zone."), code="valid_from",
                          field="valid_from")
    if valid_from < now:
        raise DomainError(_("A change takes effect now or later; the past keeps the values it had."),
                          code="valid_from_past", field="valid_from")
    return valid_from


def set_grade(data: dict, *, actor) -> GradeRule:
    """Create or change a grade from ``valid_from`` (now by default): its lowest score, whether it may bid,
    its credit factor (0 to 1.5). The rest of the scale in force then is carried over."""
    grade = (data.get("grade") or "").strip().upper()
    if not grade or len(grade) > 8:
        raise DomainError(_("A grade is a short label such as A."), code="grade", field="grade")
    factor = float(data["factor"])
    if not 0 <= factor <= 1.5:
        raise DomainError(_("The credit factor must be between 0 and 1.5."), code="factor", field="factor")
    valid_from = _effective(data)
    existing = {r.grade: r for r in db.session.scalars(sa.select(GradeRule).where(GradeRule.valid_from == valid_from))}
    if not existing:  # a new scale: a copy of the one in force then
        for rule in rules.scale_at(valid_from):
            existing[rule.grade] = GradeRule(valid_from=valid_from, grade=rule.grade, min_score=rule.min_score,
                                             may_bid=rule.may_bid, factor_permille=rule.factor_permille)
            db.session.add(existing[rule.grade])
    rule = existing.get(grade) or GradeRule(valid_from=valid_from, grade=grade)
    rule.min_score, rule.may_bid, rule.factor_permille = int(data["min_score"]), bool(data["may_bid"]), round(factor * 1000)
    db.session.add(rule)
    db.session.flush()
    rules.forget()
    record_event("credit.grade_set", rule, actor=actor,
                 details={"grade": grade, "min_score": rule.min_score, "may_bid": rule.may_bid, "factor": factor,
                          "valid_from": valid_from.isoformat()})
    return rule


POLICY_KEYS = ("base_score", "objection_working_days", "correction_check_working_days", "serious_record_lists_subject",
               "listed_grade_cap")


def set_policy(data: dict, *, actor) -> CreditPolicy:
    """Change the base score, the objection window, the correction check period (working days), whether
    a serious record lists the subject, or the listed grade cap, from ``valid_from`` (now by default)."""
    valid_from = _effective(data)
    current = rules.policy_at(valid_from)
    row = db.session.scalars(sa.select(CreditPolicy).where(CreditPolicy.valid_from == valid_from)).first()
    if row is None:
        row = CreditPolicy(valid_from=valid_from, **{k: getattr(current, k) for k in POLICY_KEYS})
    for key in POLICY_KEYS:
        if key in data and (data[key] is not None or key == "listed_grade_cap"):
            setattr(row, key, data[key])
    if row.objection_working_days < 1 or row.correction_check_working_days < 1:
        raise DomainError(_("Periods are at least one working day."), code="period")
    db.session.add(row)
    db.session.flush()
    rules.forget()
    record_event("credit.policy_set", row, actor=actor,
                 details={**{k: str(v) for k, v in data.items() if v is not None}, "valid_from": valid_from.isoformat()})
    return row
