"""Schemas of the bidding API (input and output kept apart)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class SecurityIn(Schema):
    payer_account = fields.String(required=True, validate=validate.Length(min=1, max=64))
    payer_name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class SecurityOut(Schema):
    amount_fen = fields.Integer()
    payer_account = fields.String()
    payer_name = fields.String()
    declared_at = fields.DateTime()


class ReceiptOut(Schema):
    kind = fields.String(metadata={"description": "receipt (an envelope received) or withdrawal"})
    version = fields.Integer()
    envelope_sha256 = fields.String()
    at = fields.DateTime()
    superseded_at = fields.DateTime(allow_none=True)
    signed = fields.Dict(metadata={"description": "the signed log entry: {payload, signature} (docs/envelope.md 7)"})


class BidOut(Schema):
    ref = fields.String()
    status = fields.Function(lambda bid: bid.status.value)
    version = fields.Function(lambda bid: bid.current_version.version if bid.current_version else None)
    envelope_sha256 = fields.Function(lambda bid: bid.current_version.envelope_sha256 if bid.current_version else None)
    security = fields.Nested(SecurityOut, allow_none=True)
