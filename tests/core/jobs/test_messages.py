"""Messages are kept as an id with parameters and read in the reader's language, whoever sent them."""

from __future__ import annotations

from datetime import datetime, timezone

from flask_babel import lazy_gettext as _l

from core.accounts.models import OrgKind
from core.jobs.models import Notification, OutgoingMail
from core.jobs.operations import tell
from core.messages import at, define, texts
from core.extensions import db

# "Notifications" and "Dashboard" have Chinese translations in core's catalogue.
SAMPLE = define("test.sample", _l("Notifications"), _l("Dashboard"))
WITH_PARAMS = define("test.with_params", _l("The business clock now shows %(time)s."),
                     _l("%(days)s days %(hours)s hours"))


def test_the_same_notification_reads_in_each_readers_language(run_worker, make_user, client, login):
    english_reader = make_user(OrgKind.FIRM, locale="en")
    chinese_reader = make_user(OrgKind.FIRM)
    for user in (english_reader, chinese_reader):
        tell(user, SAMPLE, mail_copy=True)
    db.session.commit()
    run_worker()
    mails = {m.user_id: m for m in db.session.scalars(db.select(OutgoingMail))}
    assert mails[english_reader.id].subject == "Notifications" and mails[english_reader.id].body.startswith("Dashboard")
    assert mails[chinese_reader.id].subject == "通知" and mails[chinese_reader.id].body.startswith("工作台")
    stored = db.session.scalar(db.select(Notification).where(Notification.user_id == english_reader.id))
    assert stored.message_id == "test.sample" and stored.subject == "通知"  # the record keeps the default language
    login(english_reader)
    page = client.get("/notifications?lang=en").get_data(as_text=True)
    assert "Notifications" in page and "Dashboard" in page
    api = client.get("/api/v1/notifications?lang=zh_CN").get_json()
    assert api[0]["subject"] == "通知" and api[0]["message_id"] == "test.sample"


def test_typed_parameters_follow_the_reader(make_user, app_ctx):
    reader = make_user(OrgKind.FIRM, locale="en")
    note = tell(reader, WITH_PARAMS, {"time": at(datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)), "days": 3,
                                      "hours": texts("两", "two")})
    db.session.commit()
    subject, body = note.text("en")
    assert subject == "The business clock now shows 2026-12-01 Tue 10:00." and body == "3 days two hours"
    subject, body = note.text("zh_CN")
    assert "2026-12-01" in subject and body == "3 天 两 小时"
