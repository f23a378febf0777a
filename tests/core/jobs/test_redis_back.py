"""Work written while Redis was away goes out as soon as a worker has Redis again — not after the
ten-minute sweep. A real Redis server is stopped and started; a real worker process loses it.

RQ's worker quits when Redis goes away for more than a moment, so what brings it back is its
supervisor (the embedded start, or systemd in production) starting it again; a worker resubmits the
waiting rows when it starts, and when it gets its connection back after a short break."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
import redis

from config import BASE_DIR, TestingConfig
from core.accounts.models import OrgKind
from core.extensions import db
from core.jobs.models import Notification
from core.jobs.operations import notify

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs the redis-server program")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayRedis:
    """A redis-server of this test's own, which it may stop and start at will."""

    def __init__(self, port: int):
        self.port, self.process = port, None

    def start(self) -> None:
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


@pytest.fixture
def own_redis():
    server = ThrowawayRedis(_free_port())
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


@pytest.fixture
def app_on_own_redis(app, own_redis):
    from app import create_app

    other = create_app(TestingConfig(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                                     RQ_CONNECTION=f"redis://127.0.0.1:{own_redis.port}/0", INSTANCE_PATH=app.instance_path))
    yield other
    with other.app_context():
        db.engine.dispose()


def _worker(app, own_redis, tmp_path):
    env = dict(os.environ, PLATFORM_CONFIG="embedded", DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               REDIS_URL=f"redis://127.0.0.1:{own_redis.port}/0", INSTANCE_PATH=str(tmp_path),
               SECRET_KEY="worker-test-secret-key-0123456789abcdefghij", FLASK_APP="app:create_app")
    log = open(tmp_path / "worker.log", "wb")
    return subprocess.Popen([sys.executable, "-m", "flask", "rq", "worker"], cwd=BASE_DIR, env=env,
                            stdout=log, stderr=subprocess.STDOUT)


def _wait_until_listening(own_redis) -> None:
    connection = redis.Redis(port=own_redis.port)
    deadline = time.monotonic() + 60
    while not connection.smembers("rq:workers"):
        assert time.monotonic() < deadline, "the worker did not start"
        time.sleep(0.2)


def _delivered(notification_id: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.expire_all()
        if db.session.get(Notification, notification_id).delivered_at is not None:
            return True
        time.sleep(0.2)
    return False


def test_a_notice_written_while_redis_was_down_goes_out_when_the_worker_reconnects(app_on_own_redis, own_redis,
                                                                                 make_user, tmp_path):
    recipient = make_user(OrgKind.FIRM)
    worker = _worker(app_on_own_redis, own_redis, tmp_path)
    try:
        _wait_until_listening(own_redis)
        own_redis.stop()
        with app_on_own_redis.app_context():
            from core.accounts.models import User

            note = notify(db.session.get(User, recipient.id), "while Redis was away")
            db.session.commit()  # the job cannot be submitted: the row waits
            note_id = note.id
        assert not _delivered(note_id, 1)
        time.sleep(5)  # older than a request still on its way to Redis
        own_redis.start()
        if worker.poll() is not None:  # it quit without Redis: its supervisor starts it again
            worker = _worker(app_on_own_redis, own_redis, tmp_path)
        assert _delivered(note_id, 30), "the worker back on Redis did not resubmit the waiting notice"
    finally:
        worker.terminate()
        worker.wait(timeout=20)
