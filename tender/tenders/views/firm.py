"""Firms' pages: registering for a tender, asking a question, the tenders registered for; and the
agency's own staff register."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from core import clock
from core.accounts.models import Role
from core.authz import access, active_membership, roles
from tender.tenders import operations as ops
from tender.tenders.forms import QuestionForm, RegisterForm, StaffForm
from tender.tenders.models import AgencyStaff
from tender.tenders.operations.agencies import staff_of
from tender.tenders.operations.participation import NotEligible
from tender.tenders.operations.queries import registered_tenders
from tender.tenders.views import bp
from tender.tenders.views.common import actions, actor, done, load, row, run

FIRMS = roles(Role.FIRM)
AGENCIES = roles(Role.AGENCY)


@bp.route("/<int:tender_id>/register", methods=["GET", "POST"])
@access(FIRMS)
def register(tender_id: int):
    tender = load(tender_id)
    form = RegisterForm()
    refusal = None
    if form.validate_on_submit():
        outcome = run(form, ops.register_for_tender, tender, {"confirm_requirements": True}, actor=actor())
        if outcome:
            return done(_("Your firm is registered. You can now ask questions and will receive every answer."),
                        "tender.detail", tender_id=tender.id)
        if isinstance(outcome.error, NotEligible):
            refusal = outcome.error.reasons
            form.form_errors.clear()
    return render_template("tenders/firm/register.html", tender=tender, form=form, refusal=refusal,
                           actions=actions(tender), now=clock.now()), 400 if form.errors or refusal else 200


@bp.route("/<int:tender_id>/ask", methods=["GET", "POST"])
@access(FIRMS)
def ask(tender_id: int):
    tender = load(tender_id)
    form = QuestionForm()
    if form.validate_on_submit():
        outcome = run(form, ops.ask_question, tender, {"text": form.text.data}, actor=actor())
        if outcome:
            return done(_("Question %(code)s was sent. The answer will go to every registered firm, without your name.",
                          code=outcome.value.code), "tender.detail", tender_id=tender.id)
    return render_template("tenders/firm/ask.html", tender=tender, form=form, actions=actions(tender)), \
        400 if form.errors else 200


@bp.get("/registered")
@access(FIRMS)
def registered():
    return render_template("tenders/firm/registered.html", tenders=registered_tenders(active_membership()),
                           now=clock.now())


@bp.route("/agency/staff", methods=["GET", "POST"])
@access(AGENCIES)
def staff():
    agency = active_membership().organisation
    form = StaffForm()
    if form.validate_on_submit():
        data = {"name": form.name.data, "certificate_no": form.certificate_no.data, "joined_on": form.joined_on.data}
        if run(form, ops.add_staff, agency, data, actor=actor()):
            return done(_("Added to the register."), "tender.staff")
    return render_template("tenders/firm/staff.html", agency=agency, form=form, staff=staff_of(agency)), \
        400 if form.errors else 200


@bp.post("/agency/staff/<int:staff_id>/left")
@access(AGENCIES)
def staff_left(staff_id: int):
    from tender.tenders.views.common import ButtonForm

    person = row(AgencyStaff, staff_id)
    if person is None or person.agency_id != active_membership().organisation_id:
        abort(404)
    button = ButtonForm()
    button.valid()
    if run(button, ops.end_staff, person, actor=actor()):
        flash(_("Recorded as having left the agency."), "success")
    for message in button.form_errors:
        flash(message, "error")
    return redirect(url_for("tender.staff"))
