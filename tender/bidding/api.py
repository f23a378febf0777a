"""JSON API of bidding (/api/v1/tenders/<id>/bid...): what to seal to, the firm's bid and receipts,
withdrawing, the bid security, and the public signed list. The envelope itself is sent through the
resumable upload API (/api/v1/uploads, purpose ``bid``; docs/uploads.md)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from core import clock
from core.accounts.models import Role
from core.authz import PUBLIC, access, active_membership, roles
from core.idempotency import idempotent
from tender.bidding import operations as ops
from tender.bidding.schemas import BidOut, ReceiptOut, SecurityIn, SecurityOut
from tender.tenders.models import Tender
from tender.tenders.operations import may_view
from tender.tenders.views.common import actor, row

blp = Blueprint("bidding_api", __name__, url_prefix="/api/v1/tenders", description="Sealed bids")

FIRMS_READ = roles(Role.FIRM, scope="tender:read")
FIRMS_WRITE = roles(Role.FIRM, scope="tender:write")


def _load(tender_id: int) -> Tender:
    tender = row(Tender, tender_id)
    if tender is None or not may_view(tender, active_membership()):
        abort(404, message="No tender with this id is visible to you.")
    return tender


def _own_bid(tender: Tender):
    bid = ops.bid_of(tender, active_membership().organisation_id)
    if bid is None:
        abort(404, message="Your firm has sent no bid for this tender.")
    return bid


@blp.route("/<int:tender_id>/bid/parameters")
class SealingParameters(MethodView):
    @access(FIRMS_READ)
    def get(self, tender_id: int):
        """What to seal the next version to: tender and bid ids, version, deadline, the custodian list,
        the upload target and the price sheet's rules (for ``flask seal`` and other tools)."""
        tender = _load(tender_id)
        ops.submission.require(tender, active_membership(), "submit", clock.now())
        return ops.sealing_parameters(tender, active_membership())


@blp.route("/<int:tender_id>/bid")
class OwnBid(MethodView):
    @access(FIRMS_READ)
    @blp.response(200, BidOut)
    def get(self, tender_id: int):
        """The firm's bid: its status, final version and security."""
        return _own_bid(_load(tender_id))


@blp.route("/<int:tender_id>/bid/receipts")
class OwnReceipts(MethodView):
    @access(FIRMS_READ)
    @blp.response(200, ReceiptOut(many=True))
    def get(self, tender_id: int):
        """The firm's signed log entries: a receipt per version sent, and a withdrawal if it withdrew."""
        return ops.receipts_of(_own_bid(_load(tender_id)))


@blp.route("/<int:tender_id>/bid/withdrawal")
class Withdrawal(MethodView):
    @access(FIRMS_WRITE)
    @idempotent
    @blp.response(201, ReceiptOut)
    def post(self, tender_id: int):
        """Withdraw the firm's bid before the deadline; answers the signed withdrawal. Accepts an Idempotency-Key."""
        bid = ops.withdraw_bid(_load(tender_id), actor=actor())
        return ops.receipts_of(bid)[-1], 201


@blp.route("/<int:tender_id>/bid/security")
class Security(MethodView):
    @access(FIRMS_WRITE)
    @idempotent
    @blp.arguments(SecurityIn)
    @blp.response(201, SecurityOut)
    def post(self, data, tender_id: int):
        """Declare the bid security paid (the tender's amount) and its payer account. Accepts an Idempotency-Key."""
        return ops.declare_security(_load(tender_id), data, actor=actor()), 201


@blp.route("/<int:tender_id>/sealed-bids")
class SealedList(MethodView):
    @access(PUBLIC)
    def get(self, tender_id: int):
        """The signed list of sealed bids published at the deadline, its checkpoint and the receipt log
        (bids named by opaque ids only); 404 before the deadline."""
        tender = _load(tender_id)
        published = ops.public_list(tender)
        if published is None:
            abort(404, message="The list of sealed bids is published at the bid deadline.")
        return {**published, "signed_at": published["signed_at"].isoformat()}
