"""The notification list and the operators' mail outbox, through the real pages."""

from __future__ import annotations

import sqlalchemy as sa

from core.audit.models import AuditEvent
from core.extensions import db
from core.jobs import tasks
from core.jobs.models import Notification
from core.jobs.operations import notify, send_mail
from tests.factories import csrf_token


def delivered(user, subject, **options) -> Notification:
    notification = notify(user, subject, "正文", **options)
    db.session.commit()
    tasks.deliver_notification(notification.id)
    return notification


def test_a_user_reads_and_opens_notifications(client, login, make_user):
    user = make_user()
    first = delivered(user, "资格审查结果", link="/dashboard")
    delivered(user, "答疑公告")
    notify(user, "尚未投递", "")  # queued, not delivered yet: not shown
    db.session.commit()
    login(user)

    page = client.get("/notifications")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "资格审查结果" in html and "答疑公告" in html and "尚未投递" not in html
    assert "您有 2 条未读通知。" in html

    opened = client.post(f"/notifications/{first.id}/read", data={"csrf_token": csrf_token(html), "open": "1"})
    assert opened.status_code == 302 and opened.headers["Location"] == "/dashboard"
    db.session.refresh(first)
    assert first.status == "read"

    client.post("/notifications/read-all", data={"csrf_token": csrf_token(html)})
    assert "您没有未读通知。" in client.get("/notifications").get_data(as_text=True)


def test_another_users_notification_cannot_be_touched(client, login, make_user):
    owner, stranger = make_user(), make_user()
    notification = delivered(owner, "仅本人可见")
    login(stranger)
    html = client.get("/notifications").get_data(as_text=True)
    assert "仅本人可见" not in html
    assert client.post(f"/notifications/{notification.id}/read", data={"csrf_token": csrf_token(html)}).status_code == 404
    db.session.refresh(notification)
    assert notification.read_at is None


def test_operator_reads_the_outbox_and_opening_a_mail_is_audited(client, login, make_user, operator):
    user = make_user()
    mail = send_mail(user.email, "重置密码", "请打开链接：/auth/reset/token", user=user, kind="password_reset")
    db.session.commit()
    tasks.deliver_mail(mail.id)
    login(operator)

    listing = client.get("/operator/outbox").get_data(as_text=True)
    assert "重置密码" in listing and user.email in listing and "MAIL_SERVER" in listing
    envelope = client.get(f"/operator/outbox/{mail.id}").get_data(as_text=True)
    assert "/auth/reset/token" not in envelope  # the text only through the audited action
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "mail.viewed")) is None
    opened = client.post(f"/operator/outbox/{mail.id}/read", data={"csrf_token": csrf_token(envelope)})
    assert "/auth/reset/token" in opened.get_data(as_text=True) and opened.headers["Cache-Control"] == "no-store"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "mail.viewed"))
    assert event.actor_user_id == operator.id and event.subject_id == str(mail.id)
    assert event.details == {"kind": "password_reset"}
    assert client.get("/operator/outbox/999999").status_code == 404


def test_notifications_need_sign_in(client):
    response = client.get("/notifications")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
