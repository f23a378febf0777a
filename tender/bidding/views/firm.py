"""The firm's bid page: sealing and sending in the browser, its receipts, withdrawing, the bid security."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _

from core import clock
from core.accounts.models import Role
from core.authz import access, active_membership, roles
from core.requests import attempt
from tender.bidding import operations as ops
from tender.bidding.forms import SecurityForm, WithdrawForm
from tender.bidding.labels import STATUS_LABELS
from tender.bidding.views import bp, closing_hint
from tender.sealing.operations import platform_key_document
from tender.tenders.operations.access import registration_of
from tender.tenders.views.common import actor, done, load

FIRMS = roles(Role.FIRM)


def _page(tender, *, security_form=None, withdraw_form=None, status=200):
    membership = active_membership()
    now = clock.now()
    actions = ops.bidding_actions(tender, membership, now)
    bid = ops.bid_of(tender, membership.organisation_id) if membership else None
    parameters = None
    if {"submit", "replace"} & actions:
        parameters = ops.sealing_parameters(tender, membership)
    security_form = security_form or SecurityForm(obj=bid.security if bid is not None else None)
    closing_hint(tender, now)
    receipts = ops.receipts_of(bid)
    return render_template(
        "bidding/bid.html", tender=tender, bid=bid, actions=actions, parameters=parameters,
        registered=registration_of(tender, membership) is not None, receipts=receipts,
        receipts_js=[{k: r[k] for k in ("kind", "version", "envelope_sha256", "signed")} for r in receipts],
        status_labels=STATUS_LABELS,
        platform_keys=platform_key_document(), security_form=security_form,
        withdraw_form=withdraw_form or WithdrawForm(), sealed=ops.sealed_list_of(tender), now=now,
    ), status


@bp.get("/<int:tender_id>/bid")
@access(FIRMS)
def bid_page(tender_id: int):
    return _page(load(tender_id))


@bp.post("/<int:tender_id>/bid/withdraw")
@access(FIRMS)
def withdraw(tender_id: int):
    tender = load(tender_id)
    form = WithdrawForm()
    if form.validate_on_submit() and attempt(form, ops.withdraw_bid, tender, actor=actor()):
        return done(_("Your bid is withdrawn. The signed withdrawal is in your receipts. You may send a new bid "
                      "until the deadline."), "bidding.bid_page", tender_id=tender.id)
    return _page(tender, withdraw_form=form, status=409 if form.form_errors else 400)


@bp.post("/<int:tender_id>/bid/security")
@access(FIRMS)
def security(tender_id: int):
    tender = load(tender_id)
    form = SecurityForm()
    if form.validate_on_submit() and attempt(form, ops.declare_security, tender, {
            "payer_account": form.payer_account.data, "payer_name": form.payer_name.data}, actor=actor()):
        return done(_("Your bid security is recorded."), "bidding.bid_page", tender_id=tender.id)
    return _page(tender, security_form=form, status=400)
