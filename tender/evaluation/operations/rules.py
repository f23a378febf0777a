"""Reading and adding dated rule values (pool eligibility, panel make-up, flag thresholds)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from core import clock
from core.audit.operations import record_event
from core.db import DomainError, db
from tender.evaluation import rules
from tender.evaluation.models import EvaluationRule


def _rows(topic: str, at: datetime) -> list[EvaluationRule]:
    return list(db.session.scalars(
        sa.select(EvaluationRule).where(EvaluationRule.topic == topic, EvaluationRule.valid_from <= at)
        .order_by(EvaluationRule.valid_from)
    ))


def rule_at(topic: str, at: datetime | None = None):
    """The rule of ``topic`` in force at ``at`` (the business time when omitted)."""
    if topic not in rules.TOPICS:
        raise KeyError(topic)
    return rules.build(topic, [row.values for row in _rows(topic, at or clock.now())])


def rule_history(topic: str) -> list[EvaluationRule]:
    """Every dated row of a topic, newest first."""
    return list(db.session.scalars(
        sa.select(EvaluationRule).where(EvaluationRule.topic == topic).order_by(EvaluationRule.valid_from.desc())
    ))


def set_rule(topic: str, data: dict, *, actor) -> EvaluationRule:
    """Add values of a rule topic in force from ``data["valid_from"]`` (never in the past)."""
    if topic not in rules.TOPICS:
        raise DomainError(_("There is no such rule."), code="topic", field="topic")
    valid_from = data.get("valid_from")
    if valid_from is None or valid_from.tzinfo is None:
        raise DomainError(_("Give the instant the values take effect."), code="valid_from", field="valid_from")
    if valid_from < clock.now():
        raise DomainError(_("New values take effect now or later; the past stays as it was."),
                          code="valid_from_past", field="valid_from")
    note = (data.get("note") or "").strip()
    if not note:
        raise DomainError(_("Say why the values change (for example the notice that changed them)."),
                          code="note", field="note")
    values = data.get("values") or {}
    try:
        layers = [row.values for row in _rows(topic, valid_from)] + [values]
        rule = rules.build(topic, layers)
    except rules.RuleValueError as exc:
        raise DomainError(_("The value %(name)s is not right: %(problem)s.", name=exc.name, problem=str(exc)),
                          code="rule_value", field="values") from None
    _check_coherent(topic, rule)
    row = EvaluationRule(topic=topic, valid_from=valid_from, values=values, note=note[:500],
                         created_by_id=actor.id if actor is not None else None)
    db.session.add(row)
    db.session.flush()
    record_event("evaluation.rule_set", row, actor=actor,
                 details={"topic": topic, "valid_from": valid_from.isoformat(), "values": values})
    return row


def _check_coherent(topic: str, rule) -> None:
    if topic == "pool" and not set(rule.senior_titles) <= set(rules.TITLES):
        raise DomainError(_("Senior titles must be titles the pool knows."), code="titles", field="values")
    if topic == "draw" and (rule.min_size < 3 or rule.min_size % 2 == 0):
        raise DomainError(_("The smallest panel is an odd number of at least 3."), code="min_size", field="values")
