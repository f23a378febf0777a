"""Marshmallow schemas for the accounts API: what the public sees of a registration is less than
what a supervisor sees of an organisation."""

from marshmallow import Schema, fields, validate

from core.accounts.models import OrgKind, OrgStatus


class RegistrationStatusSchema(Schema):
    """Public: the state of a registration, found by its reference number."""

    reference = fields.String()
    kind = fields.Enum(OrgKind, by_value=True)
    status = fields.Enum(OrgStatus, by_value=True)
    district_code = fields.String()
    submitted_at = fields.DateTime(attribute="created_at")
    decided_at = fields.DateTime(attribute="verified_at", allow_none=True)


class OrganisationSchema(Schema):
    """Supervisors and the operator: the directory entry of an organisation."""

    id = fields.Integer()
    reference = fields.String(allow_none=True)
    kind = fields.Enum(OrgKind, by_value=True)
    name = fields.String()
    uscc = fields.String(allow_none=True)
    uscc_check = fields.Method("_uscc_check")
    uscc_override_reason = fields.String(allow_none=True)
    district_code = fields.String(allow_none=True)
    status = fields.Enum(OrgStatus, by_value=True)
    community = fields.String(allow_none=True)
    filing_record = fields.String(allow_none=True)
    created_at = fields.DateTime()
    verified_at = fields.DateTime(allow_none=True)

    def _uscc_check(self, org) -> str | None:
        from core.accounts import uscc

        if not org.uscc:
            return None
        if uscc.is_valid(org.uscc):
            return "pass"
        return "accepted_by_hand" if org.uscc_override_reason else "fail"


class OrganisationQuerySchema(Schema):
    """Filters of the directory."""

    status = fields.Enum(OrgStatus, by_value=True)
    kind = fields.Enum(OrgKind, by_value=True)
    district_code = fields.String(validate=validate.Length(equal=6))
    q = fields.String(validate=validate.Length(max=100))
