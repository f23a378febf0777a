"""Marshmallow schemas for the signed-in user and notifications (separate load and dump schemas)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


# PostgreSQL text cannot hold NUL; refuse it at the door rather than fail at the database.
NO_NUL = validate.Regexp(r"^[^\x00]*$", error="must not contain NUL characters")


class WholeNumber(fields.Integer):
    """A JSON integer: 3 and 3.0 (JSON Schema counts both), never "3" or true."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid")
        return super()._deserialize(int(value), attr, data, **kwargs)


class StrictBoolean(fields.Boolean):
    """JSON true or false only (marshmallow's Boolean also takes 0, 1, "yes", ...)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class OrganisationOut(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.Function(lambda org: org.kind.value, metadata={"description": "organisation kind"})
    status = fields.Function(lambda org: org.status.value)
    district_code = fields.String(allow_none=True)


class MembershipOut(Schema):
    id = fields.Integer()
    role = fields.Function(lambda m: m.role.value, metadata={"description": "role inside the organisation"})
    platform_role = fields.Function(lambda m: m.platform_role.value, metadata={"description": "role on the platform"})
    organisation = fields.Nested(OrganisationOut)


class MeOut(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    locale = fields.String(allow_none=True)
    second_factor = fields.Boolean(attribute="has_second_factor")
    active_membership = fields.Nested(MembershipOut, allow_none=True)
    memberships = fields.List(fields.Nested(MembershipOut))
    unread_notifications = fields.Integer()


def _in_request_locale(notification, part: int) -> str:
    from flask_babel import get_locale

    return notification.text(str(get_locale()))[part]


class NotificationOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    message_id = fields.String(allow_none=True, metadata={"description": "the kind of message, when it is a defined one"})
    subject = fields.Function(lambda n: _in_request_locale(n, 0), metadata={"description": "in the language asked for"})
    body = fields.Function(lambda n: _in_request_locale(n, 1), metadata={"description": "in the language asked for"})
    link = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "queued, unread or read"})
    mail_copy = fields.Boolean()
    created_at = fields.DateTime()
    delivered_at = fields.DateTime(allow_none=True)
    read_at = fields.DateTime(allow_none=True)


class SentNotificationOut(NotificationOut):
    recipient_id = fields.Integer(attribute="user_id")


class NotificationCreate(Schema):
    recipient_id = WholeNumber(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    subject = fields.String(required=True, validate=[validate.Length(min=1, max=200), NO_NUL])
    body = fields.String(load_default="", validate=[validate.Length(max=5000), NO_NUL])
    link = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(r"^/(?!/)[^\s\\\x00-\x1f\x7f]{0,499}$", error="a path on this site, starting with /"),
    )
    mail_copy = StrictBoolean(load_default=False)


class NotificationQuery(Schema):
    unread = fields.Boolean(load_default=False, metadata={"description": "only unread notifications"})
