"""Sealing tests that use the app: make sure this package's tables exist (until the Alembic
migration for them is part of the tree, ``create_all`` of just these tables stands in)."""

import pytest


@pytest.fixture(autouse=True)
def _sealing_tables(request):
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        from core.extensions import db
        from tender.sealing.models import CustodianKey, SealReceipt

        with app.app_context():
            db.metadata.create_all(db.engine, tables=[CustodianKey.__table__, SealReceipt.__table__])
    yield
