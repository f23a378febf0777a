"""The district bureau's desk: its district's tenders, the filing review (file or return), who
registered, accepting changed custodian keys, and the city bureau's procedure values."""

from __future__ import annotations

from datetime import datetime, time

from flask import flash, render_template, request
from flask_babel import gettext as _

from core import clock
from core.accounts.models import OrgKind, Role
from core.authz import access, active_membership, require, roles
from core.db import db
from tender.tenders import operations as ops
from tender.tenders.forms import FileTenderForm, ReasonsForm, procedure_form
from tender.tenders.models import RULES, Procedure, Question, Registration
from tender.tenders.operations.lifecycle import custodian_key_problems
from tender.tenders.operations.queries import bureau_overview
from tender.tenders.views import bp
from tender.tenders.views.common import ButtonForm, actions, actor, done, load, run
from tender.tenders.views.public import district_choices

SUPERVISORS = roles(Role.SUPERVISOR)
CITY = roles(Role.SUPERVISOR, org_kinds=(OrgKind.CITY_BUREAU,))


@bp.get("/bureau")
@access(SUPERVISORS)
def bureau():
    now = clock.now()
    return render_template("tenders/bureau/overview.html", overview=bureau_overview(active_membership(), now), now=now)


@bp.route("/<int:tender_id>/review", methods=["GET", "POST"])
@access(SUPERVISORS)
def review(tender_id: int):
    tender = load(tender_id)
    now = clock.now()
    file_form, return_form = FileTenderForm(prefix="file"), ReasonsForm(prefix="return")
    action = request.form.get("action")
    if request.method == "POST":
        if action == "file" and file_form.validate_on_submit():
            if run(file_form, ops.file_tender, tender, {"filing_number": file_form.filing_number.data}, actor=actor()):
                return done(_("The tender is filed; the tenderer may publish it."), "tender.review", tender_id=tender.id)
        elif action == "return" and return_form.validate_on_submit():
            if run(return_form, ops.return_tender, tender, {"reasons": return_form.reasons.data}, actor=actor()):
                return done(_("The tender was returned to the tenderer with your reasons."), "tender.review",
                            tender_id=tender.id)
        elif action == "accept_keys":
            button = ButtonForm()
            button.valid()
            if run(button, ops.accept_custodian_keys, tender, actor=actor()):
                return done(_("The custodians' current keys are accepted."), "tender.review", tender_id=tender.id)
            for message in button.form_errors:
                flash(message, "error")
    failed = bool(file_form.errors or return_form.errors)
    return render_template("tenders/bureau/review.html", tender=tender, now=now, actions=actions(tender),
                           file_form=file_form, return_form=return_form, key_problems=custodian_key_problems(tender),
                           values=ops.tender_values(tender, now)), 400 if failed else 200


@bp.get("/<int:tender_id>/registrations")
@access(SUPERVISORS)
def registrations(tender_id: int):
    """Who registered and who asked what: for the bureau's eyes only."""
    tender = load(tender_id)
    require("see_registrations" in actions(tender), "district")
    rows = list(db.session.scalars(db.select(Registration).where(Registration.tender_id == tender.id)
                                   .order_by(Registration.registered_at)))
    asked = list(db.session.scalars(db.select(Question).where(Question.tender_id == tender.id).order_by(Question.number)))
    return render_template("tenders/bureau/registrations.html", tender=tender, rows=rows, questions=asked)


@bp.route("/procedure", methods=["GET", "POST"])
@access(CITY)
def procedure():
    form = procedure_form(RULES)()
    form.district_code.choices = [("", _("Every district (city-wide)"))] + district_choices(blank=False)
    if form.validate_on_submit():
        values = {spec.key: getattr(form, f"rule_{spec.key}").data for spec in RULES}
        data = {"values": {k: v for k, v in values.items() if v is not None}, "district_code": form.district_code.data,
                "note": form.note.data,
                "valid_from": datetime.combine(form.valid_from.data, time.min, clock.SHANGHAI)}
        if run(form, ops.set_procedure, data, actor=actor()):
            return done(_("The rule values are saved."), "tender.procedure")
    rows = list(db.session.scalars(db.select(Procedure).order_by(Procedure.valid_from.desc()).limit(100)))
    now = clock.now()
    return render_template("tenders/bureau/procedure.html", form=form, rows=rows, rules=RULES,
                           current=ops.values_at(None, now)), 400 if form.errors else 200


