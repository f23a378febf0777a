"""The tenderer's and the appointed agency's pages: drafting one section per page, the check before
submitting, publication, cancellation, answers and clarifications."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from core import clock
from core.accounts.models import Role
from core.authz import access, active_membership, roles
from core.db import db
from core.web import body_limit
from tender.tenders import operations as ops
from tender.tenders.forms import (
    AnswerForm, AppointForm, CancelForm, CustodiansForm, DocumentForm, FactsForm, NewTenderForm, ResolutionForm,
    TextForm, TimelineForm, areas_form, scheme_form,
)
from tender.tenders.models import AgencyStaff, PropertyType, Question, TenderKind
from tender.tenders.operations.agencies import agencies
from tender.tenders.operations.drafting import RESOLUTION_FIGURES, custodian_candidates, staff_choices
from tender.tenders.operations.queries import managed_tenders
from tender.tenders.operations.rules import tender_values
from tender.tenders.views import bp
from tender.tenders.views.common import ButtonForm, actions, actor, done, load, row, run
from tender.tenders.views.public import district_choices

MANAGERS = roles(Role.TENDERER, Role.AGENCY, scope=None)
TENDERERS = roles(Role.TENDERER)
CANCELLERS = roles(Role.TENDERER, Role.AGENCY, Role.SUPERVISOR)
UPLOAD_LIMIT = 21 * 1024 * 1024  # the document limit (20 MiB by default) and the rest of the form
SECTIONS = ("facts", "timeline", "areas", "resolution", "custodians", "scheme", "documents", "agency")


def _require(tender, action: str) -> None:
    if action not in actions(tender):
        ops.require_action(tender, active_membership(), action, clock.now())


@bp.get("/mine")
@access(MANAGERS)
def mine():
    now = clock.now()
    tenders = managed_tenders(active_membership())
    return render_template("tenders/manage/mine.html", tenders=tenders, now=now)


@bp.route("/new", methods=["GET", "POST"])
@access(TENDERERS)
def new():
    membership = active_membership()
    form = NewTenderForm(data={"district_code": membership.organisation.district_code,
                               "community_name": membership.organisation.community or "",
                               "address": membership.organisation.address or ""})
    form.district_code.choices = district_choices()
    if form.validate_on_submit():
        outcome = run(form, ops.create_tender, membership.organisation, form.data, actor=actor())
        if outcome:
            return done(_("Draft tender %(ref)s started.", ref=outcome.value.reference), "tender.manage",
                        tender_id=outcome.value.id)
    return render_template("tenders/manage/new.html", form=form), 400 if form.errors else 200


@bp.get("/<int:tender_id>/manage")
@access(roles(Role.TENDERER, Role.AGENCY, Role.SUPERVISOR))
def manage(tender_id: int):
    tender = load(tender_id)
    now = clock.now()
    values = tender_values(tender, now)
    problems = ops.submission_problems(tender, values, now) if "submit" in actions(tender) else []
    return render_template("tenders/manage/overview.html", tender=tender, now=now, actions=actions(tender),
                           problems=problems, values=values, sections=SECTIONS,
                           pending_questions=_questions(tender, answered=False))


def _questions(tender, *, answered: bool):
    query = db.select(Question).where(Question.tender_id == tender.id)
    query = query.where(Question.answer_id.is_not(None) if answered else Question.answer_id.is_(None))
    return list(db.session.scalars(query.order_by(Question.number)))


# --- one section of the draft per page -----------------------------------------------------------


def _facts(tender):
    form = FactsForm(obj=tender, data=None) if request.method == "GET" else FactsForm()
    if request.method == "GET":
        form.service_grade.data = str(tender.service_grade or "")
        form.fee_model.data = tender.fee_model.value
    if form.validate_on_submit() and run(form, ops.update_tender, tender, form.numbers(), actor=actor()):
        return None
    return form


def _timeline(tender):
    form = TimelineForm(obj=tender) if request.method == "GET" else TimelineForm()
    operation = ops.update_tender if "edit" in actions(tender) else ops.update_timeline
    if form.validate_on_submit():
        data = {k: getattr(form, k).data for k in ("documents_from", "documents_until", "bid_deadline", "opening_at")}
        if run(form, operation, tender, data, actor=actor()):
            return None
    return form


def _areas(tender):
    form = areas_form(tender)()
    if form.validate_on_submit():
        data = {"areas": {k.value: getattr(form, f"area_{k.value}").data for k in PropertyType}}
        if run(form, ops.set_areas, tender, data, actor=actor()):
            return None
    return form


def _resolution(tender):
    if tender.kind != TenderKind.OWNERS:
        abort(404)
    form = ResolutionForm(obj=tender.resolution) if request.method == "GET" else ResolutionForm()
    if form.validate_on_submit():
        data = {name: getattr(form, name).data for name in RESOLUTION_FIGURES}
        data["resolved_on"] = form.resolved_on.data
        upload = request.files.get("file")
        if upload and upload.filename:
            data.update(file=upload.stream, filename=upload.filename)
        elif tender.resolution is None or not tender.resolution.document_digest:
            form.file.errors = [_("Upload the resolution.")]
            return form
        if run(form, ops.record_resolution, tender, data, actor=actor()):
            return None
    return form


def _custodians(tender):
    form = CustodiansForm()
    candidates = custodian_candidates(tender)
    form.user_ids.choices = [(u.id, f"{u.name} · {_custodian_kind(kind)}") for u, kind in candidates]
    if request.method == "GET":
        form.user_ids.data = [c.user_id for c in tender.custodians]
        form.threshold.data = tender.custodian_threshold
    if form.validate_on_submit():
        data = {"user_ids": form.user_ids.data, "threshold": form.threshold.data}
        if run(form, ops.set_custodians, tender, data, actor=actor()):
            return None
    return form


def _custodian_kind(kind) -> str:
    from tender.tenders.labels import CUSTODIAN_LABELS

    return str(CUSTODIAN_LABELS[kind.value])


def _scheme(tender):
    form = scheme_form(tender.scheme)()
    if form.validate_on_submit():
        weights = {name: field.data for name, field in form._fields.items() if name.startswith("scheme_")}
        if run(form, ops.set_scheme, tender, {"weights": weights, "price_method": form.price_method.data},
               actor=actor()):
            return None
    return form


def _documents(tender):
    form = DocumentForm()
    if form.validate_on_submit():
        upload = request.files.get("file")
        if not upload or not upload.filename:
            form.file.errors = [_("Choose the file to upload.")]
            return form
        data = {"file": upload.stream, "filename": upload.filename, "change_note": form.change_note.data}
        if run(form, ops.add_document, tender, data, actor=actor()):
            return None
    return form


def _agency(tender):
    form = AppointForm()
    form.agency_id.choices = [(a.id, a.name) for a in agencies()]
    chosen = tender.appointment.agency if tender.appointment else None
    agency_id = request.form.get("agency_id", type=int) or (chosen.id if chosen else None)
    staff = [s for a in agencies() if a.id == agency_id for s in staff_choices(a)]
    form.lead_staff_id.choices = [(0, "—")] + [(s.id, f"{s.name} · {s.certificate_no}") for s in staff]
    if request.method == "GET" and tender.appointment:
        a = tender.appointment
        form.agency_id.data, form.contract_number.data = a.agency_id, a.contract_number
        form.contract_signed_on.data, form.lead_staff_id.data = a.contract_signed_on, a.lead_staff_id or 0
    if form.validate_on_submit():
        from core.accounts.models import Organisation

        data = {"agency": db.session.get(Organisation, form.agency_id.data),
                "lead_staff": db.session.get(AgencyStaff, form.lead_staff_id.data) if form.lead_staff_id.data else None,
                "contract_number": form.contract_number.data, "contract_signed_on": form.contract_signed_on.data}
        upload = request.files.get("file")
        if upload and upload.filename:
            data.update(file=upload.stream, filename=upload.filename)
        if run(form, ops.appoint_agency, tender, data, actor=actor()):
            return None
    return form


HANDLERS = {"facts": _facts, "timeline": _timeline, "areas": _areas, "resolution": _resolution,
            "custodians": _custodians, "scheme": _scheme, "documents": _documents, "agency": _agency}
SECTION_ACTION = {"timeline": ("edit", "edit_timeline"), "documents": ("upload_document",), "agency": ("appoint_agency",)}


@bp.route("/<int:tender_id>/edit/<any(facts,timeline,areas,resolution,custodians,scheme,documents,agency):section>",
          methods=["GET", "POST"])
@access(MANAGERS)
@body_limit(UPLOAD_LIMIT)
def edit(tender_id: int, section: str):
    tender = load(tender_id)
    wanted = SECTION_ACTION.get(section, ("edit",))
    allowed = actions(tender)
    if not any(a in allowed for a in wanted):
        ops.require_action(tender, active_membership(), wanted[0], clock.now())
    form = HANDLERS[section](tender)
    if form is None:
        flash(_("Saved."), "success")
        return redirect(url_for("tender.manage", tender_id=tender.id))
    values = tender_values(tender, clock.now())
    return render_template(f"tenders/manage/{section}.html", tender=tender, form=form, section=section,
                           values=values, now=clock.now()), 400 if form.errors else 200


# --- moves of the whole tender ---------------------------------------------------------------------


@bp.route("/<int:tender_id>/submit", methods=["GET", "POST"])
@access(MANAGERS)
def submit(tender_id: int):
    tender = load(tender_id)
    now = clock.now()
    button = ButtonForm()
    if request.method == "POST" and button.valid():
        outcome = run(button, ops.submit_for_filing, tender, actor=actor())
        if outcome:
            return done(_("Submitted to the district bureau for filing."), "tender.manage", tender_id=tender.id)
    values = tender_values(tender, now)
    problems = ops.submission_problems(tender, values, now) if "submit" in actions(tender) else []
    return render_template("tenders/manage/submit.html", tender=tender, now=now, problems=problems, values=values,
                           actions=actions(tender), errors=button.form_errors), 409 if button.form_errors else 200


@bp.post("/<int:tender_id>/publish")
@access(MANAGERS)
def publish(tender_id: int):
    tender = load(tender_id)
    button = ButtonForm()
    button.valid()
    outcome = run(button, ops.publish_tender, tender, actor=actor())
    if outcome:
        return done(_("The tender is published and open for bids."), "tender.detail", tender_id=tender.id)
    for message in _messages(outcome.error):
        flash(message, "error")
    return redirect(url_for("tender.manage", tender_id=tender.id))


def _messages(error) -> list[str]:
    problems = getattr(error, "problems", None)
    return [p.message for p in problems] if problems else [error.message]


@bp.route("/<int:tender_id>/cancel", methods=["GET", "POST"])
@access(CANCELLERS)
def cancel(tender_id: int):
    tender = load(tender_id)
    _require(tender, "cancel")
    form = CancelForm()
    if form.validate_on_submit():
        if run(form, ops.cancel_tender, tender, {"reason": form.reason.data, "note": form.note.data}, actor=actor()):
            return done(_("The tender is cancelled; everyone concerned is told."), "tender.detail", tender_id=tender.id)
    return render_template("tenders/manage/cancel.html", tender=tender, form=form), 400 if form.errors else 200


@bp.get("/<int:tender_id>/questions")
@access(MANAGERS)
def questions(tender_id: int):
    tender = load(tender_id)
    return render_template("tenders/manage/questions.html", tender=tender, open=_questions(tender, answered=False),
                           answered=_questions(tender, answered=True), actions=actions(tender), form=AnswerForm())


@bp.route("/<int:tender_id>/questions/<int:question_id>/answer", methods=["GET", "POST"])
@access(MANAGERS)
def answer(tender_id: int, question_id: int):
    tender = load(tender_id)
    question = row(Question, question_id)
    if question is None or question.tender_id != tender.id:
        abort(404)
    _require(tender, "answer")
    form = AnswerForm()
    if form.validate_on_submit():
        if run(form, ops.answer_question, question, {"text": form.text.data}, actor=actor()):
            return done(_("The answer was sent to every registered firm."), "tender.questions", tender_id=tender.id)
    return render_template("tenders/manage/answer.html", tender=tender, question=question, form=form), \
        400 if form.errors else 200


@bp.route("/<int:tender_id>/clarify", methods=["GET", "POST"])
@access(MANAGERS)
def clarify(tender_id: int):
    tender = load(tender_id)
    _require(tender, "clarify")
    form = TextForm()
    if form.validate_on_submit():
        data = {"kind": "clarification", "text": form.text.data}
        if run(form, ops.issue_clarification, tender, data, actor=actor()):
            return done(_("The clarification was sent to every registered firm."), "tender.manage",
                        tender_id=tender.id)
    return render_template("tenders/manage/clarify.html", tender=tender, form=form,
                           values=tender_values(tender, clock.now())), 400 if form.errors else 200

