"""Pages of the opening ceremony (开标): the ceremony page for custodians, the bureau, the tenderer and
the attending bidders, its polled status, the custodians' shares, objections and confirmations,
the failed tender's way out, and a custodian's list of the tenders they hold a share for."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core import clock
from core.authz import PUBLIC, SIGNED_IN, access, active_membership
from core.db import DomainError
from core.errors import problem
from tender.bidding.operations import failure as failure_ops
from tender.bidding.operations import opening as ops
from tender.tenders.models import Tender
from tender.tenders.views.common import ButtonForm, actor, row, run

bp = Blueprint("bid_opening", __name__, url_prefix="/tenders", template_folder="../templates",
               static_folder="../static", static_url_path="/opening-static")


def _attended(tender_id: int) -> Tender:
    """The tender, if this person plays a part at its opening (else 404: it is nobody else's business)."""
    tender = row(Tender, tender_id)
    if tender is None or not ops.may_attend(tender, active_membership(), current_user):
        abort(404)
    return tender


@bp.get("/custody")
@access(SIGNED_IN)
def custody():
    return render_template("bidding/opening_custody.html", rows=ops.custody_of(current_user))


@bp.get("/<int:tender_id>/opening")
@access(SIGNED_IN)
def opening(tender_id: int):
    tender = _attended(tender_id)
    now = clock.now()
    membership = active_membership()
    return render_template(
        "bidding/opening_ceremony.html", tender=tender, status=ops.status(tender, now),
        opening=ops.opening_of(tender), roles=ops.roles_at(tender, membership, current_user),
        actions=ops.allowed_opening_actions(tender, membership, current_user, now),
        failure=ops.failure_of(tender), bidders=failure_ops_bidders(tender),
    )


def failure_ops_bidders(tender: Tender) -> list:
    from tender.bidding.models.submission import Bid

    return [b.firm for b in Bid.query.filter_by(tender_id=tender.id).order_by(Bid.id)]


@bp.get("/<int:tender_id>/opening/status.json")
@access(SIGNED_IN)
def status(tender_id: int):
    tender = _attended(tender_id)
    return jsonify(ops.status(tender, clock.now()))


@bp.get("/<int:tender_id>/opening/statistics.json")
@access(PUBLIC)
def statistics(tender_id: int):
    tender = row(Tender, tender_id)
    if tender is None or not tender.is_public:
        abort(404)
    return jsonify(ops.statistics(tender))


@bp.get("/<int:tender_id>/opening/envelopes.json")
@access(SIGNED_IN)
def envelopes(tender_id: int):
    tender = _attended(tender_id)
    if ops.custodian_of(tender, current_user) is None:
        abort(404)
    return jsonify({"tender": tender.reference, "threshold": tender.custodian_threshold,
                    "envelopes": ops.envelope_headers(tender)})


@bp.post("/<int:tender_id>/opening/shares")
@access(SIGNED_IN)
def shares(tender_id: int):
    tender = _attended(tender_id)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return problem(400, _("Send the shares as a JSON object."), code="bad_request")
    try:
        submission = ops.submit_shares(tender, data, actor=actor(), membership=active_membership(),
                                       via="cli" if data.get("via") == "cli" else "browser")
    except DomainError as exc:
        return problem(409, exc.message, code=exc.code)
    return jsonify({"submitted": True, "position": submission.custodian_id,
                    "status": ops.status(tender, clock.now())}), 201


@bp.post("/<int:tender_id>/opening/objections")
@access(SIGNED_IN)
def object_(tender_id: int):
    tender = _attended(tender_id)
    form = ButtonForm()
    form.valid()
    outcome = run(form, ops.raise_objection, tender, {"text": request.form.get("text")}, actor=actor(),
                  membership=active_membership())
    return _back(tender, outcome, _("Your objection is recorded; the tenderer answers it here."))


@bp.post("/<int:tender_id>/opening/objections/<int:objection_id>/answer")
@access(SIGNED_IN)
def answer(tender_id: int, objection_id: int):
    tender = _attended(tender_id)
    form = ButtonForm()
    form.valid()
    outcome = run(form, ops.answer_objection, tender, objection_id, {"answer": request.form.get("answer")},
                  actor=actor(), membership=active_membership())
    return _back(tender, outcome, _("Your answer is recorded beside the objection."))


@bp.post("/<int:tender_id>/opening/confirm")
@access(SIGNED_IN)
def confirm(tender_id: int):
    tender = _attended(tender_id)
    form = ButtonForm()
    form.valid()
    outcome = run(form, ops.confirm_record, tender, actor=actor(), membership=active_membership())
    return _back(tender, outcome, _("You confirmed the opening record."))


@bp.post("/<int:tender_id>/opening/retender")
@access(SIGNED_IN)
def retender(tender_id: int):
    tender = _attended(tender_id)
    form = ButtonForm()
    form.valid()
    outcome = run(form, failure_ops.retender, tender, actor=actor(), membership=active_membership())
    if outcome:
        flash(_("A new draft was made from this tender. Check its timeline, then submit it for filing."), "success")
        return redirect(url_for("tender.manage", tender_id=outcome.value.id))
    return _back(tender, outcome, "")


@bp.post("/<int:tender_id>/opening/negotiation")
@access(SIGNED_IN)
def negotiation(tender_id: int):
    tender = _attended(tender_id)
    form = ButtonForm()
    form.valid()
    outcome = run(form, failure_ops.request_negotiation, tender,
                  {"firm_id": request.form.get("firm_id", type=int), "reasons": request.form.get("reasons")},
                  actor=actor(), membership=active_membership())
    return _back(tender, outcome, _("The request was sent to the district bureau."))


@bp.post("/<int:tender_id>/opening/negotiation/decision")
@access(SIGNED_IN)
def decide(tender_id: int):
    tender = _attended(tender_id)
    form = ButtonForm()
    form.valid()
    outcome = run(form, failure_ops.decide_negotiation, tender,
                  {"decision": request.form.get("decision"), "note": request.form.get("note")},
                  actor=actor(), membership=active_membership())
    return _back(tender, outcome, _("The decision is recorded."))


def _back(tender: Tender, outcome, message: str):
    if outcome:
        flash(message, "success")
    else:
        for error in outcome.error and [outcome.error.message] or []:
            flash(error, "error")
    return redirect(url_for("bid_opening.opening", tender_id=tender.id))
