"""Procedure values in force at an instant, and the checks they drive: the timeline of a tender
and the owners' resolution vote (Civil Code Art. 278)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from core.audit.operations import record_event
from core.calendar import shanghai_date, working_days_between
from core.db import DomainError, db
from tender.tenders.models import DEFAULTS, RULES_BY_KEY, OwnersResolution, Procedure, Tender


@dataclass(frozen=True)
class Problem:
    """One broken rule: a code, the form field it concerns and the message naming the rule."""

    code: str
    field: str | None
    message: str


class RulesBroken(DomainError):
    """Several rules refused an operation at once; ``problems`` names every one."""

    def __init__(self, problems: list[Problem], lead: str):
        super().__init__(lead + " " + " ".join(p.message for p in problems), code=problems[0].code,
                         field=problems[0].field if len(problems) == 1 else None)
        self.problems = problems


def values_at(district_code: str | None, instant: datetime) -> dict:
    """Each rule's value in force at ``instant`` for the district: its own rows, then the city's, then defaults."""
    rows = db.session.scalars(
        sa.select(Procedure)
        .where(Procedure.valid_from <= instant,
               sa.or_(Procedure.district_code.is_(None), Procedure.district_code == district_code))
        .order_by(Procedure.valid_from)
    ).all()
    values = dict(DEFAULTS)
    # City rows first and district rows after them, each in date order, so a district's override wins.
    for row in [r for r in rows if r.district_code is None] + [r for r in rows if r.district_code is not None]:
        values.update({k: int(v) for k, v in (row.values or {}).items() if k in RULES_BY_KEY})
    return values


def tender_values(tender: Tender, now: datetime) -> dict:
    """The values a tender runs under: its snapshot from submission, or the ones in force now."""
    if tender.procedure_values:
        return {**DEFAULTS, **tender.procedure_values}
    return values_at(tender.district_code, now)


def set_procedure(data: dict, *, actor) -> Procedure:
    """Enter rule values from a date, city-wide or overriding them for one district (the city bureau)."""
    values = {}
    problems = []
    for key, raw in (data.get("values") or {}).items():
        spec = RULES_BY_KEY.get(key)
        if spec is None or raw in (None, ""):
            continue
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = None
        if value is None or not spec.minimum <= value <= spec.maximum:
            problems.append(Problem("rule_range", key, _("%(rule)s: enter a whole number from %(low)s to %(high)s.",
                                                         rule=spec.label, low=spec.minimum, high=spec.maximum)))
            continue
        values[key] = value
    if problems:
        raise RulesBroken(problems, _("The rule values were not saved."))
    if not values:
        raise DomainError(_("Enter at least one rule value."), code="no_values")
    valid_from: datetime = data["valid_from"]
    row = Procedure(district_code=data.get("district_code") or None, valid_from=valid_from, values=values,
                    note=(data.get("note") or "")[:300], created_by_id=actor.id if actor else None)
    db.session.add(row)
    db.session.flush()
    record_event("tender.procedure_set", row, actor=actor, district=row.district_code,
                 details={"valid_from": valid_from.isoformat(), "values": values})
    return row


# --- the timeline -------------------------------------------------------------------------------


def available_working_days(first: date, last: date) -> int:
    """Working days from ``first`` to ``last``, both counted."""
    return working_days_between(first - timedelta(days=1), last)


def timeline_problems(tender: Tender, values: dict, *, notice_on: date, submitted_on: date | None,
                      now: datetime) -> list[Problem]:
    """Every timeline rule the tender breaks if announced on ``notice_on`` (none: it may be)."""
    problems: list[Problem] = []
    missing = [(f, label) for f, label in (("documents_from", _("the first day the documents are available")),
                                           ("documents_until", _("the last day the documents are available")),
                                           ("bid_deadline", _("the bid deadline")),
                                           ("opening_at", _("the bid opening time")))
               if getattr(tender, f) is None]
    for f, label in missing:
        problems.append(Problem("timeline_missing", f, _("Enter %(what)s.", what=label)))
    if missing:
        return problems
    deadline_on = shanghai_date(tender.bid_deadline)
    issue_on = max(tender.documents_from, notice_on)
    if submitted_on is not None:
        need = values["filing_days_before_notice"]
        gap = (notice_on - submitted_on).days
        if gap < need:
            problems.append(Problem("filing_too_late", "documents_from", _(
                "Filing must be submitted at least %(need)s days before the notice: submitted on %(submitted)s, "
                "notice on %(notice)s, %(gap)s days.", need=need, submitted=submitted_on, notice=notice_on, gap=gap)))
    need = values["documents_to_deadline_days"]
    gap = (deadline_on - issue_on).days
    if gap < need:
        problems.append(Problem("deadline_too_soon", "bid_deadline", _(
            "At least %(need)s days must pass from the documents' issue (%(issue)s) to the bid deadline "
            "(%(deadline)s): there are %(gap)s.", need=need, issue=issue_on, deadline=deadline_on, gap=gap)))
    if tender.documents_until < issue_on:
        problems.append(Problem("documents_period", "documents_until",
                                _("The last day the documents are available is before the first.")))
    else:
        need = values["documents_available_working_days"]
        count = available_working_days(issue_on, tender.documents_until)
        if count < need:
            problems.append(Problem("documents_too_short", "documents_until", _(
                "The documents must be available for at least %(need)s working days: from %(first)s to %(last)s "
                "there are %(count)s.", need=need, first=issue_on, last=tender.documents_until, count=count)))
    if tender.documents_until > deadline_on:
        problems.append(Problem("documents_after_deadline", "documents_until",
                                _("The documents cannot stay available after the bid deadline.")))
    if tender.opening_at != tender.bid_deadline:
        problems.append(Problem("opening_not_at_deadline", "opening_at",
                                _("The bids must be opened at the bid deadline, at the same minute.")))
    if tender.bid_deadline <= now:
        problems.append(Problem("deadline_past", "bid_deadline", _("The bid deadline has already passed.")))
    return problems


def shifted_deadline(deadline: datetime, issued_at: datetime, values: dict) -> datetime | None:
    """The deadline a clarification issued at ``issued_at`` forces, or None when it need not move.

    A clarification less than the procedure's days before the deadline moves it by whole days, so the
    deadline keeps its time of day and the firms get the full period after the clarification.
    """
    need = timedelta(days=values["clarification_days_before_deadline"])
    if deadline - issued_at >= need:
        return None
    shortfall = issued_at + need - deadline
    days = shortfall.days + (1 if shortfall - timedelta(days=shortfall.days) > timedelta(0) else 0)
    return deadline + timedelta(days=days)


# --- the owners' resolution ---------------------------------------------------------------------


def resolution_problems(resolution: OwnersResolution, values: dict) -> list[Problem]:
    """Every way the vote figures fail the rule for choosing a property-service firm (none: they pass)."""
    r = resolution
    problems: list[Problem] = []
    if r.total_area_m2 <= 0 or r.total_owners <= 0:
        return [Problem("resolution_totals", "total_area_m2", _("Enter the total exclusive floor area and the number of owners."))]
    for part, total, name in ((r.participating_area_m2, r.total_area_m2, "participating_area_m2"),
                              (r.participating_owners, r.total_owners, "participating_owners")):
        if not 0 <= part <= total:
            problems.append(Problem("resolution_figures", name, _("Participation cannot exceed the total.")))
    for agree, part, name in ((r.approving_area_m2, r.participating_area_m2, "approving_area_m2"),
                              (r.approving_owners, r.participating_owners, "approving_owners")):
        if not 0 <= agree <= part:
            problems.append(Problem("resolution_figures", name, _("Approval cannot exceed participation.")))
    if problems:
        return problems
    pn, pd = values["resolution_participation_num"], values["resolution_participation_den"]
    an, ad = values["resolution_approval_num"], values["resolution_approval_den"]
    if r.participating_area_m2 * pd < r.total_area_m2 * pn:
        problems.append(Problem("participation_area", "participating_area_m2", _(
            "Owners holding at least %(num)s/%(den)s of the exclusive floor area must take part: %(part)s of %(total)s m².",
            num=pn, den=pd, part=r.participating_area_m2, total=r.total_area_m2)))
    if r.participating_owners * pd < r.total_owners * pn:
        problems.append(Problem("participation_owners", "participating_owners", _(
            "At least %(num)s/%(den)s of the owners must take part: %(part)s of %(total)s.",
            num=pn, den=pd, part=r.participating_owners, total=r.total_owners)))
    if r.approving_area_m2 * ad <= r.participating_area_m2 * an:
        problems.append(Problem("approval_area", "approving_area_m2", _(
            "More than %(num)s/%(den)s of the participating floor area must agree: %(agree)s of %(part)s m².",
            num=an, den=ad, agree=r.approving_area_m2, part=r.participating_area_m2)))
    if r.approving_owners * ad <= r.participating_owners * an:
        problems.append(Problem("approval_owners", "approving_owners", _(
            "More than %(num)s/%(den)s of the participating owners must agree: %(agree)s of %(part)s.",
            num=an, den=ad, agree=r.approving_owners, part=r.participating_owners)))
    return problems
