"""The accounts branch of the migrations goes down and up again, and its columns match the models."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from core.extensions import db


def columns(table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(db.engine).get_columns(table)}


def test_accounts_branch_downgrades_and_upgrades(app_ctx):
    db.session.remove()
    try:
        downgrade(revision="accounts@-1")
        assert "reference" not in columns("organisation") and "specialty" not in columns("membership")
    finally:
        upgrade(revision="heads")
    assert "reference" in columns("organisation") and "specialty" in columns("membership")
    unique = sa.inspect(db.engine).get_unique_constraints("organisation")
    assert any(c["column_names"] == ["reference"] for c in unique)
