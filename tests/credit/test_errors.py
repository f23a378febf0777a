"""Errors that reach people: a form sent twice acts once, a refusal is shown where the firm sees it with
its text kept, deadlines run to the end of the day, commands say what is wrong with their input."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from core.db import db
from credit.models import Objection, RecordSource
from credit.operations import notify_record, object_to_record, open_record
from tests.conftest import IsolatedClient
from tests.factories import csrf_token

SHANGHAI = timezone(timedelta(hours=8))


@pytest.fixture
def notified(make_firm, item):
    def make(firm=None, now=None):
        firm = firm or make_firm()
        record = open_record(firm, {"item": item("EX-F-06-01"), "source": RecordSource.INSPECTION,
                                    "facts": "Lift out of service for two weeks.", "occurred_on": date(2026, 3, 2),
                                    "district_code": "310115"}, actor=None)
        notify_record(record, actor=None, now=now)
        db.session.commit()
        return record

    return make


def test_objection_at_the_last_half_second_of_the_last_day_is_in_time(notified, clock):
    notified_at = datetime(2026, 9, 18, 10, 0, tzinfo=SHANGHAI)  # Friday; 5 working days → Thu 24 Sep
    clock.set(notified_at)
    record = notified(now=notified_at)
    assert record.objection_deadline.astimezone(SHANGHAI).date() == date(2026, 9, 24)
    last_moment = datetime(2026, 9, 24, 23, 59, 59, 500000, tzinfo=SHANGHAI)
    assert record.stage(last_moment) == "objection_window"
    object_to_record(record, {"grounds": "The lift was repaired within the contract's time."}, actor=None, now=last_moment)
    db.session.commit()
    assert record.objection is not None


def test_objection_at_midnight_after_the_last_day_is_late(notified, clock):
    from core.db import DomainError

    notified_at = datetime(2026, 9, 18, 10, 0, tzinfo=SHANGHAI)
    record = notified(now=notified_at)
    with pytest.raises(DomainError) as err:
        object_to_record(record, {"grounds": "Sent as the next day began."}, actor=None,
                         now=datetime(2026, 9, 25, 0, 0, 0, tzinfo=SHANGHAI))
    assert err.value.code == "objection_late"


def test_the_firm_page_follows_the_business_clock_to_the_end_of_the_day(app, client, login, notified, firm_user,
                                                                        make_firm, clock):
    firm = make_firm()
    notified_at = datetime(2026, 9, 18, 10, 0, tzinfo=SHANGHAI)
    record = notified(firm, now=notified_at)
    clock.set(datetime(2026, 9, 24, 23, 59, 59, 500000, tzinfo=SHANGHAI))
    login(firm_user(firm))
    url = f"/credit/my/records/{record.id}"
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert "Send objection" in page
    response = client.post(url + "/objection", data={"csrf_token": csrf_token(page),
                                                     "objection-grounds": "The lift was repaired within the contract's time."})
    assert response.status_code == 302


def _firm_client(app, user):
    from tests.core.test_routes_matrix import sign_in

    client = IsolatedClient(app, app.response_class, use_cookies=True)
    sign_in(client, user)
    return client


def test_a_stale_tab_shows_the_refusal_and_keeps_the_text(app, app_ctx, notified, firm_user, make_firm):
    firm = make_firm()
    record = notified(firm)
    user = firm_user(firm)
    first, stale = _firm_client(app, user), _firm_client(app, user)
    url = f"/credit/my/records/{record.id}"
    stale_page = stale.get(url).get_data(as_text=True)
    page = first.get(url).get_data(as_text=True)
    assert first.post(url + "/objection", data={"csrf_token": csrf_token(page),
                                                "objection-grounds": "资金使用经业主大会表决同意，附会议记录。"}).status_code == 302
    typed = "从旧窗口再次提出的异议，内容较长，不应丢失。"
    refused = stale.post(url + "/objection?lang=en", data={"csrf_token": csrf_token(stale_page), "objection-grounds": typed})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "An objection to this record has already been made" in body and typed in body
    assert body.index("An objection to this record has already been made") < body.index("Due process")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Objection)) == 1


def test_two_quick_clicks_on_send_objection_act_once(app, app_ctx, notified, firm_user, make_firm):
    """Two requests race: both find no objection, both insert; the database keeps one, the other is told."""
    from sqlalchemy.orm import Session

    firm = make_firm()
    record = notified(firm)
    user = firm_user(firm)
    clients = [_firm_client(app, user) for _ in range(2)]
    url = f"/credit/my/records/{record.id}"
    tokens = [csrf_token(c.get(url).get_data(as_text=True)) for c in clients]
    both_checked = threading.Barrier(2, timeout=10)

    def hold_until_both_checked(session, flush_context, instances):
        # Each request passes the "no objection yet" check before either writes: the double click.
        if any(isinstance(o, Objection) for o in session.new):
            try:
                both_checked.wait()
            except threading.BrokenBarrierError:
                pass

    sa.event.listen(Session, "before_flush", hold_until_both_checked)
    results = [None, None]

    def click(i):
        results[i] = clients[i].post(url + "/objection?lang=en", data={
            "csrf_token": tokens[i], "objection-grounds": "资金使用经业主大会表决同意，附会议记录。"})

    try:
        threads = [threading.Thread(target=click, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        sa.event.remove(Session, "before_flush", hold_until_both_checked)
    codes = sorted(r.status_code for r in results)
    assert codes == [302, 409] or codes == [302, 422], codes
    loser = next(r for r in results if r.status_code != 302).get_data(as_text=True)
    assert "This was just done already" in loser and "Internal Server Error" not in loser
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Objection)) == 1


def test_score_command_refuses_an_instant_without_a_time_zone(app, app_ctx, make_firm):
    firm = make_firm()
    runner = CliRunner()
    from credit.cli import credit_cli

    result = runner.invoke(credit_cli, ["score", firm.uscc, "--at", "2026-05-01T10:00:00"], obj=_script_info(app))
    assert result.exit_code == 2 and "no time zone" in result.output and "Traceback" not in result.output
    result = runner.invoke(credit_cli, ["score", firm.uscc, "--at", "yesterday"], obj=_script_info(app))
    assert result.exit_code == 2 and "ISO 8601" in result.output
    result = runner.invoke(credit_cli, ["score", firm.uscc, "--at", "2026-05-01T10:00:00+08:00"], obj=_script_info(app))
    assert result.exit_code == 0 and "score 100.00" in result.output


def _script_info(app):
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)
