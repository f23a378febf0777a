"""Loading the award stage's objects for a page, and the desk's context."""

from __future__ import annotations

from flask import abort

from core import clock
from core.authz import active_membership
from tender.award.operations import allowed_actions, award_capacity
from tender.tenders.views.common import load, row  # noqa: F401  (re-exported for the views)


def award_actions(tender) -> frozenset[str]:
    return allowed_actions(tender, active_membership(), clock.now())


def refuse_unless(tender, action: str) -> None:
    """404 for anyone with no part in the tender's award stage; the operation itself names any refusal."""
    if award_capacity(tender, active_membership()) is None:
        abort(404)
