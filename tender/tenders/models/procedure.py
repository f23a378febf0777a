"""Procedure values (招标程序规则) as dated rows, and the reference list of service standards.

A row holds the values that changed on its ``valid_from``: a city-wide row (no district) sets the
rules for every district, and the city bureau may add a row for one district that overrides some
of them from a date. A question about an instant takes, for each rule, the value of the newest row
in force then (district before city), and the code's defaults where no row names it. A tender keeps
the values in force when it was submitted for filing (``Tender.procedure_values``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from core.db import db, utcnow


@dataclass(frozen=True)
class RuleSpec:
    """One rule value: its key, default (national rules and Shanghai practice), bounds and label."""

    key: str
    default: int
    minimum: int
    maximum: int
    label: object
    unit: object = ""


DAYS, WORKING_DAYS, POINTS = _l("days"), _l("working days"), _l("points")

RULES: tuple[RuleSpec, ...] = (
    RuleSpec("filing_days_before_notice", 10, 0, 60, _l("Filing with the district bureau before the notice, at least"), DAYS),
    RuleSpec("filing_review_working_days", 5, 1, 30, _l("The bureau decides a filing within"), WORKING_DAYS),
    RuleSpec("documents_to_deadline_days", 20, 1, 90, _l("From the documents' issue to the bid deadline, at least"), DAYS),
    RuleSpec("documents_available_working_days", 5, 1, 30, _l("Tender documents available for at least"), WORKING_DAYS),
    RuleSpec("clarification_days_before_deadline", 15, 0, 60,
             _l("Clarifications and amendments before the deadline, at least (else the deadline moves)"), DAYS),
    RuleSpec("reminder_days_before_deadline", 3, 0, 30, _l("Registered firms are reminded before the deadline"), DAYS),
    RuleSpec("min_valid_bids", 3, 1, 10, _l("Valid bids needed to open, at least")),
    RuleSpec("opening_quorum_minutes", 60, 10, 1440,
             _l("At the opening, the custodians' shares needed within (else the opening is postponed)"), _l("minutes")),
    RuleSpec("opening_postpone_days", 1, 1, 30, _l("A postponed opening takes place again after"), DAYS),
    RuleSpec("committee_min_members", 5, 3, 15, _l("Evaluation committee members, at least (odd number)")),
    RuleSpec("max_candidates", 3, 1, 5, _l("Ranked candidates, at most")),
    RuleSpec("publicity_within_days", 3, 1, 15, _l("Candidates published within, after the report"), DAYS),
    RuleSpec("publicity_min_days", 3, 1, 15, _l("Candidate publicity lasts at least"), DAYS),
    RuleSpec("award_filing_days", 15, 1, 60, _l("Award filed with the district bureau within"), DAYS),
    RuleSpec("contract_days", 30, 1, 90, _l("Contract signed within, after the award notice"), DAYS),
    RuleSpec("objection_answer_days", 3, 1, 15, _l("Objections to the candidates answered within"), DAYS),
    RuleSpec("complaint_days", 10, 1, 30, _l("Complaints to the district bureau within, after the answer"), DAYS),
    # Whether the publicity, objection, complaint, filing and contract periods above count working
    # days (1) or calendar days (0, the national rules' reading of 日).
    RuleSpec("award_periods_working_days", 0, 0, 1, _l("Award periods count working days (1) or calendar days (0)")),
    # Civil Code Art. 278: choosing a property-service firm needs participation by owners holding
    # at least two thirds of the exclusive floor area and two thirds of the owners, and the consent
    # of more than half of the participating area and of the participating owners.
    RuleSpec("resolution_participation_num", 2, 1, 99, _l("Owners' resolution: participation, at least (numerator)")),
    RuleSpec("resolution_participation_den", 3, 1, 100, _l("Owners' resolution: participation (denominator)")),
    RuleSpec("resolution_approval_num", 1, 1, 99, _l("Owners' resolution: approval, more than (numerator)")),
    RuleSpec("resolution_approval_den", 2, 1, 100, _l("Owners' resolution: approval (denominator)")),
    # Limits within which a tender may set the weight of each block of its scoring scheme.
    RuleSpec("scheme_technical_min", 40, 0, 100, _l("Technical proposal weight, at least"), POINTS),
    RuleSpec("scheme_technical_max", 70, 0, 100, _l("Technical proposal weight, at most"), POINTS),
    RuleSpec("scheme_business_min", 5, 0, 100, _l("Business and credentials weight, at least"), POINTS),
    RuleSpec("scheme_business_max", 20, 0, 100, _l("Business and credentials weight, at most"), POINTS),
    RuleSpec("scheme_price_min", 10, 0, 100, _l("Price weight, at least"), POINTS),
    RuleSpec("scheme_price_max", 30, 0, 100, _l("Price weight, at most"), POINTS),
    RuleSpec("scheme_presentation_min", 0, 0, 100, _l("Presentation weight, at least"), POINTS),
    RuleSpec("scheme_presentation_max", 20, 0, 100, _l("Presentation weight, at most"), POINTS),
    RuleSpec("scheme_credit_min", 3, 0, 100, _l("Credit weight, at least"), POINTS),
    RuleSpec("scheme_credit_max", 10, 0, 100, _l("Credit weight, at most"), POINTS),
)
RULES_BY_KEY = {r.key: r for r in RULES}
DEFAULTS = {r.key: r.default for r in RULES}


class Procedure(db.Model):
    """Rule values that take effect on ``valid_from``, city-wide or for one district."""

    __tablename__ = "tender_procedure"
    __table_args__ = (sa.Index("ix_tender_procedure_district_from", "district_code", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_code: Mapped[str | None] = mapped_column(sa.ForeignKey("district.code"))
    valid_from: Mapped[datetime]
    values: Mapped[dict] = mapped_column(sa.JSON)
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ServiceStandard(db.Model):
    """A Shanghai residential property-service grade (住宅物业服务等级, 一级 to 五级).

    The five names are seeded; the contents and any guidance price are entered by the city bureau.
    """

    __tablename__ = "tender_service_standard"

    grade: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name_zh: Mapped[str] = mapped_column(sa.String(50))
    name_en: Mapped[str] = mapped_column(sa.String(50))
    contents: Mapped[str] = mapped_column(sa.Text, default="")
    guidance_fen: Mapped[int | None]  # guidance price per m² per month, where the bureau sets one
