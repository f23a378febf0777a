"""Fixtures for the JSON API tests: users with API tokens and a client with its own context per request."""

from __future__ import annotations

import pytest

from core.accounts.models import OrgKind
from tests.core.auth.conftest import isolated_client


@pytest.fixture
def client(app):
    return isolated_client(app)


@pytest.fixture
def make_token(app_ctx):
    """make_token(user, scopes=("admin",)) -> the bearer secret of a fresh token in the user's first membership."""
    from core.auth.tokens import create_token
    from core.extensions import db

    def make(user, scopes=("admin",), days: int = 30) -> str:
        membership = user.active_memberships()[0]
        _, secret = create_token(membership, {"name": "tests", "scopes": list(scopes), "days": days}, actor=user)
        db.session.commit()
        return secret

    return make


@pytest.fixture
def operator(make_user):
    return make_user(kind=OrgKind.OPERATOR)


@pytest.fixture
def operator_auth(operator, make_token) -> dict:
    return {"Authorization": f"Bearer {make_token(operator)}"}


@pytest.fixture
def firm_user(make_user):
    return make_user(kind=OrgKind.FIRM)


@pytest.fixture
def firm_auth(firm_user, make_token) -> dict:
    # Every scope, so that refusals come from the role rule.
    return {"Authorization": f"Bearer {make_token(firm_user, scopes=('admin',))}"}


def count(model) -> int:
    import sqlalchemy as sa

    from core.extensions import db

    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))
