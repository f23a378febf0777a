"""Due process: every transition and every refused one."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from core.db import DomainError, db
from credit.models import CorrectionOutcome, Decision, ExchangeItem, RecordSource, RecordStatus
from credit.operations import (
    decide_correction,
    decide_record,
    expire_records,
    notify_record,
    object_to_record,
    open_record,
    publish_record,
    request_correction,
)

from .conftest import ago

FACTS = "The special maintenance fund was used for the lobby refit."
REASONS = "Confirmed by the bank statements and the owners' committee minutes."


@pytest.fixture
def draft(make_firm, item):
    firm = make_firm()

    def make(code="SH-F-18-04"):
        record = open_record(firm, {"item": item(code), "source": RecordSource.INSPECTION, "facts": FACTS,
                                    "occurred_on": date(2026, 3, 2), "district_code": "310115"}, actor=None)
        db.session.commit()
        return record

    return make


def test_open_refuses_item_for_other_subject_kind(make_firm, item):
    with pytest.raises(DomainError) as err:
        open_record(make_firm(), {"item": item("SH-P-18-06"), "source": RecordSource.INSPECTION, "facts": FACTS,
                                  "occurred_on": date(2026, 3, 2), "district_code": "310115"}, actor=None)
    assert err.value.code == "item_kind"


def test_notify_sets_deadline_in_working_days(draft):
    record = draft()
    # Friday 2026-09-18 (Shanghai): 5 working days skip the weekend and the Sunday make-up day counts.
    notified = datetime(2026, 9, 18, 2, 0, tzinfo=timezone.utc)
    notify_record(record, actor=None, now=notified)
    assert record.status == RecordStatus.NOTIFIED
    local_deadline = record.objection_deadline.astimezone(timezone(timedelta(hours=8)))
    # Working days after Fri 18 Sep: Sun 20 (调休 working day), Mon 21, Tue 22, Wed 23, Thu 24.
    assert local_deadline.date() == date(2026, 9, 24)
    assert record.stage(notified) == "objection_window"
    assert record.stage(record.objection_deadline + timedelta(seconds=1)) == "awaiting_decision"


def test_objection_in_window_then_decision_answers_it(draft):
    record = draft()
    notify_record(record, actor=None, now=ago(days=2))
    object_to_record(record, {"grounds": "The fund was used with the owners' assembly's approval."}, actor=None)
    with pytest.raises(DomainError) as err:
        decide_record(record, {"decision": Decision.UPHELD, "reasons": REASONS}, actor=None)
    assert err.value.code == "objection_unanswered"
    decide_record(record, {"decision": Decision.REDUCED, "points": 6, "reasons": REASONS,
                           "objection_outcome": "partly_accepted", "objection_answer": "Approval covered part of it."},
                  actor=None)
    assert record.status == RecordStatus.DECIDED and record.points == 6
    assert record.objection.outcome.value == "partly_accepted"


def test_second_objection_refused(draft):
    record = draft()
    notify_record(record, actor=None, now=ago(days=1))
    object_to_record(record, {"grounds": "The facts are wrong in several respects."}, actor=None)
    db.session.commit()
    with pytest.raises(DomainError) as err:
        object_to_record(record, {"grounds": "Another try at the same point."}, actor=None)
    assert err.value.code == "second_objection"


def test_late_objection_refused(draft):
    record = draft()
    notify_record(record, actor=None, now=ago(days=30))
    with pytest.raises(DomainError) as err:
        object_to_record(record, {"grounds": "Too late but trying anyway."}, actor=None)
    assert err.value.code == "objection_late"


def test_decision_refused_while_window_open_and_without_reasons(draft):
    record = draft()
    notify_record(record, actor=None, now=ago(hours=1))
    with pytest.raises(DomainError) as err:
        decide_record(record, {"decision": Decision.UPHELD, "reasons": REASONS}, actor=None)
    assert err.value.code == "window_open"
    record.objection_deadline = ago(hours=1)
    with pytest.raises(DomainError) as err:
        decide_record(record, {"decision": Decision.UPHELD, "reasons": "  "}, actor=None)
    assert err.value.code == "reasons_missing"
    with pytest.raises(DomainError) as err:
        decide_record(record, {"decision": Decision.REDUCED, "points": 18, "reasons": REASONS}, actor=None)
    assert err.value.code == "points"


def test_dismissed_is_never_published(draft):
    record = draft()
    notify_record(record, actor=None, now=ago(days=30))
    decide_record(record, {"decision": Decision.DISMISSED, "reasons": REASONS}, actor=None)
    assert record.status == RecordStatus.DISMISSED
    with pytest.raises(DomainError):
        publish_record(record, actor=None)


def test_publish_expire_and_exchange_outbox(draft):
    record = draft()
    notify_record(record, actor=None, now=ago(days=1200))
    decide_record(record, {"decision": Decision.UPHELD, "reasons": REASONS}, actor=None, now=ago(days=1190))
    publish_record(record, actor=None, now=ago(days=1189))
    db.session.commit()
    assert record.expires_at < datetime.now(timezone.utc)  # 36 months for a serious item
    assert record.stage() == "expired" and not record.in_force(datetime.now(timezone.utc))
    assert expire_records() == 1
    assert expire_records() == 0  # safe to run twice
    events = [e.event for e in db.session.query(ExchangeItem).order_by(ExchangeItem.id)]
    assert events == ["decided", "published", "expired"]


def test_steps_out_of_order_refused(draft):
    record = draft()
    with pytest.raises(DomainError):
        publish_record(record, actor=None)
    with pytest.raises(DomainError):
        decide_record(record, {"decision": Decision.UPHELD, "reasons": REASONS}, actor=None)
    notify_record(record, actor=None)
    with pytest.raises(DomainError):
        notify_record(record, actor=None)


def test_correction_after_rectification(make_firm, published_record):
    firm = make_firm()
    record = published_record(firm, "EX-F-06-01", published_at=ago(days=120))  # general: correction after 3 months
    correction = request_correction(record, {"statement": "Services restored and the owners confirmed it."}, actor=None)
    with pytest.raises(DomainError) as err:
        request_correction(record, {"statement": "Asking again while the first is checked."}, actor=None)
    assert err.value.code == "correction_pending"
    decide_correction(correction, {"outcome": CorrectionOutcome.APPROVED, "reasons": "Checked on site on the due date."}, actor=None)
    assert record.status == RecordStatus.CORRECTED
    assert not record.in_force(datetime.now(timezone.utc))


def test_correction_too_early(make_firm, published_record):
    record = published_record(make_firm(), "SH-F-18-02", published_at=ago(days=10))
    with pytest.raises(DomainError) as err:
        request_correction(record, {"statement": "Rectified straight away, please check."}, actor=None)
    assert err.value.code == "correction_too_early"
