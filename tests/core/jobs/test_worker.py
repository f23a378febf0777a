"""Mail and notification jobs on a real worker and real Redis: delivery, running twice, failure and retry."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from rq.job import Job

from core.accounts.models import MemberRole, OrgKind
from core.audit.models import AuditEvent
from core.db import utcnow
from core.extensions import db, rq
from core.jobs import tasks
from core.jobs.models import Notification, OutgoingMail
from core.jobs.operations import notify, notify_organisation, send_mail
from tests.core.jobs.smtp_sink import SMTPSink
from tests.factories import csrf_token


def test_mail_goes_to_the_outbox_without_a_mail_server_and_a_second_run_changes_nothing(run_worker, make_user):
    user = make_user()
    mail = send_mail(user.email, "重置密码", "链接：/auth/reset/abc", user=user, kind="password_reset")
    db.session.commit()
    assert rq.get_queue("mail").count == 1

    assert run_worker("mail")
    db.session.refresh(mail)
    assert (mail.status, mail.transport, mail.attempts) == ("sent", "outbox", 1)
    assert mail.body == "链接：/auth/reset/abc"  # in outbox mode the stored body is the delivery
    sent_at = mail.sent_at

    tasks.deliver_mail.enqueue(mail.id, job_id=mail.job_id)
    assert run_worker("mail")
    db.session.refresh(mail)
    assert (mail.sent_at, mail.attempts) == (sent_at, 1)
    assert Job.fetch(mail.job_id, connection=rq.get_queue("mail").connection).return_value() == "already sent"


def test_notification_with_mail_copy_is_delivered_once(run_worker, make_user):
    user = make_user()
    notification = notify(user, "投标截止提醒", "明天 10:00 截止。", link="/dashboard", mail_copy=True)
    db.session.commit()
    assert run_worker("default", "mail")
    db.session.refresh(notification)
    assert notification.status == "unread" and notification.mail is not None
    assert notification.mail.sent_at is not None
    assert notification.mail.body.endswith("/dashboard")

    # The same job again (a redelivery): nothing new is delivered or mailed.
    tasks.deliver_notification.enqueue(notification.id, job_id=notification.job_id)
    run_worker("default", "mail")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingMail)) == 1


def test_jobs_are_submitted_only_when_the_transaction_commits(queues, make_user):
    user = make_user()
    send_mail(user.email, "never", "rolled back", user=user)
    db.session.rollback()
    assert queues["mail"].count == 0
    mail = send_mail(user.email, "kept", "committed", user=user)
    assert queues["mail"].count == 0
    db.session.commit()
    assert queues["mail"].get_job_ids() == [mail.job_id]


def test_failed_mail_is_listed_retried_by_an_operator_and_sent_once(
    app, run_worker, mail_settings, closed_port, make_user, operator, client, login, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_RETRY_INTERVALS", [])  # fail at the first error, no back-off
    mail_settings("127.0.0.1", closed_port)
    user = make_user()
    mail = send_mail(user.email, "Your bid receipt", "Receipt 42", user=user, kind="receipt")
    db.session.commit()

    run_worker("mail")
    db.session.refresh(mail)
    assert mail.status == "failing" and mail.attempts == 1 and "ConnectionRefused" in mail.last_error
    failed = rq.get_queue("mail").failed_job_registry
    assert failed.get_job_ids() == [mail.job_id]

    login(operator)
    page = client.get("/operator/jobs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and mail.job_id in html and "ConnectionRefusedError" in html
    detail = client.get(f"/operator/jobs/mail/{mail.job_id}")
    assert detail.status_code == 200 and "Traceback" in detail.get_data(as_text=True)

    with SMTPSink() as sink:
        mail_settings("127.0.0.1", sink.port)
        retried = client.post(f"/operator/jobs/mail/{mail.job_id}/retry", data={"csrf_token": csrf_token(html)})
        assert retried.status_code == 302
        assert failed.get_job_ids() == [] and rq.get_queue("mail").get_job_ids() == [mail.job_id]
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "jobs.retried"))
        assert event.subject_id == mail.job_id and event.actor_user_id == operator.id
        assert event.details == {"queue": "mail", "function": "core.jobs.tasks.deliver_mail"}

        run_worker("mail")
        db.session.refresh(mail)
        assert (mail.status, mail.transport, mail.attempts, mail.last_error) == ("sent", "smtp", 2, None)
        assert mail.body == ""  # the server has it; one-time links are not kept
        assert len(sink.messages) == 1
        message = sink.messages[0]
        assert message["Subject"] == "Your bid receipt" and message["To"] == user.email
        assert message["Message-ID"].startswith(f"<{mail.job_id}.")
        assert message.get_content().strip() == "Receipt 42"

        # Retrying a job that is no longer failed is refused politely, and nothing runs twice.
        again = client.post(f"/operator/jobs/mail/{mail.job_id}/retry", data={"csrf_token": csrf_token(html)})
        assert again.status_code == 302
        run_worker("mail")
        assert len(sink.messages) == 1


def test_scheduled_and_deferred_jobs_are_listed(queues, operator, client, login, make_user):
    user = make_user()
    first = tasks.deliver_mail.enqueue_in(timedelta(hours=1), 999_001, job_id="mail-999001")
    tasks.deliver_notification.enqueue(999_002, job_id="notification-999002", depends_on=first)
    login(operator)
    html = client.get("/operator/jobs").get_data(as_text=True)
    assert "mail-999001" in html and "notification-999002" in html
    assert queues["mail"].scheduled_job_registry.count == 1
    assert queues["default"].deferred_job_registry.count == 1


def test_sweep_resubmits_jobs_lost_before_they_reached_redis(queues, make_user):
    user = make_user()
    mail = OutgoingMail(recipient=user.email, subject="lost", body="", body_sha256="0" * 64,
                        created_at=utcnow() - timedelta(hours=1))
    notification = Notification(user_id=user.id, subject="lost too", created_at=utcnow() - timedelta(hours=1))
    fresh = OutgoingMail(recipient=user.email, subject="just queued", body="", body_sha256="0" * 64)
    db.session.add_all([mail, notification, fresh])
    db.session.commit()  # written without the after-commit submission, as if Redis had been down
    assert tasks.resubmit_stalled() == 2
    assert queues["mail"].get_job_ids() == [mail.job_id]
    assert queues["default"].get_job_ids() == [notification.job_id]
    assert tasks.resubmit_stalled() == 0


def test_only_operators_see_the_jobs_pages(client, login, make_user, operator):
    login(make_user())
    for path in ("/operator/jobs", "/operator/outbox", "/operator/jobs/mail/mail-1"):
        assert client.get(path).status_code == 403, path
    assert client.post("/operator/jobs/mail/mail-1/retry").status_code in (400, 403)


def test_smtp_trouble_is_retried_later_by_the_scheduler(run_worker, mail_settings, closed_port, make_user):
    mail_settings("127.0.0.1", closed_port)
    user = make_user()
    mail = send_mail(user.email, "Receipt", "body", user=user)
    db.session.commit()
    run_worker("mail")
    queue = rq.get_queue("mail")
    assert queue.failed_job_registry.count == 0
    assert queue.scheduled_job_registry.get_job_ids() == [mail.job_id]
    job = Job.fetch(mail.job_id, connection=queue.connection)
    assert job.retries_left == len(tasks.DEFAULT_MAIL_RETRY_INTERVALS) - 1
    assert queue.scheduled_job_registry.get_scheduled_time(job) > utcnow() + timedelta(seconds=30)


def test_an_organisation_is_notified_member_by_member(queues, make_user, make_org):
    firm = make_org(OrgKind.FIRM)
    admin = make_user(org=firm)
    member = make_user(org=firm, role=MemberRole.MEMBER)
    make_user(org=firm, active=False)
    everyone = notify_organisation(firm, "资格已核验")
    admins = notify_organisation(firm, "请续期", admins_only=True)
    db.session.commit()
    assert sorted(n.user_id for n in everyone) == sorted([admin.id, member.id])
    assert [n.user_id for n in admins] == [admin.id]
    assert queues["default"].count == 3
