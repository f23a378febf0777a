"""Public pages: the list of announced tenders, a tender's announcement, its documents, the server's
time for the countdown, and the register of tender agencies."""

from __future__ import annotations

from flask import abort, current_app, jsonify, render_template, request, send_file, url_for
from flask_babel import get_locale
from werkzeug.routing import BuildError

from core import clock
from core.accounts.models import District, Organisation, OrgKind, OrgStatus
from core.authz import PUBLIC, access, active_membership
from core.db import db
from core.views import endpoint_url
from tender.tenders import cache
from tender.tenders.forms import FilterForm
from tender.tenders.models import Clarification, Question, TenderDocument
from tender.tenders.operations import tender_values
from tender.tenders.operations.access import capacity, registration_of
from tender.tenders.operations.agencies import agencies, appointments_of, staff_of
from tender.tenders.operations.queries import PAGE_SIZE, public_tenders
from tender.tenders.sections import tender_sections
from tender.tenders.views import bp
from tender.tenders.views.common import actions, load, row


def district_choices(blank=True):
    locale = str(get_locale())
    rows = db.session.scalars(db.select(District).order_by(District.code))
    return ([("", "—")] if blank else []) + [(d.code, d.display_name(locale)) for d in rows]


@bp.get("")
@access(PUBLIC)
@cache.public_answer
def index():
    form = FilterForm(request.args)
    form.district.choices = district_choices()
    now = clock.now()
    args = form.data if form.validate() else {}
    page = public_tenders(args, now, request.args.get("page", 1, type=int) or 1, PAGE_SIZE)
    open_deadlines = [t.bid_deadline for t in page.items if t.phase(now) == "open_for_bids"]
    cache.hold_until(min(open_deadlines) if open_deadlines else None)
    query = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("tenders/index.html", form=form, page=page, now=now, query=query)


def _detail_context(tender, now):
    membership = active_membership()
    who = capacity(tender, membership)
    registration = registration_of(tender, membership)
    answers = []
    if who in ("tenderer", "agency", "bureau") or registration is not None:
        answers = list(db.session.scalars(db.select(Clarification).where(Clarification.tender_id == tender.id)
                                          .order_by(Clarification.number)))
    questions = {}
    if answers:
        for q in db.session.scalars(db.select(Question).where(Question.tender_id == tender.id,
                                                              Question.answer_id.is_not(None))):
            questions[q.answer_id] = q
    return {"tender": tender, "now": now, "values": tender_values(tender, now), "who": who,
            "registration": registration, "answers": answers, "questions": questions,
            "actions": actions(tender), "credit_lookup": endpoint_url("credit.lookup"),
            "stage_sections": tender_sections(tender, membership, now)}


@bp.get("/<int:tender_id>")
@access(PUBLIC)
@cache.public_answer
def detail(tender_id: int):
    tender = load(tender_id, whole=True)
    now = clock.now()
    if tender.phase(now) == "open_for_bids":
        cache.hold_until(tender.bid_deadline)
    return render_template("tenders/detail.html", **_detail_context(tender, now))


@bp.get("/<int:tender_id>/documents/<int:document_id>")
@access(PUBLIC)
def document(tender_id: int, document_id: int):
    tender = load(tender_id)
    doc = row(TenderDocument, document_id)
    if doc is None or doc.tender_id != tender.id:
        abort(404)
    # The public reads issued versions only; the tenderer, its agency and the bureau also read drafts.
    if doc.issued_at is None and capacity(tender, active_membership()) not in ("tenderer", "agency", "bureau"):
        abort(404)
    from tender.tenders.operations.files import open_file

    return send_file(open_file(doc.digest), mimetype=doc.media_type, as_attachment=True, download_name=doc.filename,
                     etag=doc.digest, conditional=True)


@bp.get("/time")
@access(PUBLIC)
def server_time():
    """The server's business time, which the countdown script counts from."""
    response = jsonify({"now": clock.now().isoformat()})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/agencies")
@access(PUBLIC)
def agency_register():
    return render_template("tenders/agencies.html", agencies=agencies())


@bp.get("/agencies/<int:org_id>")
@access(PUBLIC)
def agency_page(org_id: int):
    agency = row(Organisation, org_id)
    if agency is None or agency.kind != OrgKind.AGENCY or agency.status != OrgStatus.VERIFIED:
        abort(404)
    credit_url = None
    # The credit registry lists agencies as subjects once it has a page for them; until then, no link.
    if "credit.agency" in current_app.view_functions and agency.uscc:
        try:
            credit_url = url_for("credit.agency", uscc=agency.uscc)
        except BuildError:
            credit_url = None
    return render_template("tenders/agency.html", agency=agency, staff=staff_of(agency),
                           appointments=appointments_of(agency, public_only=True), credit_url=credit_url)
