"""JSON API of the award stage (/api/v1/tenders/<id>/...): the published candidates, the fee notice,
and a bidder's or committee member's objection."""

from __future__ import annotations

from flask_smorest import Blueprint, abort

from core.accounts.models import Role
from core.authz import PUBLIC, access, active_membership, roles
from core.idempotency import idempotent
from tender.award import operations as ops
from tender.award.operations import state
from tender.award.schemas import FeeNoticeSchema, ObjectionCreateSchema, ObjectionSchema, PublicitySchema
from tender.tenders.models import Tender
from tender.tenders.operations import may_view
from tender.tenders.views.common import row

blp = Blueprint("award_api", __name__, url_prefix="/api/v1/tenders", description="Award")

WRITE = "tender:write"


def _load(tender_id: int) -> Tender:
    tender = row(Tender, tender_id)
    if tender is None or not may_view(tender, active_membership()):
        abort(404, message="No tender with this id is visible to you.")
    return tender


@blp.route("/<int:tender_id>/candidates")
@access(PUBLIC)
@blp.response(200, PublicitySchema)
def candidates(tender_id: int):
    """The candidates as last published (the publicity of 中标候选人)."""
    found = state.publicities(_load(tender_id))
    if not found:
        abort(404, message="The candidates of this tender have not been published.")
    return found[-1]


@blp.route("/<int:tender_id>/fee-notice")
@access(PUBLIC)
@blp.response(200, FeeNoticeSchema)
def fee_notice(tender_id: int):
    """The contract's public part: service content and fee standard."""
    tender = _load(tender_id)
    notice = ops.fee_notice(tender)
    if notice is None:
        abort(404, message="This tender has no filed contract.")
    part = notice["part"]
    return {"tender_id": tender.id, "community_name": tender.community_name, "firm_name": notice["firm"].name,
            "service_content": part["service_content"], "fee_model": part["fee_model"], "fees": part["fees"],
            "term_months": part["term_months"], "filed_at": notice["filed_at"]}


@blp.route("/<int:tender_id>/objections", methods=["POST"])
@idempotent
@access(roles(Role.FIRM, Role.TENDERER, scope=WRITE))
@blp.arguments(ObjectionCreateSchema)
@blp.response(201, ObjectionSchema)
def lodge(data: dict, tender_id: int):
    """Lodge an objection during the publicity (evidence files are added on the page)."""
    from flask_login import current_user

    return ops.lodge_objection(_load(tender_id), data, actor=current_user._get_current_object())
