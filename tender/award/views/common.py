"""Loading the award stage's objects for a page, and the desk's context."""

from __future__ import annotations

from flask import abort

from core import clock
from core.authz import active_membership
from tender.award.operations import allowed_actions, award_capacity
from tender.tenders.views.common import load, row  # noqa: F401  (re-exported for the views)


def award_actions(tender) -> frozenset[str]:
    return allowed_actions(tender, active_membership(), clock.now())


def refuse_unless(tender) -> None:
    """404 for anyone with no part in the tender's award stage (a firm that did not bid included); the
    operation itself names any refusal."""
    if award_capacity(tender, active_membership()) in (None, "firm"):
        abort(404)
