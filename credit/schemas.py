"""JSON shapes of the credit API: what the public may see, and the few inputs it accepts."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class LookupQuerySchema(Schema):
    q = fields.String(required=True, validate=validate.Length(min=1, max=100),
                      metadata={"description": "Any part of a firm's name (2+ characters), a USCC or a certificate number"})
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=50))


class IdLookupSchema(Schema):
    id_number = fields.String(required=True, validate=validate.Length(equal=18))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))


class ScoreQuerySchema(Schema):
    at = fields.AwareDateTime(required=False, metadata={"description": "Instant (ISO 8601 with offset); now if omitted"})


class FirmSummarySchema(Schema):
    uscc = fields.String()
    name = fields.String()
    kind = fields.String(metadata={"description": "firm or agency"})
    listed = fields.Boolean(metadata={"description": "On the list of seriously untrustworthy subjects now"})
    url = fields.String()


class ManagerSummarySchema(Schema):
    certificate_no = fields.String()
    name = fields.String()
    url = fields.String()


class LookupResultSchema(Schema):
    kind = fields.String(metadata={"description": "uscc, certificate, name, id_number or too_short"})
    firms = fields.List(fields.Nested(FirmSummarySchema))
    managers = fields.List(fields.Nested(ManagerSummarySchema))


class ListingBasisSchema(Schema):
    reference = fields.String()
    item_code = fields.String()
    item_title = fields.String()
    basis = fields.String(allow_none=True, metadata={"description": "Legal basis of the conduct item"})
    decision_no = fields.String(allow_none=True)


class ListingSchema(Schema):
    start = fields.DateTime()
    end = fields.DateTime(allow_none=True, metadata={"description": "When the listing ends if nothing else happens"})
    basis = fields.List(fields.Nested(ListingBasisSchema))


class StandingSchema(Schema):
    at = fields.DateTime()
    score = fields.Float()
    grade = fields.String(allow_none=True, metadata={"description": "A listed subject's grade is capped by the policy"})
    listed = fields.Boolean(metadata={"description": "On the list of seriously untrustworthy subjects"})
    listing = fields.Nested(ListingSchema, allow_none=True)
    may_bid = fields.Boolean(metadata={"description": "May take part in tenders at this instant"})
    own_points = fields.Integer()
    manager_points = fields.Float()


class PublicRecordSchema(Schema):
    reference = fields.String()
    item_code = fields.String()
    item_title = fields.String()
    example_item = fields.Boolean()
    catalogue_version = fields.Integer()
    basis = fields.String(allow_none=True, metadata={"description": "Legal basis of the conduct item"})
    severity = fields.String()
    points = fields.Integer()
    occurred_on = fields.Date()
    decision = fields.String(allow_none=True)
    decision_no = fields.String(allow_none=True)
    decided_on = fields.Date(allow_none=True)
    authority = fields.String(allow_none=True)
    published_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)
    correction_from = fields.DateTime(allow_none=True, metadata={"description": "Earliest instant a correction may be asked for"})
    corrected_at = fields.DateTime(allow_none=True)


class ManagerPointsSchema(Schema):
    certificate_no = fields.String()
    name = fields.String()
    points = fields.Integer()


class FirmProfileSchema(Schema):
    uscc = fields.String()
    name = fields.String()
    kind = fields.String(metadata={"description": "firm or agency"})
    qualification = fields.String(allow_none=True)
    head_office_uscc = fields.String(allow_none=True)
    branch_usccs = fields.List(fields.String())
    standing = fields.Nested(StandingSchema)
    records = fields.List(fields.Nested(PublicRecordSchema))
    managers = fields.List(fields.Nested(ManagerPointsSchema))
    history = fields.List(fields.Tuple((fields.DateTime(), fields.Float())))
    url = fields.String()


class ManagerProfileSchema(Schema):
    certificate_no = fields.String()
    name = fields.String()
    firm_uscc = fields.String(allow_none=True)
    standing = fields.Nested(StandingSchema)
    records = fields.List(fields.Nested(PublicRecordSchema))
    communities = fields.List(fields.String())
    url = fields.String()


class EligibilitySchema(Schema):
    eligible = fields.Boolean()
    reasons = fields.List(fields.String())
    reason_texts = fields.List(fields.String(), metadata={"description": "The reasons in plain words"})
    credit_factor = fields.Float()
    standing = fields.Nested(StandingSchema)


class ReportListingSchema(Schema):
    start = fields.String()
    end = fields.String(allow_none=True)
    basis = fields.List(fields.Dict())


class ReportSchema(Schema):
    code = fields.String()
    subject_kind = fields.String()
    subject_key = fields.String()
    subject_name = fields.String()
    issued_at = fields.DateTime()
    score = fields.String()
    grade = fields.String(allow_none=True)
    listing = fields.Nested(ReportListingSchema, allow_none=True)
    may_bid = fields.Boolean(allow_none=True)
    record_refs = fields.List(fields.String())
