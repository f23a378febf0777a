"""Supervisor desk and the firm's file, through the real pages: intake → record → notice → objection →
decision → publication; district limits; the national ID only on the supervisor's page."""

from __future__ import annotations

import re

from credit.models import Complaint, ComplainantKind, CreditRecord, RecordStatus
from credit.operations import submit_complaint
from core.db import db
from tests.factories import csrf_token


def _flush_csrf():
    """Requests made while the test holds an app context share its ``g``: forget per-user caches."""
    from flask import g

    for key in ("csrf_token", "_login_user", "_membership"):
        g.pop(key, None)


def form_post(client, url, data, action=None):
    """Read the page at ``url`` for its form token, then post ``data`` to the step's own URL ``action``."""
    _flush_csrf()
    page = client.get(url).get_data(as_text=True)
    return client.post(action or url, data={"csrf_token": csrf_token(page), **data})


def logout(client):
    _flush_csrf()
    page = client.get("/credit/").get_data(as_text=True)
    assert client.post("/auth/logout", data={"csrf_token": csrf_token(page)}).status_code == 302
    _flush_csrf()


def test_complaint_to_published_record(client, login, make_firm, supervisor, firm_user, item):
    firm = make_firm("上海锦绣物业管理有限公司")
    complaint = submit_complaint({
        "firm_name": firm.name, "community": "锦绣花园", "district_code": "310115",
        "description": "专项维修资金被挪作他用，业委会多次要求公开账目未果。", "complainant_kind": ComplainantKind.RESIDENT,
        "complainant_name": "张三", "complainant_phone": "13812345678",
    })
    db.session.commit()
    officer = supervisor("310115")
    login(officer)
    intake = client.get("/credit/desk/intake").get_data(as_text=True)
    assert complaint.tracking_number in intake
    url = f"/credit/desk/complaints/{complaint.id}"
    assert "张三" in client.get(url).get_data(as_text=True)  # the bureau sees the complainant
    response = form_post(client, url, {"subject": firm.uscc, "item_id": item("SH-F-18-04").id,
                                       "occurred_on": "2026-09-01", "facts": "维修资金账户流水显示挪用。",
                                       "district_code": "310115"}, url + "/record")
    assert response.status_code == 302, response.get_data(as_text=True)
    record = CreditRecord.query.one()
    assert record.complaint_id == complaint.id and record.status == RecordStatus.DRAFT
    file_url = f"/credit/desk/records/{record.id}"
    assert form_post(client, file_url, {}, file_url + "/notify").status_code == 302
    db.session.refresh(record)
    assert record.status == RecordStatus.NOTIFIED

    # The firm sees the file and objects once.
    logout(client)
    login(firm_user(firm))
    mine = client.get("/credit/my").get_data(as_text=True)
    assert record.reference in mine
    my_url = f"/credit/my/records/{record.id}"
    response = form_post(client, my_url, {"objection-grounds": "资金使用经业主大会表决同意，附会议记录。"}, my_url + "/objection")
    assert response.status_code == 302
    assert "Send objection" not in client.get(my_url + "?lang=en").get_data(as_text=True)  # no longer offered
    db.session.refresh(record)
    assert record.objection is not None

    # The supervisor decides, answering the objection; a decision without reasons is refused.
    logout(client)
    login(officer)
    refused = form_post(client, file_url, {"decide-decision": "upheld", "decide-reasons": ""}, file_url + "/decision")
    assert refused.status_code == 422 and "decide-reasons" in refused.get_data(as_text=True)
    response = form_post(client, file_url, {
        "decide-decision": "reduced", "decide-points": "6", "decide-reasons": "表决记录只覆盖部分支出，其余支出仍属挪用。",
        "decide-objection_outcome": "partly_accepted", "decide-objection_answer": "表决记录覆盖电梯更换部分。"},
        file_url + "/decision")
    assert response.status_code == 302
    assert form_post(client, file_url, {}, file_url + "/publication").status_code == 302
    db.session.refresh(record)
    assert record.status == RecordStatus.PUBLISHED and record.points == 6
    assert Complaint.query.one().status.value == "record_opened"
    public = client.get(f"/credit/firms/{firm.uscc}").get_data(as_text=True)
    assert "94.00" in public and "张三" not in public
    stats = client.get("/credit/desk/statistics").get_data(as_text=True)
    assert "SH-F-18-04" in stats


def test_other_district_supervisor_is_refused(client, login, make_firm, supervisor):
    complaint = submit_complaint({"firm_name": "某物业", "community": "某小区", "district_code": "310104",
                                  "description": "服务不到位，多次投诉无果，需要处理。",
                                  "complainant_kind": ComplainantKind.RESIDENT, "complainant_name": "李四"})
    db.session.commit()
    login(supervisor("310115"))
    assert complaint.tracking_number not in client.get("/credit/desk/intake").get_data(as_text=True)
    assert client.get(f"/credit/desk/complaints/{complaint.id}").status_code == 403


def test_city_supervisor_sees_all_districts(client, login, supervisor):
    submit_complaint({"firm_name": "某物业", "community": "某小区", "district_code": "310104",
                      "description": "服务不到位，多次投诉无果，需要处理。",
                      "complainant_kind": ComplainantKind.RESIDENT, "complainant_name": "李四"})
    db.session.commit()
    login(supervisor(city=True))
    assert "TS-" in client.get("/credit/desk/intake").get_data(as_text=True)


