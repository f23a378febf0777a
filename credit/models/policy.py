"""Scoring policy and grade thresholds, edited by the city bureau."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TimestampMixin, db


class CreditPolicy(TimestampMixin, db.Model):
    """The registry's rule values (a single row)."""

    __tablename__ = "credit_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    base_score: Mapped[int] = mapped_column(default=100)
    objection_working_days: Mapped[int] = mapped_column(default=5)
    correction_check_working_days: Mapped[int] = mapped_column(default=5)
    # A published serious record puts the firm on the seriously-untrustworthy list (严重失信名单).
    serious_record_lists_subject: Mapped[bool] = mapped_column(default=True)


class GradeRule(TimestampMixin, db.Model):
    """A grade (A/B/C/D) and the lowest score that earns it; whether it may bid and its credit factor."""

    __tablename__ = "credit_grade_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    grade: Mapped[str] = mapped_column(sa.String(8), unique=True)
    min_score: Mapped[int]
    may_bid: Mapped[bool] = mapped_column(default=True)
    # Credit factor used in tender scoring, in thousandths (1000 = 1.0).
    factor_permille: Mapped[int] = mapped_column(default=1000)
