"""CSV import: each bad row refused with its reason, good rows whole; imported decisions reach the outbox."""

from __future__ import annotations

import io

from core.db import db
from credit.models import CreditRecord, CreditSubject, ExchangeItem, ImportRun
from credit.operations import expire_records
from credit.operations.imports import import_records
from tests.factories import csrf_token

HEAD = "uscc,firm_name,certificate_no,item_code,occurred_on,district_code,source,source_ref,facts,decision,points,decided_on,published_on\n"


def _run(rows, **kw):
    run = import_records("records.csv", (HEAD + "\n".join(rows) + "\n").encode(), actor=None, **kw)
    db.session.commit()
    return run


def test_import_reports_bad_rows_and_keeps_good_ones_whole(app_ctx, make_firm):
    from core.accounts.uscc import make

    firm = make_firm()
    good_uscc = make("91310101MA1X00001")
    rows = [
        f"{firm.uscc},{firm.name},,EX-F-06-01,2024-05-01,310115,import,CITY-1,电梯长期停运未修复。,upheld,,2024-06-01,2024-06-03",
        f"{good_uscc},上海新导入物业有限公司,,EX-F-03-01,2026-10-01,310101,hotline,12345-0001,热线转办：收费未公示。,,,,",
        f"{firm.uscc},{firm.name},,NO-SUCH,2024-05-01,310115,import,CITY-2,某事实足够长的描述。,upheld,,2024-06-01,",
        f"91310101MA1X0000X9,坏代码物业,,EX-F-03-01,2024-05-01,310101,import,CITY-3,某事实足够长的描述。,upheld,,2024-06-01,",
        f"{firm.uscc},{firm.name},,EX-F-06-01,2024-05-01,310115,import,CITY-4,某事实足够长的描述。,reduced,9,2024-06-01,",
        f"{firm.uscc},{firm.name},,EX-F-06-01,not-a-date,310115,import,CITY-5,某事实足够长的描述。,upheld,,2024-06-01,",
        f"{firm.uscc},{firm.name},,EX-F-06-01,2024-05-01,310115,import,CITY-1,重复导入的同一行数据。,upheld,,2024-06-01,",
    ]
    run = _run(rows)
    assert (run.total_rows, run.imported_rows, run.rejected_rows) == (7, 2, 5)
    assert [r["ok"] for r in run.report] == [True, True, False, False, False, False, False]
    assert run.report[1]["stage"] == "draft"
    assert CreditSubject.query.filter(CreditSubject.name == "坏代码物业").count() == 0
    assert CreditRecord.query.count() == 2


def test_rows_that_must_be_refused_each_with_its_reason(app_ctx, make_firm):
    firm = make_firm("上海真名物业管理有限公司")
    long_ref = "R" * 70
    rows = [
        f"{firm.uscc},上海别名物业有限公司,,EX-F-06-01,2024-05-01,310115,import,CITY-11,名称不符的一行数据。,upheld,,2024-06-01,",
        f"{firm.uscc},{firm.name},,EX-F-06-01,2099-05-01,310115,hotline,CITY-12,发生日期在将来的一行。,,,,",
        f"{firm.uscc},{firm.name},,EX-F-06-01,2024-05-01,310115,import,CITY-13,决定日期在将来的一行。,upheld,,2099-06-01,",
        f"{firm.uscc},{firm.name},,EX-F-06-01,2024-05-01,310115,import,CITY-14,决定早于行为的一行。,upheld,,2024-04-01,",
        f"{firm.uscc},{firm.name},,EX-F-06-01,2024-05-01,310115,import,{long_ref},来源编号超长的一行。,upheld,,2024-06-01,",
        f"{firm.uscc},{'长' * 250},,EX-F-06-01,2024-05-01,310115,import,CITY-16,企业名称超长的一行。,upheld,,2024-06-01,",
    ]
    run = _run(rows)
    assert run.imported_rows == 0 and run.rejected_rows == 6
    errors = [r["error"] for r in run.report]
    assert firm.name in errors[0] and "上海别名物业有限公司" in errors[0]
    assert "occurred_on" in errors[1] and "decided_on" in errors[2]
    assert "decided_on" in errors[3] and "occurred_on" in errors[3]
    assert "source_ref" in errors[4] and "firm_name" in errors[5]
    assert CreditRecord.query.count() == 0 and CreditSubject.query.count() == 1


def test_imported_decisions_reach_the_city_before_their_expiry(app_ctx, make_firm):
    firm = make_firm()
    rows = [f"{firm.uscc},{firm.name},,EX-F-03-01,2022-01-05,310115,import,CITY-21,收费标准未公示经查实。,upheld,,2022-02-01,2022-02-03"]
    assert _run(rows).imported_rows == 1
    expire_records()
    db.session.commit()
    record = CreditRecord.query.one()
    events = [e.event for e in ExchangeItem.query.filter_by(record_id=record.id).order_by(ExchangeItem.id)]
    assert events == ["decided", "published", "expired"] and record.decision_no.startswith("310115-2022-")


def test_district_bureau_imports_only_drafts_of_its_own_district(client, login, logout, supervisor, make_firm):
    firm = make_firm()
    rows = [
        f"{firm.uscc},{firm.name},,EX-F-03-01,2026-10-01,310115,hotline,12345-0101,热线转办：收费未公示。,,,,",
        f"{firm.uscc},{firm.name},,EX-F-03-01,2026-10-01,310101,hotline,12345-0102,热线转办：另一区的事项。,,,,",
        f"{firm.uscc},{firm.name},,EX-F-06-01,2024-05-01,310115,import,CITY-9,电梯长期停运未修复。,upheld,,2024-06-01,2024-06-03",
    ]
    login(supervisor("310115"))
    page = client.get("/credit/desk/exchange").get_data(as_text=True)
    assert "/credit/desk/exchange/push" not in page  # sending to the city platform is the city bureau's
    token = csrf_token(page)
    csv_bytes = (HEAD + "\n".join(rows) + "\n").encode()
    response = client.post("/credit/desk/exchange/import", data={"csrf_token": token, "file": (io.BytesIO(csv_bytes), "rows.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    run = ImportRun.query.one()
    assert [r["ok"] for r in run.report] == [True, False, False]
    assert "本区" in run.report[1]["error"] and "市级主管部门" in run.report[2]["error"]
    report = client.get(f"/credit/desk/imports/{run.id}").get_data(as_text=True)
    assert "不予采纳" not in report and "未导入" in report
    assert client.post("/credit/desk/exchange/push", data={"csrf_token": token}).status_code == 403
    logout()
    login(supervisor("310101"))
    assert client.get(f"/credit/desk/imports/{run.id}").status_code == 404
    logout()
    login(supervisor(city=True))
    assert client.get(f"/credit/desk/imports/{run.id}").status_code == 200
