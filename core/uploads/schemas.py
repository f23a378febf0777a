"""Schemas of the upload API (input and output kept apart)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class UploadCreate(Schema):
    purpose = fields.String(required=True, validate=validate.Length(min=1, max=32),
                            metadata={"description": "what the file is for, e.g. bid"})
    target = fields.String(required=True, validate=validate.Length(min=1, max=128),
                           metadata={"description": "what it belongs to, as the purpose names it (a bid: TENDER/VERSION)"})
    length = fields.Integer(required=True, strict=True, validate=validate.Range(min=1),
                            metadata={"description": "the file's total length in bytes"})


class UploadOut(Schema):
    id = fields.String()
    purpose = fields.String()
    target = fields.String()
    length = fields.Integer()
    offset = fields.Integer(metadata={"description": "bytes the server holds; send the next part from here"})
    status = fields.Method("_status", metadata={"description": "receiving, completed, refused or expired"})
    expires_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)
    result = fields.Dict(allow_none=True, metadata={"description": "what the purpose answered to the last byte "
                                                                   "(a bid: its signed receipt)"})
    refused_because = fields.String(attribute="failed_reason", allow_none=True)

    def _status(self, upload) -> str:
        from core.db import utcnow

        return upload.status(utcnow())
