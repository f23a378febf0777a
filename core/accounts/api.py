"""Accounts API: a registration's status by reference (public) and the organisation directory
(supervisors see their district, the city bureau and the operator see all)."""

from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from core.accounts import operations as ops
from core.accounts.models import Organisation, OrgKind, Role
from core.accounts.schemas import OrganisationQuerySchema, OrganisationSchema, RegistrationStatusSchema
from core.authz import PUBLIC, access, active_membership, require, roles
from core.extensions import db

blp = Blueprint("accounts_api", __name__, url_prefix="/api/v1", description="Organisations and registrations")

DIRECTORY_ROLES = roles(Role.SUPERVISOR, Role.OPERATOR, scope="admin")


def _visible(query, membership):
    bureau = membership.organisation
    if bureau.kind == OrgKind.DISTRICT_BUREAU:
        query = query.where(Organisation.district_code == bureau.district_code)
    return query


@blp.route("/registrations/<reference>")
class RegistrationStatus(MethodView):
    @access(PUBLIC)
    @blp.response(200, RegistrationStatusSchema)
    def get(self, reference: str):
        """The status of a registration, by the reference number on its confirmation page."""
        org = ops.find_by_reference(reference)
        if org is None:
            abort(404, message="No registration has this reference number.")
        return org


@blp.route("/organisations")
class Organisations(MethodView):
    @access(DIRECTORY_ROLES)
    @blp.arguments(OrganisationQuerySchema, location="query")
    @blp.response(200, OrganisationSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """The organisations the acting supervisor may see, filtered by status, kind, district or name."""
        query = _visible(sa.select(Organisation), active_membership())
        if "status" in args:
            query = query.where(Organisation.status == args["status"])
        if "kind" in args:
            query = query.where(Organisation.kind == args["kind"])
        if "district_code" in args:
            query = query.where(Organisation.district_code == args["district_code"])
        if args.get("q"):
            query = query.where(Organisation.name.contains(args["q"], autoescape=True))
        pagination_parameters.item_count = db.session.scalar(
            sa.select(sa.func.count()).select_from(query.subquery())
        )
        first, size = pagination_parameters.first_item, pagination_parameters.page_size
        if first >= pagination_parameters.item_count:
            return []  # past the end (also keeps absurd page numbers away from the database)
        return db.session.scalars(query.order_by(Organisation.id).offset(first).limit(size)).all()


@blp.route("/organisations/<int:org_id>")
class OrganisationDetail(MethodView):
    @access(DIRECTORY_ROLES)
    @blp.response(200, OrganisationSchema)
    def get(self, org_id: int):
        """One organisation of the directory."""
        org = db.session.get(Organisation, org_id)
        if org is None:
            abort(404)
        membership = active_membership()
        require(membership.organisation.kind != OrgKind.DISTRICT_BUREAU or org.district_code == membership.organisation.district_code, "district")
        return org
