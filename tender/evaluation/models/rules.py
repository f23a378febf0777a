"""Dated rule rows of the evaluation stage (see :mod:`tender.evaluation.rules`)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db import db, utcnow


class EvaluationRule(db.Model):
    """Values of one rule topic (pool, draw, flags) in force from ``valid_from`` (规则参数，按生效时间)."""

    __tablename__ = "evaluation_rule"
    __table_args__ = (sa.UniqueConstraint("topic", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(sa.String(16))
    valid_from: Mapped[datetime] = mapped_column(index=True)
    # Only the values this row changes; the rest come from the row in force before it.
    values: Mapped[dict] = mapped_column(sa.JSON)
    note: Mapped[str] = mapped_column(sa.String(500))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
