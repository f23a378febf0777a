"""Rule data dated in time: grade thresholds and policy looked up at the instant asked about, read from the
database by every process (no copy in process memory); notices in the reader's language; settings declared."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from config import BASE_DIR, BaseConfig
from core import clock
from core.db import DomainError, db
from credit.operations import score_at
from credit.operations.rules import set_grade, set_policy

from .conftest import ago


def test_a_score_at_a_past_deadline_uses_the_thresholds_of_that_deadline(make_firm, published_record):
    firm = make_firm()
    published_record(firm, "EX-F-06-01", published_at=ago(days=20))  # 94: B under the default scale
    deadline = ago(days=2)
    assert score_at(firm, deadline).grade == "B"
    set_grade({"grade": "A", "min_score": 90, "may_bid": True, "factor": 1.0}, actor=None)
    db.session.commit()
    assert score_at(firm).grade == "A"  # from now on
    assert score_at(firm, deadline).grade == "B"  # the deadline keeps its own thresholds
    with pytest.raises(DomainError) as err:
        set_grade({"grade": "A", "min_score": 80, "may_bid": True, "factor": 1.0, "valid_from": deadline}, actor=None)
    assert err.value.code == "valid_from_past"


def test_a_policy_change_from_a_later_date(make_firm, published_record):
    firm = make_firm()
    later = clock.now() + timedelta(days=30)
    set_policy({"base_score": 110, "valid_from": later}, actor=None)
    db.session.commit()
    assert score_at(firm).score == 100 and score_at(firm, later + timedelta(seconds=1)).score == 110


def test_two_instances_agree_at_once(app, app_ctx, make_firm, database_url, redis_url, tmp_path):
    """A second application (another instance) sees an edit immediately: no per-process copy."""
    from app import create_app
    from config import TestingConfig
    from credit.models import CreditSubject

    firm = make_firm()
    other = create_app(TestingConfig(SQLALCHEMY_DATABASE_URI=database_url, RQ_CONNECTION=redis_url,
                                     INSTANCE_PATH=str(tmp_path)))
    with other.app_context():
        assert score_at(db.session.get(CreditSubject, firm.id)).grade == "A"
    set_grade({"grade": "S", "min_score": 99, "may_bid": True, "factor": 1.2}, actor=None)
    db.session.commit()
    with other.app_context():
        assert score_at(db.session.get(CreditSubject, firm.id)).grade == "S"


def test_notices_are_read_in_the_readers_language(app_ctx, make_firm, firm_user, item, make_user):
    from datetime import date

    from core.accounts.models import MemberRole, OrgKind
    from core.jobs.models import Notification
    from core.messages import render
    from credit.models import RecordSource
    from credit.operations import notify_record, open_record

    firm = make_firm()
    chinese = firm_user(firm)
    english = make_user(kind=OrgKind.FIRM, role=MemberRole.MEMBER, org=chinese.memberships[0].organisation, locale="en")
    record = open_record(firm, {"item": item("EX-F-06-01"), "source": RecordSource.INSPECTION,
                                "facts": "Lift out of service for two weeks.", "occurred_on": date(2026, 3, 2),
                                "district_code": "310115"}, actor=None)
    notify_record(record, actor=english, now=ago(hours=1))  # sent by an English-reading actor
    db.session.commit()
    notes = {n.user_id: n for n in Notification.query.all()}
    zh = render(notes[chinese.id].message_id, notes[chinese.id].params, "zh_CN")
    en = render(notes[english.id].message_id, notes[english.id].params, "en")
    assert "信用记录" in zh[0] and record.item.title_zh in zh[1]
    assert "Credit record" in en[0] and record.item.title_en in en[1]
    assert notes[chinese.id].subject == zh[0]  # kept for the records in the default language, zh


SETTING = re.compile(r"""config(?:\.get\(|\[)\s*["']((?:CREDIT|DATA_KEY)_[A-Z_]+)["']""")


def test_every_credit_setting_is_declared_and_documented():
    read = {m for path in (BASE_DIR / "credit").rglob("*.py") for m in SETTING.findall(path.read_text())}
    read |= {m for m in SETTING.findall((BASE_DIR / "core" / "datakeys.py").read_text())}
    readme = (BASE_DIR / "README.md").read_text()
    assert {"CREDIT_EXCHANGE_URL", "CREDIT_EXCHANGE_DIR", "DATA_KEY_DIR"} <= read
    assert [name for name in sorted(read) if not hasattr(BaseConfig, name)] == []
    assert [name for name in sorted(read) if f"`{name}`" not in readme] == []
