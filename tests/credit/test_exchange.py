"""Exchange with the city platform through real Redis and RQ workers; CSV import with bad rows."""

from __future__ import annotations

import io
import json

import pytest

from core.db import db
from core.extensions import rq
from credit.models import CreditRecord, ExchangeBatch, ImportRun
from credit.models.exchange import BatchStatus
from credit.operations.exchange import import_records
from credit.tasks import enqueue_push, push_exchange

from tests.factories import csrf_token

from .conftest import ago


@pytest.fixture
def exchange_dir(app, tmp_path, monkeypatch):
    """Where batches are dropped, for this process and for the worker's job processes."""
    folder = tmp_path / "drop"
    app.config["CREDIT_EXCHANGE_DIR"] = str(folder)
    monkeypatch.setenv("HORSE_CREDIT_EXCHANGE_DIR", str(folder))
    yield folder
    app.config.pop("CREDIT_EXCHANGE_DIR", None)


@pytest.fixture
def run_worker(app, app_ctx, monkeypatch):
    """A real flask-rq worker drains the exchange queue in burst mode; job processes use the test database."""
    import signal

    conn = rq.get_queue().connection
    keys = list(conn.scan_iter("rq:*"))
    if keys:
        conn.delete(*keys)
    monkeypatch.setenv("FLASK_APP", "tests.credit.horse_app:create_app")
    monkeypatch.setenv("HORSE_DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setenv("HORSE_REDIS_URL", app.config["RQ_CONNECTION"])
    monkeypatch.setenv("HORSE_INSTANCE_PATH", app.instance_path)

    def run():
        db.session.commit()
        handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            rq.make_worker(["exchange"]).work(burst=True, logging_level="WARNING")
        finally:
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
        db.session.expire_all()

    return run


def test_export_is_idempotent_with_a_cursor(app, app_ctx, exchange_dir, run_worker, make_firm, published_record):
    firm = make_firm()
    published_record(firm, "EX-F-06-01", published_at=ago(days=3))
    published_record(firm, "EX-F-03-01", published_at=ago(days=2))
    for _ in range(2):  # the same job twice: the second finds nothing new
        job = push_exchange.enqueue(batch_size=3, settle_seconds=0)
        run_worker()
        assert job.get_status(refresh=True) == "finished"
    db.session.expire_all()
    batches = ExchangeBatch.query.order_by(ExchangeBatch.first_item_id).all()
    assert [(b.item_count, b.status) for b in batches] == [(3, BatchStatus.SENT), (1, BatchStatus.SENT)]
    files = sorted(p.name for p in exchange_dir.iterdir())
    assert len(files) == 4 and all(f.startswith("credit-") for f in files)
    lines = [json.loads(line) for p in sorted(exchange_dir.glob("*.jsonl")) for line in p.read_text().splitlines()]
    assert [line["event"] for line in lines] == ["decided", "published", "decided", "published"]
    assert len({line["id"] for line in lines}) == 4
    assert all("facts" not in line and "national_id" not in json.dumps(line) for line in lines)
    csv_text = next(exchange_dir.glob("*.csv")).read_text(encoding="utf-8-sig")
    assert csv_text.splitlines()[0].startswith("id,event,reference")


def test_failed_push_is_logged_and_retried_to_the_same_batch(app, app_ctx, tmp_path, run_worker, monkeypatch,
                                                             make_firm, published_record):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    app.config["CREDIT_EXCHANGE_DIR"] = str(blocker)
    monkeypatch.setenv("HORSE_CREDIT_EXCHANGE_DIR", str(blocker))
    try:
        published_record(make_firm(), "EX-F-06-01", published_at=ago(days=3))
        job = enqueue_push(settle_seconds=0)
        run_worker()
        assert job.get_status(refresh=True) in ("failed", "scheduled")  # scheduled: waiting for its retry
        db.session.expire_all()
        failed = ExchangeBatch.query.one()
        assert failed.status == BatchStatus.FAILED and failed.error
        app.config["CREDIT_EXCHANGE_DIR"] = str(tmp_path / "drop")
        monkeypatch.setenv("HORSE_CREDIT_EXCHANGE_DIR", str(tmp_path / "drop"))
        push_exchange.enqueue(settle_seconds=0)
        run_worker()
        db.session.expire_all()
        batch = ExchangeBatch.query.one()
        assert batch.status == BatchStatus.SENT and batch.attempts == 2 and batch.error is None
    finally:
        app.config.pop("CREDIT_EXCHANGE_DIR", None)


def test_export_log_page(client, login, supervisor, exchange_dir, make_firm, published_record):
    published_record(make_firm(), "EX-F-06-01", published_at=ago(days=3))
    push_exchange(settle_seconds=0)
    login(supervisor())
    page = client.get("/credit/desk/exchange").get_data(as_text=True)
    assert "credit-000000000001-000000000002" in page


CSV_HEAD = "uscc,firm_name,certificate_no,item_code,occurred_on,district_code,source,source_ref,facts,decision,points,decided_on,published_on\n"


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
    run = import_records("records.csv", (CSV_HEAD + "\n".join(rows) + "\n").encode(), actor=None)
    db.session.commit()
    assert (run.total_rows, run.imported_rows, run.rejected_rows) == (7, 2, 5)
    assert [r["ok"] for r in run.report] == [True, True, False, False, False, False, False]
    assert run.report[0]["stage"] == "expired" or run.report[0]["stage"] == "published"
    assert run.report[1]["stage"] == "draft"
    # The row with the bad USCC created no firm; nothing of a rejected row remains.
    from credit.models import CreditSubject

    assert CreditSubject.query.filter(CreditSubject.name == "坏代码物业").count() == 0
    assert CreditRecord.query.count() == 2
    assert ImportRun.query.one().report[2]["error"]


def _post(client, data, **kw):
    token = csrf_token(client.get("/credit/desk/exchange").get_data(as_text=True))
    return client.post("/credit/desk/exchange", data={**data, "csrf_token": token}, **kw)


def test_district_bureau_imports_only_drafts_of_its_own_district(client, login, logout, supervisor, make_firm):
    firm = make_firm()
    rows = [
        f"{firm.uscc},{firm.name},,EX-F-03-01,2026-10-01,310115,hotline,12345-0101,热线转办：收费未公示。,,,,",
        f"{firm.uscc},{firm.name},,EX-F-03-01,2026-10-01,310101,hotline,12345-0102,热线转办：另一区的事项。,,,,",
        f"{firm.uscc},{firm.name},,EX-F-06-01,2024-05-01,310115,import,CITY-9,电梯长期停运未修复。,upheld,,2024-06-01,2024-06-03",
    ]
    login(supervisor("310115"))
    page = client.get("/credit/desk/exchange").get_data(as_text=True)
    assert 'value="push"' not in page  # sending to the city platform is the city bureau's
    csv_bytes = (CSV_HEAD + "\n".join(rows) + "\n").encode()
    response = _post(client, {"file": (io.BytesIO(csv_bytes), "rows.csv")}, content_type="multipart/form-data")
    assert response.status_code == 302
    run = ImportRun.query.one()
    assert [r["ok"] for r in run.report] == [True, False, False]
    assert "本区" in run.report[1]["error"] and "市级主管部门" in run.report[2]["error"]
    assert [r.stage() for r in CreditRecord.query.all()] == ["draft"]
    # Pushing the export by hand is refused, and another district's bureau cannot read this report.
    push = _post(client, {"action": "push"})
    assert push.status_code == 403
    logout()
    login(supervisor("310101"))
    assert client.get(f"/credit/desk/imports/{run.id}").status_code == 404
    logout()
    login(supervisor(city=True))
    assert client.get(f"/credit/desk/imports/{run.id}").status_code == 200
