"""When Redis is down: requests still succeed, rows wait in the database, the jobs page says so."""

from __future__ import annotations

import pytest

from config import TestingConfig
from core.accounts.models import OrgKind
from core.extensions import db
from core.jobs.models import Notification
from tests.core.api.conftest import make_token  # noqa: F401  (fixture)
from tests.core.auth.conftest import isolated_client


@pytest.fixture
def app_without_redis(app, closed_port):
    """The same database, but RQ points at a port where no Redis listens."""
    from app import create_app

    other = create_app(
        TestingConfig(
            SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
            RQ_CONNECTION=f"redis://127.0.0.1:{closed_port}/0",
            INSTANCE_PATH=app.instance_path,
        )
    )
    yield other
    with other.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app_without_redis):
    return isolated_client(app_without_redis)


def test_work_is_kept_when_redis_is_down_and_the_jobs_page_says_so(client, login, make_user, make_token):  # noqa: F811
    operator = make_user(kind=OrgKind.OPERATOR)
    recipient = make_user()
    auth = {"Authorization": f"Bearer {make_token(operator)}"}

    created = client.post("/api/v1/notifications", json={"recipient_id": recipient.id, "subject": "S"}, headers=auth)
    assert created.status_code == 201 and created.get_json()["status"] == "queued"
    db.session.expire_all()
    # Committed and waiting: the periodic sweep submits it once Redis is back.
    assert db.session.get(Notification, created.get_json()["id"]).delivered_at is None

    login(operator)
    page = client.get("/operator/jobs")
    assert page.status_code == 503 and "Redis" in page.get_data(as_text=True)
