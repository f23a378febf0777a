"""A firm's (or agency's) own credit file: every record about it or its project managers, objections, corrections."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core import clock
from core.accounts.models import Role
from core.authz import access, require, roles
from core.db import db
from credit.access import own_subject
from credit.forms import CorrectionRequestForm, ObjectionForm
from credit.models import CreditRecord, RecordStatus
from credit.operations import SUBJECT_ACTIONS, allowed_actions, due_process_steps, object_to_record, request_correction
from credit.public import firm_profile
from credit.views import bp
from credit.views.desk import submitted
from credit.views.supervisor import record_timeline

OWN_FILE = roles(Role.FIRM, Role.AGENCY)


def _own_ids():
    subject = own_subject()
    if subject is None:
        return None, []
    return subject, [subject.id] + [b.id for b in subject.branches]


@bp.get("/my")
@access(OWN_FILE)
def my_file():
    subject, ids = _own_ids()
    rows = []
    if subject is not None:
        rows = db.session.scalars(
            sa.select(CreditRecord).where(CreditRecord.firm_id.in_(ids), CreditRecord.status != RecordStatus.DRAFT)
            .order_by(CreditRecord.updated_at.desc())
        ).all()
    profile = firm_profile(subject) if subject is not None else None
    return render_template("credit/my/index.html", subject=subject, records=rows, profile=profile, now=clock.now())


def _load(record_id: int) -> CreditRecord:
    _subject, ids = _own_ids()
    record = db.session.get(CreditRecord, record_id) or abort(404)
    require(record.firm_id in ids and record.status != RecordStatus.DRAFT, "not_your_record")
    return record


def _page(record: CreditRecord, objection_form=None, correction_form=None, status: int = 200):
    now = clock.now()
    return render_template("credit/my/record.html", record=record, now=now,
                           objection_form=objection_form or ObjectionForm(prefix="objection"),
                           correction_form=correction_form or CorrectionRequestForm(prefix="correction"),
                           actions=allowed_actions(record, now) & SUBJECT_ACTIONS, steps=due_process_steps(record, now),
                           timeline=record_timeline(record)), status


@bp.get("/my/records/<int:record_id>")
@access(OWN_FILE)
def my_record(record_id: int):
    return _page(_load(record_id))


@bp.post("/my/records/<int:record_id>/objection")
@access(OWN_FILE)
def my_record_object(record_id: int):
    record = _load(record_id)
    form = ObjectionForm(prefix="objection")
    if submitted(form, object_to_record, record, {"grounds": form.grounds.data}, actor=current_user,
                 message=_("Your objection was received. The district bureau will answer it in its decision.")):
        return redirect(url_for("credit.my_record", record_id=record_id))
    # Refused (perhaps sent from a page opened before the first objection): the refusal is shown on
    # this page with the text as typed, so nothing the firm wrote is lost.
    return _page(_load(record_id), objection_form=form, status=422)


@bp.post("/my/records/<int:record_id>/correction")
@access(OWN_FILE)
def my_record_correct(record_id: int):
    record = _load(record_id)
    form = CorrectionRequestForm(prefix="correction")
    if submitted(form, request_correction, record, {"statement": form.statement.data}, actor=current_user,
                 message=_("Your correction request was received. The bureau checks it within 5 working days.")):
        return redirect(url_for("credit.my_record", record_id=record_id))
    return _page(_load(record_id), correction_form=form, status=422)
