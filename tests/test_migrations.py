"""Migrations: an empty database goes to head, head matches the models, and down/up round-trips."""

from __future__ import annotations

import os
import secrets

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from config import TestingConfig
from tests.conftest import BACKEND, PG_URL


@pytest.fixture
def empty_database_url(tmp_path):
    if BACKEND == "embedded":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    name = f"m_{os.getpid()}_{secrets.token_hex(4)}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield PG_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def fresh_app(empty_database_url, redis_url, tmp_path):
    from app import create_app

    return create_app(
        TestingConfig(SQLALCHEMY_DATABASE_URI=empty_database_url, RQ_CONNECTION=redis_url, INSTANCE_PATH=str(tmp_path))
    )


def _differences(db):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_empty_database_upgrades_to_head_matching_the_models(fresh_app):
    from core.extensions import db

    with fresh_app.app_context():
        upgrade(revision="heads")
        assert _differences(db) == []
        districts = db.session.execute(sa.text("SELECT count(*) FROM district")).scalar()
        assert districts == 16


def test_downgrade_to_base_and_upgrade_again(fresh_app):
    from core.extensions import db

    with fresh_app.app_context():
        upgrade(revision="heads")
        downgrade(revision="base")
        tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade(revision="heads")
        assert _differences(db) == []


# A revision must give the same database whatever the application becomes later: it imports no
# application code (models, operations, data loaders), only Alembic, SQLAlchemy and the standard library.
ALLOWED_IMPORT_ROOTS = {"alembic", "sqlalchemy", "datetime", "json", "uuid", "hashlib", "__future__"}
APPLICATION_ROOTS = {"app", "config", "core", "credit", "tender"}


def _imported_roots(path):
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield (node.module or "").split(".")[0]


def test_migrations_import_no_application_code():
    from pathlib import Path

    versions = Path(__file__).resolve().parent.parent / "migrations" / "versions"
    offenders = {}
    for path in sorted(versions.glob("*.py")):
        roots = set(_imported_roots(path))
        bad = (roots & APPLICATION_ROOTS) | (roots - ALLOWED_IMPORT_ROOTS - APPLICATION_ROOTS)
        if bad:
            offenders[path.name] = sorted(bad)
    assert offenders == {}
