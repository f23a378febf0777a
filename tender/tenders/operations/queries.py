"""Lists of tenders: the public list with its filters, and each role's dashboard overview."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as orm

from core.accounts.models import Membership, OrgKind, Role
from core.calendar import end_of_day, start_of_day
from core.db import db
from core.pagination import paginate
from tender.tenders.models import AgencyAppointment, PUBLIC_STATES, Tender, TenderKind, TenderNameGram, TenderState

S = TenderState
PAGE_SIZE = 20
MAX_PAGE = 500
# What the public list's "state" filter offers, and the condition each adds at ``now``.
PUBLIC_PHASES = ("open_for_bids", "closed", "cancelled")


def public_filter(args: dict, now: datetime):
    """The conditions of the public list for filters already checked by the form or schema."""
    where = [Tender.state.in_(PUBLIC_STATES), Tender.published_at.is_not(None)]
    if args.get("district"):
        where.append(Tender.district_code == args["district"])
    if args.get("kind") in TenderKind._value2member_map_:
        where.append(Tender.kind == TenderKind(args["kind"]))
    phase = args.get("state")
    if phase == "open_for_bids":
        where += [Tender.state == S.PUBLISHED, Tender.bid_deadline > now]
    elif phase == "closed":
        where.append(sa.or_(sa.and_(Tender.state == S.PUBLISHED, Tender.bid_deadline <= now),
                            Tender.state.in_((S.CLOSED, S.OPENED, S.EVALUATING, S.CANDIDATES_PUBLISHED, S.AWARDED,
                                              S.CONTRACTED, S.FAILED))))
    elif phase == "cancelled":
        where.append(Tender.state == S.CANCELLED)
    if isinstance(args.get("published_from"), date):
        where.append(Tender.published_at >= start_of_day(args["published_from"]))
    if isinstance(args.get("published_to"), date):
        where.append(Tender.published_at <= end_of_day(args["published_to"]))
    text = "".join((args.get("q") or "").split())
    if text:
        from tender.tenders.operations.drafting import grams

        wanted = grams(text)
        if len(text) > 1:
            # Tenders whose name holds every pair of the query, checked against the whole query after.
            having = (sa.select(TenderNameGram.tender_id).where(TenderNameGram.gram.in_(wanted))
                      .group_by(TenderNameGram.tender_id).having(sa.func.count() == len(wanted)))
            where.append(Tender.id.in_(having))
        where.append(Tender.community_name.contains(text, autoescape=True))
    return sa.and_(*where)


def public_tenders(args: dict, now: datetime, page: int = 1, size: int = PAGE_SIZE):
    """One page of announced tenders, newest first (Flask-SQLAlchemy's Pagination)."""
    query = (sa.select(Tender).where(public_filter(args, now)).options(orm.joinedload(Tender.district))
             .order_by(Tender.published_at.desc(), Tender.id.desc()))
    return paginate(query, per_page=size, page=max(1, min(page, MAX_PAGE)))


def open_tenders(now: datetime, limit: int = 5) -> list[Tender]:
    """Tenders open for bids, the nearest deadline first (the home page)."""
    return list(db.session.scalars(sa.select(Tender).where(Tender.state == S.PUBLISHED, Tender.bid_deadline > now)
                                   .order_by(Tender.bid_deadline).limit(limit)))


def managed_tenders(membership: Membership) -> list[Tender]:
    """The tenders a tenderer posted, or an agency is appointed to, newest first."""
    org = membership.organisation
    if membership.platform_role == Role.AGENCY:
        query = (sa.select(Tender).join(AgencyAppointment, AgencyAppointment.tender_id == Tender.id)
                 .where(AgencyAppointment.agency_id == org.id, AgencyAppointment.ended_at.is_(None)))
    else:
        query = sa.select(Tender).where(Tender.tenderer_id == org.id)
    return list(db.session.scalars(query.order_by(Tender.updated_at.desc()).limit(500)))


def bureau_overview(membership: Membership, now: datetime) -> dict:
    """The district's tenders waiting for filing (overdue ones apart), open for bids, with moved deadlines."""
    org = membership.organisation
    scope = sa.true() if org.kind == OrgKind.CITY_BUREAU else Tender.district_code == org.district_code
    pending = list(db.session.scalars(sa.select(Tender).where(scope, Tender.state == S.PENDING_FILING)
                                      .order_by(Tender.filing_due_at)))
    open_now = list(db.session.scalars(sa.select(Tender).where(scope, Tender.state == S.PUBLISHED,
                                                               Tender.bid_deadline > now)
                                       .order_by(Tender.bid_deadline).limit(200)))
    return {
        "pending": [t for t in pending if t.filing_due_at is None or now <= t.filing_due_at],
        "overdue": [t for t in pending if t.filing_due_at is not None and now > t.filing_due_at],
        "open": open_now,
        "moved": [t for t in open_now if t.deadline_moved],
        "stopped": list(db.session.scalars(sa.select(Tender).where(scope, Tender.custodians_stopped_at.is_not(None),
                                                                   Tender.state.in_((S.FILED, S.PUBLISHED))))),
        "filed": list(db.session.scalars(sa.select(Tender).where(scope, Tender.state == S.FILED)
                                         .order_by(Tender.filed_at.desc()).limit(50))),
        "city": org.kind == OrgKind.CITY_BUREAU,
    }


def registered_tenders(membership: Membership) -> list[Tender]:
    """The tenders a firm registered for."""
    from tender.tenders.models import Registration

    return list(db.session.scalars(sa.select(Tender).join(Registration, Registration.tender_id == Tender.id)
                                   .where(Registration.firm_id == membership.organisation_id)
                                   .order_by(Tender.bid_deadline.desc()).limit(200)))
