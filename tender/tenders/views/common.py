"""Loading a tender for a page, and running an operation for a form or a one-button action."""

from __future__ import annotations

import sqlalchemy.orm as sa_orm
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from core import clock
from core.authz import active_membership
from core.db import db
from core.requests import attempt
from core.web import ID_MAX

from tender.tenders.models import AgencyAppointment, Tender
from tender.tenders.operations import allowed_actions, may_view
from tender.tenders.operations.rules import RulesBroken


WHOLE = (sa_orm.joinedload(Tender.district), sa_orm.joinedload(Tender.tenderer), sa_orm.selectinload(Tender.areas),
         sa_orm.selectinload(Tender.documents), sa_orm.selectinload(Tender.custodians),
         sa_orm.selectinload(Tender.appointments).joinedload(AgencyAppointment.agency))


def row(model, row_id: int):
    """The row with this id, or None (also for ids no integer column can hold)."""
    return db.session.get(model, row_id) if 0 < row_id <= ID_MAX else None


def load(tender_id: int, *, whole: bool = False) -> Tender:
    """The tender, if this visitor may see it (else 404: a draft's existence is nobody else's business).

    ``whole`` loads what its page shows in the same round trips (the announcement is the busiest page).
    """
    options = WHOLE if whole else ()
    tender = db.session.get(Tender, tender_id, options=options) if 0 < tender_id <= ID_MAX else None
    membership = active_membership()
    if tender is None or not may_view(tender, membership):
        abort(404)
    return tender


def actions(tender: Tender) -> frozenset[str]:
    return allowed_actions(tender, active_membership(), clock.now())


def run(form, operation, *args, **kwargs):
    """:func:`core.requests.attempt`, with every broken rule of a RulesBroken put beside its own field."""
    outcome = attempt(form, operation, *args, **kwargs)
    error = outcome.error
    if isinstance(error, RulesBroken) and form is not None:
        # attempt() put the joined message at the top or beside one field; show each rule beside its own.
        if error.message in form.form_errors:
            form.form_errors.remove(error.message)
        joined = getattr(form, error.field, None) if error.field else None
        if joined is not None and error.message in joined.errors:
            joined.errors = [e for e in joined.errors if e != error.message]
        for problem in error.problems:
            target = getattr(form, problem.field, None) if problem.field else None
            if target is not None and isinstance(getattr(target, "errors", None), (list, tuple)):
                target.errors = list(target.errors) + [problem.message]
            else:
                form.form_errors.append(problem.message)
    return outcome


class ButtonForm:
    """A one-button action's "form": the CSRF token is checked and refusals are collected for the page."""

    def __init__(self):
        self.form_errors: list[str] = []
        self.errors: dict = {}

    def valid(self) -> bool:
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError:
            abort(400)
        return True


def done(message: str, endpoint: str, **values):
    flash(message, "success")
    return redirect(url_for(endpoint, **values))


def actor():
    return current_user._get_current_object()
