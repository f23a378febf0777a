"""JSON API: the signed-in user and their notifications."""

from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint, Page

from core.accounts.models import Role, User
from core.authz import access, active_membership, roles, signed_in
from core.db import NotFound, db
from core.idempotency import idempotent
from core.jobs import operations as ops
from core.jobs.models import Notification
from core.jobs.schemas import MeOut, NotificationCreate, NotificationOut, NotificationQuery, SentNotificationOut

blp = Blueprint(
    "me_api", __name__, url_prefix="/api/v1", description="The signed-in user, their membership and notifications"
)


def delivered_to(user: User):
    return sa.select(Notification).where(Notification.user_id == user.id, Notification.delivered_at.is_not(None))


def unread_count(user: User) -> int:
    query = delivered_to(user).where(Notification.read_at.is_(None))
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))


def own_notification(notification_id: int) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id or notification.delivered_at is None:
        raise NotFound(_("No such notification."))
    return notification


class QueryPage(Page):
    """A page of a SQLAlchemy select."""

    @property
    def item_count(self):
        return db.session.scalar(sa.select(sa.func.count()).select_from(self.collection.subquery()))

    @property
    def items(self):
        if self.page_params.first_item >= self.page_params.item_count:
            return []  # past the end (also keeps absurd page numbers away from the database)
        query = self.collection.offset(self.page_params.first_item).limit(self.page_params.page_size)
        return list(db.session.scalars(query))


@blp.route("/me")
class Me(MethodView):
    @access(signed_in("account"))
    @blp.response(200, MeOut)
    def get(self):
        """The signed-in user, the membership they act in and their unread notification count."""
        user = current_user._get_current_object()
        return {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "locale": user.locale,
            "has_second_factor": user.has_second_factor,
            "active_membership": active_membership(),
            "memberships": user.active_memberships(),
            "unread_notifications": unread_count(user),
        }


@blp.route("/notifications")
class Notifications(MethodView):
    @access(signed_in("account"))
    @blp.arguments(NotificationQuery, location="query")
    @blp.response(200, NotificationOut(many=True))
    @blp.paginate(QueryPage)
    def get(self, args):
        """The signed-in user's notifications, newest first."""
        query = delivered_to(current_user)
        if args["unread"]:
            query = query.where(Notification.read_at.is_(None))
        return query.order_by(Notification.delivered_at.desc(), Notification.id.desc())

    @access(roles(Role.OPERATOR, scope="admin"))
    @idempotent
    @blp.arguments(NotificationCreate)
    @blp.response(201, SentNotificationOut)
    def post(self, data):
        """Send a notification to one user (platform operators); accepts an Idempotency-Key."""
        recipient = db.session.get(User, data["recipient_id"])
        if recipient is None:
            raise NotFound(_("No such user."))
        return ops.send_notification(recipient, data, actor=current_user._get_current_object())


@blp.route("/notifications/<int:notification_id>")
class OneNotification(MethodView):
    @access(signed_in("account"))
    @blp.response(200, NotificationOut)
    def get(self, notification_id: int):
        """One of the signed-in user's notifications."""
        return own_notification(notification_id)


@blp.route("/notifications/<int:notification_id>/read")
class ReadNotification(MethodView):
    @access(signed_in("account"))
    @blp.response(200, NotificationOut)
    def post(self, notification_id: int):
        """Mark a notification read (marking it again changes nothing)."""
        return ops.mark_read(own_notification(notification_id), actor=current_user._get_current_object())
