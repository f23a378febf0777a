"""What the public may see of a subject: one place, used by the pages and the API alike.

Only records in force (published, within their period, not corrected) are shown; nothing personal
(national IDs, complainants, the facts and reasons text) ever leaves this module. Each record shows
what Credit China and SAM.gov exclusions show: the conduct item, its legal basis, the decision's
number and date, the deciding authority, the publication period and the repair status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from core import clock
from core.db import db
from credit.models import CreditSubject, Employment, ManagedProject, ProjectManager
from credit.scoring import Fact, FirmFacts, Listing, Standing, manager_facts, manager_standing

MANAGERS_SHOWN = 100


@dataclass
class FirmProfile:
    """A firm's or agency's public page at one instant."""

    firm: CreditSubject
    standing: Standing
    records: list[Fact]
    managers: list[tuple[ProjectManager, int]]
    history: list[tuple[datetime, float]]
    at: datetime


def firm_profile(firm: CreditSubject, at: datetime | None = None, chart_years: int = 3) -> FirmProfile:
    at = at or clock.now()
    managers = list(db.session.scalars(
        sa.select(ProjectManager).where(ProjectManager.firm_id == firm.id).order_by(ProjectManager.name)
        .limit(MANAGERS_SHOWN)
    ))
    facts = FirmFacts.load(firm, extra_managers=[m.id for m in managers])
    since = at - timedelta(days=365 * chart_years)
    history = [(t, facts.standing(t).score) for t in facts.breakpoints(since, at)]
    records = [f for f in facts.own if f.in_force(at)]
    return FirmProfile(firm, facts.standing(at), records, [(m, facts.manager_points(m.id, at)) for m in managers],
                       history, at)


@dataclass
class ManagerProfile:
    manager: ProjectManager
    standing: Standing
    records: list[Fact]
    employments: list[Employment]
    projects: list[ManagedProject]
    at: datetime


def manager_profile(manager: ProjectManager, at: datetime | None = None) -> ManagerProfile:
    at = at or clock.now()
    facts = manager_facts(manager)
    projects = list(db.session.scalars(
        sa.select(ManagedProject).where(ManagedProject.manager_id == manager.id,
                                        sa.or_(ManagedProject.ended_at.is_(None), ManagedProject.ended_at > at))
    ))
    return ManagerProfile(manager, manager_standing(manager, at, facts), [f for f in facts if f.in_force(at)],
                          list(manager.employments), projects, at)


def _english(locale: str) -> bool:
    return str(locale).startswith("en")


def _day(instant: datetime | None):
    return clock.shanghai_date(instant) if instant else None


def record_view(fact: Fact, locale: str) -> dict:
    """The public fields of one record (instants, and for the pages their Shanghai dates)."""
    english = _english(locale)
    return {
        "reference": fact.reference,
        "item_code": fact.item_code,
        "item_title": fact.item_title_en if english else fact.item_title_zh,
        "example_item": fact.item_is_example,
        "catalogue_version": fact.catalogue_version,
        "basis": fact.item_basis,
        "severity": fact.severity,
        "points": fact.signed_points,
        "occurred_on": fact.occurred_on,
        "decision": fact.decision,
        "decision_no": fact.decision_no,
        "decided_on": clock.shanghai_date(fact.decided_at) if fact.decided_at else None,
        "authority": fact.district_en if english else fact.district_zh,
        "published_at": fact.published_at,
        "expires_at": fact.expires_at,
        "correction_from": fact.correction_from,
        "corrected_at": fact.corrected_at,
        "published_on": _day(fact.published_at), "expires_on": _day(fact.expires_at),
        "correction_from_on": _day(fact.correction_from), "corrected_on": _day(fact.corrected_at),
    }


def listing_view(listing: Listing | None, locale: str) -> dict | None:
    """The public fields of a listing on the seriously-untrustworthy list (None: not listed)."""
    if listing is None:
        return None
    english = _english(locale)
    return {
        "start": listing.start, "end": listing.end,
        "basis": [{"reference": f.reference, "item_code": f.item_code,
                   "item_title": f.item_title_en if english else f.item_title_zh, "basis": f.item_basis,
                   "decision_no": f.decision_no} for f in listing.basis],
    }


def standing_view(standing: Standing, locale: str) -> dict:
    """A standing as the public sees it: the grade never without the listing beside it."""
    return {"at": standing.at, "score": standing.score, "grade": standing.grade, "listed": standing.listed,
            "listing": listing_view(standing.listing, locale), "may_bid": standing.may_bid,
            "own_points": standing.own_points, "manager_points": standing.manager_points}
