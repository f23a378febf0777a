"""The scheduled work: reminders before the deadline, sent once per deadline, and again after a move."""

from __future__ import annotations

from datetime import timedelta

from core.extensions import db
from core.jobs.models import Notification
from tender.tenders import operations as ops
from tests.tender.tenders.conftest import DEADLINE


def reminders() -> int:
    return db.session.scalar(db.select(db.func.count(Notification.id)).where(Notification.message_id == "tender.reminder"))


def test_registered_firms_are_reminded_once_per_deadline(make_tender, clock):
    tender, p = make_tender("published")
    ops.register_for_tender(tender, {}, actor=p["firm_users"][0])
    db.session.commit()
    assert ops.send_deadline_reminders(DEADLINE - timedelta(days=4)) == 0  # three days before, by default
    assert ops.send_deadline_reminders(DEADLINE - timedelta(days=2)) == 1
    assert ops.send_deadline_reminders(DEADLINE - timedelta(days=1)) == 0  # once
    db.session.commit()
    assert reminders() == 1
    clock.set(DEADLINE - timedelta(days=2))
    ops.issue_clarification(tender, {"kind": "clarification", "text": "补充说明：踏勘集合地点改为南门。"},
                            actor=p["officer"])
    assert tender.bid_deadline > DEADLINE
    assert ops.send_deadline_reminders(tender.bid_deadline - timedelta(days=1)) == 1  # the new deadline
    assert ops.send_deadline_reminders(tender.bid_deadline + timedelta(minutes=1)) == 0  # past it: nothing
