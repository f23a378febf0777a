"""Sections the opening adds to other pages: a custodian's tenders on the dashboard and on the custodian-key page."""

from __future__ import annotations

from flask_login import current_user


def custody(membership) -> dict | None:
    """The tenders the signed-in custodian holds a share for, each with its opening time."""
    from tender.bidding.operations.opening import custody_of

    if not current_user.is_authenticated or not current_user.is_key_custodian:
        return None
    rows = custody_of(current_user)
    return {"template": "bidding/_opening_dashboard.html", "rows": rows} if rows else None
