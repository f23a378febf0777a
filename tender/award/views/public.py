"""Public pages: the candidates under publicity, an owner's objection, and the fee notices."""

from __future__ import annotations

from flask import abort, render_template

from core import clock
from core.authz import PUBLIC, access
from tender.award import cache
from tender.award.forms import OwnerObjectionForm
from tender.award.operations import fee_notice, fee_notices, lodge_owner_objection, state
from tender.award.views import bp
from tender.award.views.common import load
from tender.tenders.models import TenderKind
from tender.tenders.views.common import run


@bp.get("/<int:tender_id>/candidates")
@access(PUBLIC)
@cache.public_answer
def candidates(tender_id: int):
    tender = load(tender_id)
    publicities = state.publicities(tender)
    if not publicities:
        abort(404)
    now = clock.now()
    publicity = publicities[-1]
    if publicity.running(now):
        cache.hold_until(publicity.ends_at)
    return render_template("award/candidates.html", tender=tender, publicity=publicity, earlier=publicities[:-1],
                           now=now, owners_may_object=tender.kind == TenderKind.OWNERS and publicity.running(now))


@bp.route("/<int:tender_id>/candidates/owner-objection", methods=["GET", "POST"])
@access(PUBLIC)
def owner_objection(tender_id: int):
    tender = load(tender_id)
    publicity = state.current_publicity(tender)
    now = clock.now()
    if tender.kind != TenderKind.OWNERS or publicity is None:
        abort(404)
    form = OwnerObjectionForm()
    done_ref = None
    if form.validate_on_submit():
        data = {"point": form.point.data, "reasons": form.reasons.data, "evidence": form.evidence.data,
                "owner_name": form.owner_name.data, "owner_room": form.owner_room.data,
                "owner_phone": form.owner_phone.data}
        outcome = run(form, lodge_owner_objection, tender, data)
        if outcome:
            done_ref = outcome.value.reference
    status = 400 if form.errors else 200
    return render_template("award/owner_objection.html", tender=tender, publicity=publicity, form=form, now=now,
                           reference=done_ref), status


@bp.get("/fees")
@access(PUBLIC)
@cache.public_answer
def fee_list():
    return render_template("award/fees.html", notices=fee_notices())


@bp.get("/<int:tender_id>/fees")
@access(PUBLIC)
@cache.public_answer
def fees(tender_id: int):
    tender = load(tender_id)
    notice = fee_notice(tender)
    if notice is None:
        abort(404)
    return render_template("award/fee_notice.html", **notice)
