"""JSON shapes of the tender API: separate input (load) and output (dump) schemas, and the field
sets each audience sees (the public fewer than the tenderer and the bureau)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from tender.tenders.models import CancelReason, FeeModel, TenderKind
from tender.tenders.operations.queries import PUBLIC_PHASES

TEXT = validate.Length(min=1, max=4000)


# --- input ---


class TenderQuerySchema(Schema):
    district = fields.String(validate=validate.Length(equal=6))
    kind = fields.String(validate=validate.OneOf([k.value for k in TenderKind]))
    state = fields.String(validate=validate.OneOf(PUBLIC_PHASES))
    published_from = fields.Date()
    published_to = fields.Date()
    q = fields.String(validate=validate.Length(min=1, max=50),
                      metadata={"description": "Text in the community's name"})


class TenderCreateSchema(Schema):
    community_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    district_code = fields.String(validate=validate.Length(equal=6))
    address = fields.String(validate=validate.Length(max=300))


class TenderUpdateSchema(Schema):
    community_name = fields.String(validate=validate.Length(min=1, max=200))
    address = fields.String(validate=validate.Length(max=300))
    buildings = fields.Integer(allow_none=True, strict=True)
    households = fields.Integer(allow_none=True, strict=True)
    service_grade = fields.Integer(allow_none=True, strict=True, validate=validate.Range(1, 5))
    service_scope = fields.String(validate=validate.Length(max=4000))
    fee_model = fields.String(validate=validate.OneOf([f.value for f in FeeModel]))
    ceiling_fen = fields.Integer(allow_none=True, strict=True,
                                 metadata={"description": "Ceiling price per m² per month, in fen"})
    contract_months = fields.Integer(allow_none=True, strict=True)
    qualifications = fields.String(validate=validate.Length(max=4000))
    min_credit_score = fields.Integer(allow_none=True, strict=True)
    bid_validity_days = fields.Integer(allow_none=True, strict=True)
    bid_security_fen = fields.Integer(allow_none=True, strict=True)
    documents_from = fields.Date(allow_none=True)
    documents_until = fields.Date(allow_none=True)
    bid_deadline = fields.AwareDateTime(allow_none=True)
    opening_at = fields.AwareDateTime(allow_none=True)


class FilingSchema(Schema):
    filing_number = fields.String(validate=validate.Length(max=40))


class ReasonsSchema(Schema):
    reasons = fields.String(required=True, validate=TEXT)


class CancelSchema(Schema):
    reason = fields.String(required=True, validate=validate.OneOf([r.value for r in CancelReason]))
    note = fields.String(required=True, validate=TEXT)


class TextSchema(Schema):
    text = fields.String(required=True, validate=TEXT)


class DocumentUploadSchema(Schema):
    change_note = fields.String(validate=validate.Length(max=2000))


# --- output ---


class AreaSchema(Schema):
    property_type = fields.String()
    floor_area_m2 = fields.Integer()


class DocumentSchema(Schema):
    id = fields.Integer()
    version = fields.Integer()
    filename = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    change_note = fields.String()
    issued_at = fields.DateTime(allow_none=True)
    url = fields.String()


class PublicTenderSchema(Schema):
    """What anyone may read about an announced tender (OCDS names in the descriptions)."""

    id = fields.Integer()
    reference = fields.String(metadata={"description": "OCDS tender.id"})
    kind = fields.String()
    state = fields.String()
    phase = fields.String(metadata={"description": "Derived at the request's instant, e.g. open_for_bids"})
    ocds_status = fields.String(metadata={"description": "OCDS tender status codelist"})
    tenderer = fields.String(metadata={"description": "OCDS buyer"})
    agency = fields.String(allow_none=True, metadata={"description": "OCDS procuringEntity, when an agency runs it"})
    community_name = fields.String()
    district_code = fields.String()
    address = fields.String()
    buildings = fields.Integer(allow_none=True)
    households = fields.Integer(allow_none=True)
    areas = fields.List(fields.Nested(AreaSchema))
    service_grade = fields.Integer(allow_none=True)
    service_scope = fields.String()
    fee_model = fields.String()
    ceiling_fen = fields.Integer(allow_none=True, metadata={"description": "per m² per month (OCDS tender.value)"})
    contract_months = fields.Integer(allow_none=True)
    qualifications = fields.String()
    min_credit_score = fields.Integer(allow_none=True)
    bid_validity_days = fields.Integer(allow_none=True)
    bid_security_fen = fields.Integer(allow_none=True)
    custodian_threshold = fields.Integer(allow_none=True)
    custodian_count = fields.Integer()
    documents_from = fields.Date(allow_none=True)
    documents_until = fields.Date(allow_none=True)
    bid_deadline = fields.DateTime(allow_none=True, metadata={"description": "OCDS tender.tenderPeriod.endDate"})
    opening_at = fields.DateTime(allow_none=True)
    original_deadline = fields.DateTime(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    scheme = fields.Dict()
    documents = fields.List(fields.Nested(DocumentSchema))
    cancel_reason = fields.String(allow_none=True)
    cancel_note = fields.String(allow_none=True)
    url = fields.String()


class ManagedTenderSchema(PublicTenderSchema):
    """The tenderer's, its agency's and the bureau's view: the filing and what may be done next."""

    submitted_at = fields.DateTime(allow_none=True)
    filing_due_at = fields.DateTime(allow_none=True)
    filed_at = fields.DateTime(allow_none=True)
    filing_number = fields.String(allow_none=True)
    return_reasons = fields.String(allow_none=True)
    procedure_values = fields.Dict(allow_none=True)
    allowed_actions = fields.List(fields.String())
    problems = fields.List(fields.Dict())


class RegistrationSchema(Schema):
    tender_id = fields.Integer()
    registered_at = fields.DateTime()
    credit_score = fields.String()
    credit_grade = fields.String(allow_none=True)


class BureauRegistrationSchema(RegistrationSchema):
    firm = fields.String()
    firm_uscc = fields.String(allow_none=True)


class QuestionSchema(Schema):
    """A question as firms and the tenderer see it: by its neutral code, never by its asker."""

    code = fields.String()
    text = fields.String()
    asked_at = fields.DateTime()
    answer = fields.String(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)
    mine = fields.Boolean(metadata={"description": "Asked by the caller's own firm"})


class BureauQuestionSchema(QuestionSchema):
    asker = fields.String()
    asker_uscc = fields.String(allow_none=True)


class ClarificationSchema(Schema):
    number = fields.Integer()
    kind = fields.String()
    text = fields.String()
    issued_at = fields.DateTime()
    deadline_before = fields.DateTime(allow_none=True)
    deadline_after = fields.DateTime(allow_none=True)