def test_national_id_only_on_supervisor_page(client, login, make_firm, make_manager, supervisor):
    firm = make_firm()
    manager = make_manager(firm, name="赵六", national_id="11010519491231002X")
    public = client.get(f"/credit/managers/{manager.certificate_no}").get_data(as_text=True)
    assert "11010519491231002X" not in public and "赵六" in public
    assert client.get(f"/credit/desk/managers/{manager.id}").status_code in (302, 401)
    login(supervisor())
    url = f"/credit/desk/managers/{manager.id}"
    assert "11010519491231002X" not in client.get(url).get_data(as_text=True)  # a GET never shows (nor audits) it
    shown = form_post(client, url, {}, url + "/national-id")
    assert "11010519491231002X" in shown.get_data(as_text=True) and shown.headers["Cache-Control"] == "no-store"
    assert re.search(rb"\d{17}[\dX]", manager.national_id_enc or b"") is None  # stored encrypted


def test_national_id_stays_with_the_districts_the_manager_works_in(client, login, make_firm, make_manager, supervisor):
    from core.audit.models import AuditEvent

    def views():
        return AuditEvent.query.filter_by(action="credit.national_id_viewed").count()

    manager = make_manager(make_firm(district_code="310115"), national_id="11010519491231002X")
    login(supervisor("310101"))
    url = f"/credit/desk/managers/{manager.id}"
    page = client.get(url).get_data(as_text=True)
    assert page.count("11010519491231002X") == 0 and manager.certificate_no in page
    assert form_post(client, url, {}, url + "/national-id").status_code == 403
    assert views() == 0
    logout(client)
    login(supervisor(city=True))
    client.get(url)
    assert views() == 0
    assert "11010519491231002X" in form_post(client, url, {}, url + "/national-id").get_data(as_text=True)
    assert views() == 1


def test_notice_reaches_the_firm_account(make_firm, firm_user, item):
    from core.jobs.models import Notification
    from credit.models import RecordSource
    from credit.operations import notify_record, open_record
    from datetime import date

    firm = make_firm()
    user = firm_user(firm)
    record = open_record(firm, {"item": item("EX-F-06-01"), "source": RecordSource.INSPECTION,
                                "facts": "Lift out of service for two weeks.", "occurred_on": date(2026, 11, 2),
                                "district_code": "310115"}, actor=None)
    notify_record(record, actor=None)
    db.session.commit()
    note = Notification.query.filter_by(user_id=user.id).one()
    assert record.reference in note.subject and note.link == f"/credit/my/records/{record.id}"
    assert note.message_id == "credit.record_notified" and note.params["ref"] == record.reference


def test_firm_asks_for_correction_through_its_file(client, login, make_firm, firm_user, published_record):
    from .conftest import ago

    firm = make_firm()
    record = published_record(firm, "EX-F-06-01", published_at=ago(days=120))
    login(firm_user(firm))
    url = f"/credit/my/records/{record.id}"
    assert "correction-statement" in client.get(url).get_data(as_text=True)
    response = form_post(client, url, {"correction-statement": "已补足人员并经业委会书面确认。"}, url + "/correction")
    assert response.status_code == 302
    db.session.refresh(record)
    assert len(record.corrections) == 1 and record.corrections[0].outcome is None
    assert "correction-statement" not in client.get(url).get_data(as_text=True)


def test_desk_lists_say_how_long_they_are(client, login, make_firm, supervisor, item):
    from datetime import date

    from credit.models import RecordSource
    from credit.operations import open_record
    from credit.views.desk import PAGE_SIZE

    firm = make_firm()
    for n in range(PAGE_SIZE + 5):
        open_record(firm, {"item": item("EX-F-03-01"), "source": RecordSource.INSPECTION, "facts": f"Finding number {n:03d}.",
                           "occurred_on": date(2026, 3, 2), "district_code": "310115"}, actor=None)
    db.session.commit()
    login(supervisor("310115"))
    first = client.get("/credit/desk/records?lang=en").get_data(as_text=True)
    assert f"Showing 1–{PAGE_SIZE} of {PAGE_SIZE + 5}" in first and 'rel="next"' in first
    second = client.get("/credit/desk/records?page=2&lang=en").get_data(as_text=True)
    assert f"Showing {PAGE_SIZE + 1}–{PAGE_SIZE + 5} of {PAGE_SIZE + 5}" in second and 'rel="prev"' in second


def test_record_history_names_each_step_in_the_readers_language(client, login, make_firm, supervisor, published_record):
    record = published_record(make_firm(), "EX-F-06-01")
    login(supervisor("310115"))
    page = client.get(f"/credit/desk/records/{record.id}").get_data(as_text=True)
    history = page[page.index('class="timeline"'):]
    for step in ("记录已立案", "已告知当事人", "已作出决定", "记录已公布"):
        assert step in history
    assert "opened" not in history and "notified" not in history
    english = client.get(f"/credit/desk/records/{record.id}?lang=en").get_data(as_text=True)
    assert "Subject notified" in english[english.index('class="timeline"'):]
