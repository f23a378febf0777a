"""Schemas of the award API: separate load and dump schemas, the public seeing fewer fields."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class CandidateSchema(Schema):
    rank = fields.Integer()
    firm_name = fields.String()
    total_score = fields.Decimal(as_string=True)
    technical_score = fields.Decimal(as_string=True, allow_none=True)
    price_score = fields.Decimal(as_string=True, allow_none=True)
    presentation_score = fields.Decimal(as_string=True, allow_none=True)
    credit_score = fields.Decimal(as_string=True, allow_none=True)
    annual_total_fen = fields.Integer(allow_none=True)
    fee_model = fields.String(allow_none=True)
    project_manager_name = fields.String()
    project_manager_certificate = fields.String()


class PublicitySchema(Schema):
    tender_id = fields.Integer()
    round = fields.Integer()
    published_at = fields.DateTime()
    ends_at = fields.DateTime()
    late = fields.Boolean()
    candidates = fields.List(fields.Nested(CandidateSchema))


class FeeSchema(Schema):
    property_type = fields.String()
    fee_fen_per_m2_month = fields.Integer()


class FeeNoticeSchema(Schema):
    tender_id = fields.Integer()
    community_name = fields.String()
    firm_name = fields.String()
    service_content = fields.String()
    fee_model = fields.String()
    fees = fields.List(fields.Nested(FeeSchema))
    term_months = fields.Integer()
    filed_at = fields.DateTime()


class ObjectionCreateSchema(Schema):
    point = fields.String(required=True, validate=validate.OneOf(
        ["ranking", "scores", "qualification", "price", "project_manager", "procedure", "other"]))
    reasons = fields.String(required=True, validate=validate.Length(min=10, max=8000))


class ObjectionSchema(Schema):
    id = fields.Integer()
    reference = fields.String()
    point = fields.Function(lambda o: o.point.value)
    state = fields.Function(lambda o: o.state.value)
    lodged_at = fields.DateTime()
    answer_due_at = fields.DateTime()
    answer = fields.String(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)
