"""The award desk of a tender (tenderer, agency, bureau, bidders, owners' committee), each action a POST
that runs one operation, the firm's notice and the tender's whole record."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _

from core import clock
from core.accounts.models import Role
from core.authz import access, active_membership, roles
from core.web import body_limit
from tender.award import operations as ops
from tender.award.forms import (
    AnswerForm, AwardFilingForm, ComplaintForm, DecisionForm, EndOfferForm, FilingDecisionForm, ObjectionForm,
    contract_form,
)
from tender.award.models import AwardComplaint, FilingKind, AwardObjection, PartyKind
from tender.award.operations import queries, state
from tender.award.views import bp
from tender.award.views.common import award_actions, load, refuse_unless, row
from tender.tenders.views.common import ButtonForm, actor, done, run

PARTIES = roles(Role.TENDERER, Role.AGENCY, Role.SUPERVISOR, Role.FIRM)
MANAGERS = roles(Role.TENDERER, Role.AGENCY)
OBJECTORS = roles(Role.FIRM, Role.TENDERER)
SUPERVISORS = roles(Role.SUPERVISOR)
RECORD_READERS = roles(Role.TENDERER, Role.AGENCY, Role.SUPERVISOR)
FIRMS = roles(Role.FIRM)
UPLOAD_LIMIT = 21 * 1024 * 1024


def _desk(tender, status: int = 200, **forms):
    membership = active_membership()
    now = clock.now()
    who = ops.award_capacity(tender, membership)
    objections = state.objections(tender)
    if who not in ("tenderer", "agency", "bureau"):
        objections = [o for o in objections if _mine(o, membership)]
    offer = state.current_offer(tender)
    context = {
        "tender": tender, "now": now, "who": who, "actions": award_actions(tender),
        "publicity": state.current_publicity(tender), "publicities": state.publicities(tender),
        "objections": objections, "objection_actions": {o.id: ops.objection_actions(o, membership, now) for o in objections},
        "complaint_until": {o.id: state.complaint_until(o, now) for o in objections if o.answered_at},
        "offers": state.offers(tender), "offer": offer, "blockers": state.award_blockers(tender, now),
        "complaints": state.pending_complaints(tender) if who == "bureau" else [],
        "report_due": _report_due(tender, now),
        "forms": {"answer": AnswerForm(formdata=None), "complaint": ComplaintForm(formdata=None),
                  "decision": DecisionForm(formdata=None), "end": EndOfferForm(formdata=None),
                  "award_filing": AwardFilingForm(formdata=None), "filing_decision": FilingDecisionForm(formdata=None),
                  "contract": contract_form(tender) if offer is not None else None, **forms},
        "FilingKind": FilingKind,
    }
    return render_template("award/desk.html", **context), status


def _report_due(tender, now):
    report = state.unpublished_report(tender)
    return ops.publication_due(tender, report, now) if report is not None else None


def _mine(objection: AwardObjection, membership) -> bool:
    if membership is None:
        return False
    if objection.party_kind == PartyKind.BIDDER:
        return objection.firm_id == membership.organisation_id
    return objection.user_id == membership.user_id


def _tender(tender_id: int):
    tender = load(tender_id)
    refuse_unless(tender)
    return tender


@bp.get("/<int:tender_id>/award")
@access(PARTIES)
def desk(tender_id: int):
    return _desk(_tender(tender_id))


@bp.post("/<int:tender_id>/award/publish")
@access(MANAGERS)
def publish(tender_id: int):
    tender = _tender(tender_id)
    form = ButtonForm()
    if form.valid() and run(form, ops.publish_candidates, tender, actor=actor()):
        return done(_("The candidates are published."), "award.desk", tender_id=tender.id)
    return _desk(tender, 409, button=form)


@bp.route("/<int:tender_id>/objections/new", methods=["GET", "POST"])
@access(OBJECTORS)
@body_limit(UPLOAD_LIMIT)
def object_(tender_id: int):
    tender = _tender(tender_id)
    form = ObjectionForm()
    if form.validate_on_submit():
        data = {"point": form.point.data, "reasons": form.reasons.data, "evidence": form.evidence.data}
        outcome = run(form, ops.lodge_objection, tender, data, actor=actor())
        if outcome:
            return done(_("Your objection %(ref)s was lodged. The tenderer must answer it by %(due)s.",
                          ref=outcome.value.reference, due=_when(outcome.value.answer_due_at)),
                        "award.desk", tender_id=tender.id)
    return render_template("award/objection.html", tender=tender, form=form,
                           actions=award_actions(tender)), 400 if form.errors else 200


def _when(instant) -> str:
    from flask_babel import format_datetime

    return format_datetime(instant, "yyyy-MM-dd EEE HH:mm")


def _objection(tender, objection_id: int) -> AwardObjection:
    objection = row(AwardObjection, objection_id)
    if objection is None or objection.tender_id != tender.id:
        abort(404)
    return objection


@bp.post("/<int:tender_id>/objections/<int:award_objection_id>/answer")
@access(MANAGERS)
def answer(tender_id: int, award_objection_id: int):
    tender = _tender(tender_id)
    objection = _objection(tender, award_objection_id)
    form = AnswerForm()
    if form.validate_on_submit() and run(form, ops.answer_objection, objection, {"answer": form.answer.data},
                                         actor=actor()):
        return done(_("The answer was sent."), "award.desk", tender_id=tender.id)
    return _desk(tender, 400, answer=form)


@bp.post("/<int:tender_id>/objections/<int:award_objection_id>/complaint")
@access(FIRMS)
def complain(tender_id: int, award_objection_id: int):
    tender = _tender(tender_id)
    objection = _objection(tender, award_objection_id)
    form = ComplaintForm()
    if form.validate_on_submit() and run(form, ops.lodge_complaint, objection, {"reasons": form.reasons.data},
                                         actor=actor()):
        return done(_("Your complaint was sent to the district bureau."), "award.desk", tender_id=tender.id)
    return _desk(tender, 400, complaint=form)


@bp.post("/<int:tender_id>/complaints/<int:award_complaint_id>/decide")
@access(SUPERVISORS)
def decide(tender_id: int, award_complaint_id: int):
    tender = _tender(tender_id)
    complaint = row(AwardComplaint, award_complaint_id)
    if complaint is None or complaint.tender_id != tender.id:
        abort(404)
    form = DecisionForm()
    if form.validate_on_submit() and run(form, ops.decide_complaint, complaint,
                                         {"decision": form.decision.data, "reasons": form.reasons.data}, actor=actor()):
        return done(_("The decision was recorded and sent."), "award.desk", tender_id=tender.id)
    return _desk(tender, 400, decision=form)


@bp.post("/<int:tender_id>/award/confirm")
@access(MANAGERS)
def confirm(tender_id: int):
    tender = _tender(tender_id)
    form = ButtonForm()
    if form.valid() and run(form, ops.confirm_award, tender, actor=actor()):
        return done(_("The award is confirmed; the notices are being sent."), "award.desk", tender_id=tender.id)
    return _desk(tender, 409, button=form)


@bp.post("/<int:tender_id>/award/end")
@access(roles(Role.TENDERER, Role.AGENCY, Role.SUPERVISOR))
def end(tender_id: int):
    tender = _tender(tender_id)
    form = EndOfferForm()
    if form.validate_on_submit() and run(form, ops.end_offer, tender,
                                         {"outcome": form.outcome.data, "note": form.note.data}, actor=actor()):
        return done(_("The award to this candidate ended; a credit record draft is open for the bureau."),
                    "award.desk", tender_id=tender.id)
    return _desk(tender, 400, end=form)


@bp.post("/<int:tender_id>/award/filing")
@access(MANAGERS)
@body_limit(UPLOAD_LIMIT)
def award_filing(tender_id: int):
    tender = _tender(tender_id)
    form = AwardFilingForm()
    if form.validate_on_submit() and run(form, ops.submit_award_filing, tender,
                                         {"reasons": form.reasons.data, "file": form.file.data}, actor=actor()):
        return done(_("The award was submitted for filing."), "award.desk", tender_id=tender.id)
    return _desk(tender, 400, award_filing=form)


@bp.post("/<int:tender_id>/award/contract")
@access(MANAGERS)
@body_limit(UPLOAD_LIMIT)
def contract(tender_id: int):
    tender = _tender(tender_id)
    if state.current_offer(tender) is None:
        return _desk(tender, 409)
    form = contract_form(tender)
    if form.validate_on_submit():
        data = {name: getattr(form, name).data for name in form.fee_fields}
        data.update({"file": form.file.data, "signed_on": _start(form.signed_on.data),
                     "service_content": form.service_content.data, "term_months": form.term_months.data})
        if run(form, ops.submit_contract, tender, data, actor=actor()):
            return done(_("The contract was submitted for filing."), "award.desk", tender_id=tender.id)
    return _desk(tender, 400, contract=form)


def _start(day):
    from core.calendar import start_of_day

    return start_of_day(day) if day else None


@bp.post("/<int:tender_id>/award/filing/<any(award, contract):kind>/decide")
@access(SUPERVISORS)
def decide_filing(tender_id: int, kind: str):
    tender = _tender(tender_id)
    form = FilingDecisionForm()
    if form.validate_on_submit() and run(form, ops.decide_filing, tender, FilingKind(kind),
                                         {"decision": form.decision.data, "reasons": form.reasons.data}, actor=actor()):
        return done(_("The decision on the filing was recorded."), "award.desk", tender_id=tender.id)
    return _desk(tender, 400, filing_decision=form)


@bp.get("/<int:tender_id>/award/notice")
@access(FIRMS)
def notice(tender_id: int):
    tender = _tender(tender_id)
    membership = active_membership()
    if "see_notice" not in award_actions(tender):
        abort(404)
    offers = state.notices_for(tender, membership.organisation_id)
    won = next((a for a in offers if a.firm_id == membership.organisation_id and a.ended_at is None), None)
    return render_template("award/notice.html", tender=tender, offers=offers, won=won,
                           winner=state.current_offer(tender), firm=membership.organisation)


@bp.get("/<int:tender_id>/record")
@access(RECORD_READERS)
def record(tender_id: int):
    tender = load(tender_id, whole=True)
    if "see_record" not in award_actions(tender):
        abort(404)
    return render_template("award/record.html", tender=tender, events=queries.audit_events(tender),
                           documents=queries.documents(tender), chain=queries.receipt_chain(tender),
                           publicities=state.publicities(tender), objections=state.objections(tender),
                           offers=state.offers(tender), now=clock.now())


@bp.get("/<int:tender_id>/award/files/<string:sha256>")
@access(PARTIES)
def file(tender_id: int, sha256: str):
    """An evidence file, a filed contract or attachment of this tender, for its tenderer, agency and bureau,
    and the evidence for the party that lodged it."""
    from flask import send_file

    from tender.tenders.operations.files import open_file

    tender = _tender(tender_id)
    who = ops.award_capacity(tender, active_membership())
    for entry in queries.documents(tender):
        if entry["sha256"] == sha256 and entry["role"] in ("evidence", "contract", "attachment"):
            if who not in ("tenderer", "agency", "bureau"):
                mine = [o for o in state.objections(tender) if _mine(o, active_membership())
                        and any(e["sha256"] == sha256 for e in o.evidence or [])]
                if not mine:
                    abort(404)
            return send_file(open_file(sha256), as_attachment=True, download_name=entry["name"].split(": ")[-1],
                             etag=sha256, conditional=True)
    abort(404)
