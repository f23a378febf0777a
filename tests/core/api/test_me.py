"""GET /api/v1/me and the signed-in user's notifications."""

from __future__ import annotations

from core.jobs import tasks
from core.jobs.models import Notification


def deliver_all(app_ctx):
    """Run the delivery job for every queued notification, as a worker would (see tests/core/jobs for the worker)."""
    import sqlalchemy as sa

    from core.extensions import db

    ids = db.session.scalars(sa.select(Notification.id).where(Notification.delivered_at.is_(None))).all()
    for notification_id in ids:
        tasks.deliver_notification(notification_id)
    return ids


def test_me_shows_the_user_and_the_membership_in_use(client, firm_user, firm_auth):
    me = client.get("/api/v1/me", headers=firm_auth)
    assert me.status_code == 200
    body = me.get_json()
    assert body["id"] == firm_user.id and body["email"] == firm_user.email
    assert body["active_membership"]["platform_role"] == "firm"
    assert body["active_membership"]["organisation"]["kind"] == "firm"
    assert [m["id"] for m in body["memberships"]] == [body["active_membership"]["id"]]
    assert body["unread_notifications"] == 0
    assert "password_hash" not in body and "totp_secret" not in body


def test_me_with_a_session(client, login, firm_user):
    login(firm_user)
    assert client.get("/api/v1/me").get_json()["email"] == firm_user.email


def test_notifications_appear_once_delivered_and_can_be_read(client, app_ctx, operator_auth, firm_user, firm_auth):
    created = client.post(
        "/api/v1/notifications",
        json={"recipient_id": firm_user.id, "subject": "资料补正通知", "body": "请补充营业执照。", "link": "/dashboard"},
        headers=operator_auth,
    )
    assert created.status_code == 201
    assert created.get_json()["status"] == "queued" and created.get_json()["recipient_id"] == firm_user.id
    assert client.get("/api/v1/notifications", headers=firm_auth).get_json() == []

    deliver_all(app_ctx)
    listed = client.get("/api/v1/notifications", headers=firm_auth)
    assert [n["subject"] for n in listed.get_json()] == ["资料补正通知"]
    assert '"total": 1' in listed.headers["X-Pagination"]
    assert client.get("/api/v1/me", headers=firm_auth).get_json()["unread_notifications"] == 1

    notification_id = created.get_json()["id"]
    read = client.post(f"/api/v1/notifications/{notification_id}/read", headers=firm_auth)
    assert read.status_code == 200 and read.get_json()["status"] == "read"
    again = client.post(f"/api/v1/notifications/{notification_id}/read", headers=firm_auth)
    assert again.get_json()["read_at"] == read.get_json()["read_at"]
    assert client.get("/api/v1/notifications?unread=true", headers=firm_auth).get_json() == []
    assert client.get("/api/v1/me", headers=firm_auth).get_json()["unread_notifications"] == 0


def test_others_notifications_are_not_found(client, app_ctx, operator_auth, firm_user, make_user, make_token):
    created = client.post("/api/v1/notifications", json={"recipient_id": firm_user.id, "subject": "S"}, headers=operator_auth)
    deliver_all(app_ctx)
    stranger = {"Authorization": f"Bearer {make_token(make_user())}"}
    notification_id = created.get_json()["id"]
    assert client.get(f"/api/v1/notifications/{notification_id}", headers=stranger).status_code == 404
    assert client.post(f"/api/v1/notifications/{notification_id}/read", headers=stranger).status_code == 404
    assert client.get("/api/v1/notifications", headers=stranger).get_json() == []
