"""The evaluation report: drafting it from the aggregated scores, signing, and reading it later (award)."""

from __future__ import annotations

import sqlalchemy as sa

from core.db import db
from tender.evaluation.models import EvaluationReport, ReportState


def signed_report(tender) -> EvaluationReport | None:
    """The tender's report once every expert has signed it, else None."""
    return db.session.scalar(sa.select(EvaluationReport).where(EvaluationReport.tender_id == tender.id,
                                                               EvaluationReport.state == ReportState.SIGNED))

