"""Exchange with the city platform exactly once: batches kept before delivery and resent identically,
even after the worker is killed mid-delivery (a real subprocess, SIGKILL, a real HTTP receiver)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from config import BASE_DIR
from core.db import db
from credit.models import ExchangeBatch, ExchangeItem
from credit.models.exchange import BatchStatus
from credit.tasks import push_exchange

from .conftest import ago


@pytest.fixture
def exchange_dir(app, tmp_path):
    folder = tmp_path / "drop"
    app.config["CREDIT_EXCHANGE_DIR"] = str(folder)
    yield folder
    app.config["CREDIT_EXCHANGE_DIR"] = None


class Receiver:
    """The city platform's endpoint: records every delivery (key and body); can hold the first one."""

    def __init__(self):
        self.deliveries: list[tuple[str, bytes]] = []
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.release.set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (the http.server name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.deliveries.append((self.headers["Idempotency-Key"], body))
                receiver.arrived.set()
                receiver.release.wait(30)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/exchange"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.server.shutdown()


@pytest.fixture
def receiver(app):
    found = Receiver()
    app.config["CREDIT_EXCHANGE_URL"] = found.url
    yield found
    app.config["CREDIT_EXCHANGE_URL"] = None
    found.close()


def _items(body: bytes) -> list[int]:
    return [json.loads(line)["id"] for line in body.decode().splitlines()]


def test_export_runs_twice_and_sends_nothing_twice(app_ctx, exchange_dir, receiver, make_firm, published_record):
    firm = make_firm()
    published_record(firm, "EX-F-06-01", published_at=ago(days=3))
    published_record(firm, "EX-F-03-01", published_at=ago(days=2))
    assert push_exchange(batch_size=3, settle_seconds=0) == 2
    assert push_exchange(batch_size=3, settle_seconds=0) == 0
    batches = db.session.scalars(db.select(ExchangeBatch).order_by(ExchangeBatch.first_item_id)).all()
    assert [(b.item_count, b.status) for b in batches] == [(3, BatchStatus.SENT), (1, BatchStatus.SENT)]
    assert [key for key, _ in receiver.deliveries] == [b.jsonl_name for b in batches]
    ids = [i for _, body in receiver.deliveries for i in _items(body)]
    assert ids == sorted(set(ids)) and len(ids) == 4
    lines = [json.loads(line) for p in sorted(exchange_dir.glob("*.jsonl")) for line in p.read_text().splitlines()]
    assert [line["event"] for line in lines] == ["decided", "published", "decided", "published"]
    assert all(line["decision_no"] for line in lines) and all("facts" not in line for line in lines)
    assert next(exchange_dir.glob("*.csv")).read_text(encoding="utf-8-sig").startswith("id,event,reference")


def test_failed_delivery_is_resent_identically(app, app_ctx, exchange_dir, receiver, tmp_path, make_firm,
                                               published_record):
    published_record(make_firm(), "EX-F-06-01", published_at=ago(days=3))
    app.config["CREDIT_EXCHANGE_URL"] = "http://127.0.0.1:9/nobody-listens"
    with pytest.raises(OSError):
        push_exchange(settle_seconds=0)
    failed = db.session.scalars(db.select(ExchangeBatch)).one()
    assert failed.status == BatchStatus.FAILED and failed.error
    published_record(make_firm(), "EX-F-06-01", published_at=ago(days=1))  # more items meanwhile
    app.config["CREDIT_EXCHANGE_URL"] = receiver.url
    assert push_exchange(settle_seconds=0) == 2
    first, second = receiver.deliveries
    assert first[0] == failed.jsonl_name and _items(first[1]) == [1, 2]
    assert _items(second[1]) == [3, 4] and second[0] != first[0]


WORKER = """
import os
from app import create_app
from config import TestingConfig
from credit.tasks import push_exchange

app = create_app(TestingConfig(INSTANCE_PATH=os.environ["WORKER_INSTANCE"]))
with app.app_context():
    push_exchange(settle_seconds=0)
"""


def test_worker_killed_mid_delivery_resends_the_same_batch(app, app_ctx, exchange_dir, receiver, tmp_path,
                                                           make_firm, published_record):
    published_record(make_firm(), "EX-F-06-01", published_at=ago(days=3))
    receiver.release.clear()  # hold the first delivery open: the worker is mid-way when it dies
    env = dict(os.environ, TEST_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               TEST_REDIS_URL=app.config["RQ_CONNECTION"], WORKER_INSTANCE=str(tmp_path / "worker"),
               CREDIT_EXCHANGE_URL=receiver.url, CREDIT_EXCHANGE_DIR=str(exchange_dir), PYTHONPATH=str(BASE_DIR))
    worker = subprocess.Popen([sys.executable, "-c", WORKER], cwd=BASE_DIR, env=env)
    try:
        assert receiver.arrived.wait(60), "the worker never delivered"
        os.kill(worker.pid, signal.SIGKILL)
        assert worker.wait(10) == -signal.SIGKILL
    finally:
        receiver.release.set()
        if worker.poll() is None:
            worker.kill()
    db.session.expire_all()
    kept = db.session.scalars(db.select(ExchangeBatch)).one()
    assert kept.status == BatchStatus.PENDING  # kept, with its bytes and key, before the delivery began
    published_record(make_firm(), "EX-F-03-01", published_at=ago(days=1))  # a later decision: a new batch, after
    time.sleep(0.01)
    assert push_exchange(settle_seconds=0) == 2
    (killed_key, killed_body), (again_key, again_body), (next_key, next_body) = receiver.deliveries
    assert (again_key, again_body) == (killed_key, killed_body)
    assert set(_items(next_body)).isdisjoint(_items(killed_body)) and next_key != killed_key
    assert db.session.scalar(db.select(db.func.count()).select_from(ExchangeItem)) == 4


def test_export_log_page(client, login, supervisor, exchange_dir, make_firm, published_record):
    published_record(make_firm(), "EX-F-06-01", published_at=ago(days=3))
    push_exchange(settle_seconds=0)
    login(supervisor())
    page = client.get("/credit/desk/exchange").get_data(as_text=True)
    assert "credit-000000000001-000000000002" in page and "1–1" in page
