"""Scoring policy and grade thresholds (信用评价规则), edited by the city bureau.

Both are dated: a row holds from its ``valid_from`` until a later row replaces it, so a score asked
for at a past instant (a tender's bid deadline) uses the values in force then, and every process
reads the same rows (nothing is kept in process memory).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TimestampMixin, db


class CreditPolicy(TimestampMixin, db.Model):
    """The registry's rule values in force from ``valid_from`` until the next row."""

    __tablename__ = "credit_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    valid_from: Mapped[datetime] = mapped_column(unique=True)
    base_score: Mapped[int] = mapped_column(default=100)
    objection_working_days: Mapped[int] = mapped_column(default=5)
    correction_check_working_days: Mapped[int] = mapped_column(default=5)
    # A published serious record puts the firm on the seriously-untrustworthy list (严重失信名单).
    serious_record_lists_subject: Mapped[bool] = mapped_column(default=True)
    # The best grade a listed subject can show (None: a listing leaves the grade as scored). A
    # listed firm may not bid, so the default cap is the grade that may not bid either.
    listed_grade_cap: Mapped[str | None] = mapped_column(sa.String(8))


class GradeRule(TimestampMixin, db.Model):
    """One grade (A/B/C/D) of the grade scale in force from ``valid_from``: its lowest score, whether
    it may bid, and its credit factor. The rows sharing the latest ``valid_from`` at an instant are
    the whole scale then."""

    __tablename__ = "credit_grade_rule"
    __table_args__ = (sa.UniqueConstraint("valid_from", "grade"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    valid_from: Mapped[datetime] = mapped_column(index=True)
    grade: Mapped[str] = mapped_column(sa.String(8))
    min_score: Mapped[int]
    may_bid: Mapped[bool] = mapped_column(default=True)
    # Credit factor used in tender scoring, in thousandths (1000 = 1.0).
    factor_permille: Mapped[int] = mapped_column(default=1000)
