"""Mail holding a live secret (the password-reset link): sent, never kept readable, never shown to
operators; only the embedded demo with no mail server keeps it in the outbox, for an hour."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.audit.models import AuditEvent
from core.extensions import db, rq
from core.jobs import mailer, tasks
from core.jobs.models import OutgoingMail
from core.jobs.operations import send_mail
from tests.core.auth.conftest import isolated_client
from tests.core.jobs.smtp_sink import SMTPSink
from tests.factories import csrf_token

LINK = re.compile(r"https?://\S+/auth/reset/[\w-]+")
HIDDEN_NOTICE = "此邮件含有一次性链接"


@pytest.fixture
def embedded(app, monkeypatch):
    """The embedded start's configuration (the app under test is otherwise production-like)."""
    monkeypatch.setitem(app.config, "NAME", "embedded")


def _request_reset(app, user) -> OutgoingMail:
    """Ask for a reset link through the real page, as the user would; returns the queued mail."""
    browser = isolated_client(app)
    page = browser.get("/auth/reset").get_data(as_text=True)
    response = browser.post("/auth/reset", data={"email": user.email, "csrf_token": csrf_token(page)})
    assert response.status_code == 200
    db.session.expire_all()
    mail = db.session.scalar(sa.select(OutgoingMail).where(OutgoingMail.user_id == user.id))
    assert mail.kind == "password_reset" and mail.sensitive and LINK.search(mail.body)
    return mail


def _operator_view(client, mail) -> str:
    listing = client.get("/operator/outbox").get_data(as_text=True)
    assert mail.subject in listing and not LINK.search(listing)
    envelope = client.get(f"/operator/outbox/{mail.id}").get_data(as_text=True)
    assert not LINK.search(envelope)
    return client.post(f"/operator/outbox/{mail.id}/read", data={"csrf_token": csrf_token(envelope)}).get_data(as_text=True)


def _viewed(mail) -> dict:
    return db.session.scalars(
        sa.select(AuditEvent.details).where(AuditEvent.action == "mail.viewed", AuditEvent.subject_id == str(mail.id))
    ).all()[-1]


def test_without_a_mail_server_a_reset_mail_is_not_kept_nor_shown(app, run_worker, make_user, operator, client, login):
    user = make_user()
    mail = _request_reset(app, user)
    login(operator)

    # Queued: the body is there for sending, but operators do not see it.
    shown = _operator_view(client, mail)
    assert not LINK.search(shown) and HIDDEN_NOTICE in shown and user.email in shown
    assert _viewed(mail) == {"kind": "password_reset", "body_hidden": True}

    assert run_worker("mail")
    db.session.refresh(mail)
    assert (mail.status, mail.transport, mail.body) == ("sent", "outbox", "")
    assert not LINK.search(_operator_view(client, mail))


def test_with_a_mail_server_the_link_goes_out_and_is_not_kept(app, run_worker, mail_settings, make_user, operator, client, login):
    user = make_user()
    mail = _request_reset(app, user)
    link = LINK.search(mail.body).group(0)
    with SMTPSink() as sink:
        mail_settings("127.0.0.1", sink.port)
        assert run_worker("mail")
        [message] = sink.messages
    assert link in message.get_content()
    db.session.refresh(mail)
    assert (mail.transport, mail.body) == ("smtp", "")
    login(operator)
    shown = _operator_view(client, mail)
    assert link not in shown and HIDDEN_NOTICE in shown


def test_other_mail_is_still_shown_to_operators(run_worker, make_user, operator, client, login):
    user = make_user()
    mail = send_mail(user.email, "投标回执", "回执编号 42", user=user, kind="receipt")
    db.session.commit()
    assert run_worker("mail")
    login(operator)
    shown = _operator_view(client, mail)
    assert "回执编号 42" in shown and HIDDEN_NOTICE not in shown
    assert _viewed(mail) == {"kind": "receipt"}


def test_the_embedded_demo_shows_reset_links_for_an_hour(app, embedded, run_worker, make_user, operator, client, login):
    user = make_user()
    mail = _request_reset(app, user)
    other = send_mail(user.email, "投标回执", "回执编号 42", user=user, kind="receipt")
    db.session.commit()
    link = LINK.search(mail.body).group(0)
    assert run_worker("mail")
    db.session.refresh(mail)
    assert (mail.transport, mail.status) == ("outbox", "sent") and link in mail.body

    login(operator)
    shown = _operator_view(client, mail)
    assert link in shown and HIDDEN_NOTICE not in shown
    assert _viewed(mail) == {"kind": "password_reset"}

    # The sweep leaves a fresh one alone, and clears it once its link has expired.
    assert tasks.clear_sensitive_outbox_bodies() == 0
    for row in (mail, other):
        row.sent_at -= timedelta(seconds=mailer.SENSITIVE_OUTBOX_SECONDS + 1)
    db.session.commit()
    scheduler = rq.make_cron_scheduler()
    [job] = [j for j in scheduler.get_jobs() if j.func_name == "core.jobs.tasks.clear_sensitive_outbox_bodies"]
    job.enqueue(scheduler.connection)
    assert run_worker("default")
    db.session.refresh(mail)
    db.session.refresh(other)
    assert mail.body == "" and other.body == "回执编号 42"
    assert not LINK.search(_operator_view(client, mail))


def test_which_configurations_keep_sensitive_bodies():
    assert mailer.outbox_shows_sensitive({"NAME": "embedded", "MAIL_SERVER": None})
    assert not mailer.outbox_shows_sensitive({"NAME": "embedded", "MAIL_SERVER": "smtp.example.com"})
    assert not mailer.outbox_shows_sensitive({"NAME": "production", "MAIL_SERVER": None})
    assert not mailer.outbox_shows_sensitive({"NAME": "embedded", "MAIL_OUTBOX_SHOWS_SENSITIVE": False})
