"""A web process killed in the middle of a bid upload leaves no half bid anywhere, and the retry
succeeds once. This runs the application as deployed (gunicorn, one worker) and really kills the
worker with SIGKILL while it is reading a part; gunicorn starts a new worker and the client goes on."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from config import BASE_DIR, TestingConfig
from core.extensions import db
from tender.bidding.models import Bid, BidVersion
from tender.sealing import receipts
from tender.sealing.models import SealReceipt
from tender.sealing.operations import platform_key_document
from tests.tender.bidding.conftest import seal_bid
from tests.tender.tenders.conftest import DEADLINE


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORT = _free_port()  # each run its own, so parallel runs of the suite never meet


def _children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _wait_for_worker(master: int, not_this: int | None = None) -> int:
    for _ in range(300):
        found = [c for c in _children(master) if c != not_this]
        if found:
            try:
                socket.create_connection(("127.0.0.1", PORT), timeout=0.2).close()
                return found[0]
            except OSError:
                pass
        time.sleep(0.1)
    raise AssertionError("gunicorn started no worker")


@pytest.fixture
def served(app, database_url, redis_url):
    env = dict(os.environ, PLATFORM_CONFIG="embedded", DATABASE_URL=database_url, REDIS_URL=redis_url,
               INSTANCE_PATH=app.config["INSTANCE_PATH"], BLOB_DIR=app.config["BLOB_DIR"],
               PLATFORM_KEY_DIR=app.config["PLATFORM_KEY_DIR"], SECRET_KEY=TestingConfig.SECRET_KEY)
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{PORT}", "--workers", "1",
                                "--timeout", "60", "app:create_app()"], cwd=BASE_DIR, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield process.pid
    finally:
        process.terminate()
        process.wait(timeout=20)


def _request(method, path, headers, body=b""):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    conn.request(method, path, body=body, headers=headers)
    answer = conn.getresponse()
    data = answer.read()
    conn.close()
    return answer.status, dict(answer.getheaders()), (json.loads(data) if data.startswith(b"{") else None)


def _blobs(folder: Path) -> list[Path]:
    """Stored blobs (the temporary folder, where uploads in progress live, left out)."""
    return [p for p in folder.rglob("*") if p.is_file() and "tmp" not in p.relative_to(folder).parts]


def test_a_worker_killed_mid_upload_leaves_no_half_bid_and_the_retry_succeeds_once(app, bidding, clock, served):
    tender, _p, (firm, *_rest) = bidding(firms=1)
    clock.set(DEADLINE - timedelta(hours=1))
    master = served
    worker = _wait_for_worker(master)
    envelope = seal_bid(tender, firm.ref, documents=[
        __import__("tender.sealing", fromlist=["Document"]).Document.from_bytes(
            "技术方案.pdf", os.urandom(6 * 1024 * 1024), "technical")])
    blob_dir = Path(app.config["BLOB_DIR"])
    before = set(_blobs(blob_dir))  # the tender's own documents
    auth = {"Authorization": firm.auth["Authorization"], "X-Device-Id": firm.auth["X-Device-Id"]}
    create = {**auth, "Content-Type": "application/json", "Idempotency-Key": "bid-upload-1"}
    body = json.dumps({"purpose": "bid", "target": f"{tender.reference}/1", "length": len(envelope)})
    status, headers, upload = _request("POST", "/api/v1/uploads", create, body)
    assert status == 201, upload
    location = headers["Location"]
    part = {**auth, "Content-Type": "application/offset+octet-stream"}
    first = 1024 * 1024
    assert _request("PATCH", location, {**part, "Upload-Offset": "0"}, envelope[:first])[0] == 204

    # The second part: half of it is on the wire when the worker is killed.
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    conn.putrequest("PATCH", location)
    for name, value in {**part, "Upload-Offset": str(first), "Content-Length": str(len(envelope) - first)}.items():
        conn.putheader(name, value)
    conn.endheaders()
    conn.send(envelope[first:first + 2 * 1024 * 1024])
    time.sleep(0.5)
    os.kill(worker, signal.SIGKILL)
    with pytest.raises((ConnectionError, http.client.HTTPException, OSError)):
        conn.send(envelope[first + 2 * 1024 * 1024:])
        conn.getresponse()
    conn.close()

    # No half bid anywhere: no bid, no version, no receipt, no stored blob.
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Bid.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(BidVersion.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(SealReceipt.id))) == 0
    assert set(_blobs(blob_dir)) == before

    # The client retries: the same creating call gives the first answer, the server says what it
    # holds, and the rest goes once.
    _wait_for_worker(master, not_this=worker)
    status, headers, again = _request("POST", "/api/v1/uploads", create, body)
    assert status == 201 and again["id"] == upload["id"] and headers.get("Idempotent-Replayed") == "true"
    status, headers, _ = _request("HEAD", location, auth)
    held = int(headers["Upload-Offset"])
    assert first <= held < len(envelope)
    status, _headers, done = _request("PATCH", location, {**part, "Upload-Offset": str(held)}, envelope[held:])
    assert status == 200, done
    receipt = done["result"]["receipt"]
    receipts.verify_receipt(receipt, platform_key_document())
    # The answer to the last part, asked for again, is the same; nothing is taken twice.
    status, _headers, repeat = _request("PATCH", location, {**part, "Upload-Offset": str(len(envelope))}, b"")
    assert status == 200 and repeat["result"]["receipt"] == receipt
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Bid.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(BidVersion.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(SealReceipt.id))) == 1
    assert len(set(_blobs(blob_dir)) - before) == 1
