"""Sections the opening adds to other pages: a custodian's tenders on the dashboard and on the custodian-key
page, and the opening's counts and ceremony link on the tender's own page."""

from __future__ import annotations

from flask_login import current_user


def openings(membership) -> dict | None:
    """The tenders at their opening (or just after) where the signed-in person plays a part."""
    from tender.bidding.operations.opening import attended_openings

    if not current_user.is_authenticated:
        return None
    tenders = attended_openings(membership, current_user)
    return {"template": "bidding/_opening_attended.html", "tenders": tenders} if tenders else None


def custody(membership) -> dict | None:
    """The tenders the signed-in custodian holds a share for, each with its opening time."""
    from tender.bidding.operations.opening import custody_of

    if not current_user.is_authenticated or not current_user.is_key_custodian:
        return None
    rows = custody_of(current_user)
    return {"template": "bidding/_opening_dashboard.html", "rows": rows} if rows else None


def tender_page(tender, membership, now) -> dict | None:
    """On the tender's own page: the opening's public counts once opened, and the ceremony's link for its participants."""
    from tender.bidding.models.opening import OpeningState
    from tender.bidding.operations.opening import may_attend, opening_of, statistics

    user = current_user if current_user.is_authenticated else None
    attends = may_attend(tender, membership, user)
    stats = statistics(tender)
    opening = opening_of(tender)
    in_progress = opening is not None and opening.state == OpeningState.IN_PROGRESS
    if not stats["opened"] and not attends and not in_progress:
        return None
    return {"template": "bidding/_tender_opening.html", "statistics": stats, "attends": attends,
            "in_progress": in_progress}
