"""A large form body is refused before it is read, and the server's memory stays flat.

Werkzeug 3.1 buffers a url-encoded form body whole, up to the request-body limit: the default limit
is therefore small (1 MiB), and only upload views raise it. This runs the application the way it is
deployed (gunicorn, a worker process) and reads the worker's peak memory from /proc.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config import BASE_DIR

SIXTY_MIB = 60 * 1024 * 1024
CHUNK = b"x" * (1024 * 1024)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def _worker_pid(master: int) -> int:
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise AssertionError("gunicorn started no worker")


@pytest.fixture
def served(database_url, redis_url, tmp_path):
    port = _free_port()
    env = dict(os.environ, PLATFORM_CONFIG="embedded", DATABASE_URL=database_url, REDIS_URL=redis_url,
               INSTANCE_PATH=str(tmp_path), SECRET_KEY="body-limit-test-secret-key-0123456789abcdef")
    env.pop("MAX_CONTENT_LENGTH", None)
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                                "app:create_app()"], cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port, _worker_pid(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=15)


def _post_large_form(port: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.putrequest("POST", "/auth/login")
    conn.putheader("Content-Type", "application/x-www-form-urlencoded")
    conn.putheader("Content-Length", str(SIXTY_MIB))
    conn.endheaders()
    try:
        conn.send(b"email=" + CHUNK[:-6])
        for _ in range(SIXTY_MIB // len(CHUNK) - 1):
            conn.send(CHUNK)
    except (BrokenPipeError, ConnectionResetError):
        pass  # refused early: the server stopped reading
    try:
        return conn.getresponse().status
    except (ConnectionResetError, http.client.RemoteDisconnected):
        return 413
    finally:
        conn.close()


def test_a_60_mib_form_body_is_refused_with_flat_memory(served):
    port, worker = served
    warm = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    warm.request("GET", "/auth/login")
    assert warm.getresponse().status == 200
    warm.close()
    before = _peak_rss_kib(worker)
    statuses = [_post_large_form(port) for _ in range(4)]
    grown_mib = (_peak_rss_kib(worker) - before) / 1024
    assert set(statuses) == {413}
    assert grown_mib < 16, f"the worker's peak memory grew by {grown_mib:.0f} MiB"
