"""A firm's own credit file: every record about it or its project managers, objections, corrections."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.accounts.models import Role
from core.authz import access, require, roles
from core.db import db, utcnow
from credit.access import own_firm_subject
from credit.forms import CorrectionRequestForm, ObjectionForm
from credit.models import CreditRecord, RecordStatus
from credit.operations import object_to_record, request_correction
from credit.public import firm_profile
from credit.views import bp
from credit.views.supervisor import _try, record_timeline

FIRM = roles(Role.FIRM)


def _own_ids():
    subject = own_firm_subject()
    if subject is None:
        return None, []
    return subject, [subject.id] + [b.id for b in subject.branches]


@bp.get("/my")
@access(FIRM)
def my_file():
    subject, ids = _own_ids()
    rows = []
    if subject is not None:
        rows = db.session.scalars(
            sa.select(CreditRecord).where(CreditRecord.firm_id.in_(ids), CreditRecord.status != RecordStatus.DRAFT)
            .order_by(CreditRecord.updated_at.desc())
        ).all()
    profile = firm_profile(subject) if subject is not None else None
    return render_template("credit/my/index.html", subject=subject, records=rows, profile=profile)


@bp.route("/my/records/<int:record_id>", methods=["GET", "POST"])
@access(FIRM)
def my_record(record_id: int):
    subject, ids = _own_ids()
    record = db.session.get(CreditRecord, record_id) or abort(404)
    require(record.firm_id in ids and record.status != RecordStatus.DRAFT, "not_your_record")
    objection_form = ObjectionForm(prefix="objection")
    correction_form = CorrectionRequestForm(prefix="correction")
    action = request.form.get("action")
    if action == "object" and objection_form.validate_on_submit():
        if _try(objection_form, lambda: object_to_record(record, {"grounds": objection_form.grounds.data}, actor=current_user)):
            flash(_("Your objection was received. The district bureau will answer it in its decision."), "success")
            return redirect(url_for("credit.my_record", record_id=record.id))
    elif action == "correct" and correction_form.validate_on_submit():
        if _try(correction_form, lambda: request_correction(record, {"statement": correction_form.statement.data},
                                                            actor=current_user)):
            flash(_("Your correction request was received. The bureau checks it within 5 working days."), "success")
            return redirect(url_for("credit.my_record", record_id=record.id))
    now = utcnow()
    may_object = record.stage(now) == "objection_window" and record.objection is None
    may_correct = (record.status == RecordStatus.PUBLISHED and record.in_force(now) and now >= record.correction_from
                   and not any(c.outcome is None for c in record.corrections))
    return render_template("credit/my/record.html", record=record, objection_form=objection_form,
                           correction_form=correction_form, may_object=may_object, may_correct=may_correct,
                           timeline=record_timeline(record))
