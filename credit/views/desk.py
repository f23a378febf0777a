"""Shared parts of the supervisors' desk pages: the district filter, paginated lists, loading with checks."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, request

from core.accounts.models import Role
from core.authz import roles
from core.pagination import paginate as core_paginate
from core.db import db
from core.requests import Outcome, attempt
from credit.access import require_district, supervisor_district
from credit.models import Complaint, CreditRecord

SUPERVISOR = roles(Role.SUPERVISOR)
PAGE_SIZE = 50


def district_filter(column):
    """Limit a query to the supervisor's district; the city bureau may pick one with ?district=."""
    own = supervisor_district()
    chosen = own or request.args.get("district") or None
    return (column == chosen) if chosen else sa.true(), chosen


def paginate(query):
    """One page of ``query`` with its total (``?page=``), so a list always says how long it is."""
    return core_paginate(query, per_page=PAGE_SIZE)


def submitted(form, operation, *args, message: str, **kwargs) -> Outcome:
    """A posted form: validated, then the operation run through ``attempt``; on success ``message`` is
    flashed. Falsy when the form was invalid or the operation refused (the form then says why)."""
    if not form.validate_on_submit():
        return Outcome(False)
    done = attempt(form, operation, *args, **kwargs)
    if done:
        flash(message, "success")
    return done


def load_record(record_id: int) -> CreditRecord:
    record = db.session.get(CreditRecord, record_id) or abort(404)
    require_district(record.district_code)
    return record


def load_complaint(complaint_id: int) -> Complaint:
    complaint = db.session.get(Complaint, complaint_id) or abort(404)
    require_district(complaint.district_code)
    return complaint
