"""Fixtures for the jobs tests: empty queues, a real worker whose job processes use the test database."""

from __future__ import annotations

import signal
import socket

import pytest

from core.accounts.models import OrgKind
from tests.core.auth.conftest import isolated_client


@pytest.fixture
def client(app):
    return isolated_client(app)


@pytest.fixture
def queues(app_ctx):
    """The configured RQ queues, emptied of every job and registry entry before the test."""
    from core.extensions import rq

    conn = rq.get_queue().connection
    keys = list(conn.scan_iter("rq:*"))
    if keys:
        conn.delete(*keys)
    return rq.queues


@pytest.fixture
def mail_settings(app, monkeypatch):
    """mail_settings(host, port): the SMTP server the jobs use (none by default: mail goes to the outbox).

    The worker forks its job processes from this one, so they see the settings made here.
    """
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    monkeypatch.setitem(app.config, "MAIL_USERNAME", None)

    def use(host: str, port: int) -> None:
        monkeypatch.setitem(app.config, "MAIL_SERVER", host)
        monkeypatch.setitem(app.config, "MAIL_PORT", port)

    return use


@pytest.fixture
def run_worker(queues, mail_settings):
    """run_worker(*names): a real flask-rq worker drains the queues (burst mode), as `flask rq worker` would."""
    from core.extensions import db, rq

    def run(*names: str) -> bool:
        db.session.commit()  # the job processes must see what the test wrote
        handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            worked = rq.make_worker(list(names) or None).work(burst=True, logging_level="WARNING")
        finally:
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
        db.session.expire_all()
        return worked

    return run


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def operator(make_user):
    return make_user(kind=OrgKind.OPERATOR)
