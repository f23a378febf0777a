"""The public signed list of sealed bids, published at the deadline (no names before the opening)."""

from __future__ import annotations

from flask import jsonify, render_template

from core import clock
from core.authz import PUBLIC, access
from tender.bidding import operations as ops
from tender.bidding.views import bp, closing_hint
from tender.tenders.views.common import load


@bp.get("/<int:tender_id>/sealed-bids")
@access(PUBLIC)
def sealed_list(tender_id: int):
    tender = load(tender_id)
    now = clock.now()
    closing = closing_hint(tender, now)
    published = ops.public_list(tender)
    envelopes = ops.listed_envelopes(published) if published else []
    return render_template("bidding/sealed_list.html", tender=tender, published=published, closing=closing,
                           envelopes=envelopes, now=now)


@bp.get("/<int:tender_id>/sealed-bids.json")
@access(PUBLIC)
def sealed_list_json(tender_id: int):
    tender = load(tender_id)
    closing_hint(tender, clock.now())
    published = ops.public_list(tender)
    if published is None:
        response = jsonify({"tender": tender.reference, "published": False})
    else:
        response = jsonify({**published, "signed_at": published["signed_at"].isoformat(), "published": True})
    response.headers["Cache-Control"] = "no-cache"
    return response
