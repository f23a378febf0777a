"""Schemas of the sealing API: what a custodian sends, and what the platform answers."""

from marshmallow import Schema, fields, validate

from tender.sealing.encoding import b64encode


class PublicKeySchema(Schema):
    public_key = fields.String(required=True, validate=validate.Length(min=40, max=64))


class KeyCheckSchema(Schema):
    """A test share wrapped to a custodian's key; unwrapped only on the custodian's device."""

    context = fields.String()
    key_id = fields.String()
    wrapped = fields.String()


class KeyRegistrationSchema(Schema):
    public_key = fields.String(required=True, validate=validate.Length(min=40, max=64))
    label = fields.String(load_default="", validate=validate.Length(max=100))
    origin = fields.String(load_default="browser", validate=validate.OneOf(["browser", "cli"]))
    context = fields.String(required=True, validate=validate.Length(max=255))
    answer = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-fA-F]{64}$"))


class KeyAnswerSchema(Schema):
    context = fields.String(required=True, validate=validate.Length(max=255))
    answer = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-fA-F]{64}$"))


class CustodianKeySchema(Schema):
    """The owner's view of their registered key (the public key is public by nature)."""

    key_id = fields.String()
    public_key = fields.Method("_public_key")
    label = fields.String()
    origin = fields.String()
    created_at = fields.DateTime()
    last_checked_at = fields.DateTime(allow_none=True)

    def _public_key(self, obj):
        return b64encode(obj.public_key)


class PublishedKeySchema(Schema):
    """One receipt-signing public key, with when it was made and (once rotated away) retired."""

    alg = fields.String()
    key_id = fields.String()
    public_key = fields.String()
    created = fields.String(metadata={"description": "UTC, e.g. 2026-03-01T09:30:00Z"})
    retired = fields.String(allow_none=True, metadata={"description": "UTC, or null for the key in use"})


class PlatformKeySchema(Schema):
    """The key in use at the top, and every key ever used in ``keys``: pick a receipt's by its key_id."""

    alg = fields.String()
    key_id = fields.String()
    public_key = fields.String()
    keys = fields.List(fields.Nested(PublishedKeySchema))
