"""Idempotency-Key on creating calls: a retry replays the first answer and runs nothing again."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from datetime import timedelta

import sqlalchemy as sa

from core.audit.models import AuditEvent
from core.db import utcnow
from core.idempotency import IdempotencyKey, purge_expired
from core.jobs.models import Notification
from tests.core.api.conftest import count
from tests.core.auth.conftest import isolated_client


def send(client, auth, recipient, key=None, **fields):
    headers = dict(auth)
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post("/api/v1/notifications", json={"recipient_id": recipient.id, "subject": "Notice", **fields}, headers=headers)


def test_retry_with_the_same_key_returns_the_stored_answer(client, operator_auth, firm_user):
    first = send(client, operator_auth, firm_user, key="a7d9-retry")
    assert first.status_code == 201
    events = count(AuditEvent)
    again = send(client, operator_auth, firm_user, key="a7d9-retry")
    assert again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert count(Notification) == 1
    assert count(AuditEvent) == events


def test_same_key_with_another_body_is_a_422_problem(client, operator_auth, firm_user):
    assert send(client, operator_auth, firm_user, key="k-1").status_code == 201
    other = send(client, operator_auth, firm_user, key="k-1", body="different")
    assert other.status_code == 422 and other.mimetype == "application/problem+json"
    assert "different request" in other.get_json()["detail"]
    assert count(Notification) == 1


def test_body_whitespace_and_key_order_do_not_matter(client, operator_auth, firm_user):
    headers = dict(operator_auth, **{"Idempotency-Key": "k-json"})
    a = client.post("/api/v1/notifications", data=f'{{"recipient_id": {firm_user.id}, "subject": "S"}}',
                    headers=headers, content_type="application/json")
    b = client.post("/api/v1/notifications", data=f'{{ "subject":"S","recipient_id":{firm_user.id} }}',
                    headers=headers, content_type="application/json")
    assert (a.status_code, b.status_code) == (201, 201)
    assert b.headers["Idempotent-Replayed"] == "true"
    assert count(Notification) == 1


def test_without_a_key_each_call_creates(client, operator_auth, firm_user):
    assert send(client, operator_auth, firm_user).status_code == 201
    assert send(client, operator_auth, firm_user).status_code == 201
    assert count(Notification) == 2
    assert count(IdempotencyKey) == 0


def test_keys_belong_to_their_user(client, operator_auth, make_user, make_token, firm_user):
    from core.accounts.models import OrgKind

    other_operator = make_user(kind=OrgKind.OPERATOR)
    other_auth = {"Authorization": f"Bearer {make_token(other_operator)}"}
    assert send(client, operator_auth, firm_user, key="shared").status_code == 201
    second = send(client, other_auth, firm_user, key="shared")
    assert second.status_code == 201 and "Idempotent-Replayed" not in second.headers
    assert count(Notification) == 2


def test_a_failed_call_does_not_use_up_the_key(client, operator_auth, firm_user):
    invalid = client.post(
        "/api/v1/notifications", json={"recipient_id": firm_user.id}, headers=dict(operator_auth, **{"Idempotency-Key": "k-2"})
    )
    assert invalid.status_code == 422
    assert count(IdempotencyKey) == 0
    assert send(client, operator_auth, firm_user, key="k-2").status_code == 201


def test_malformed_keys_are_refused(client, operator_auth, firm_user):
    for key in ("x" * 256, "with space", "中文"):
        headers = dict(operator_auth)
        response = client.post("/api/v1/notifications", json={"recipient_id": firm_user.id, "subject": "S"},
                               headers=[*headers.items(), ("Idempotency-Key", key.encode().decode("latin-1"))])
        assert response.status_code == 400, key
    assert count(Notification) == 0


def test_keys_expire_after_a_day(client, operator_auth, firm_user, app_ctx):
    from core.extensions import db

    assert send(client, operator_auth, firm_user, key="old").status_code == 201
    # As if the day had passed: the key's expiry is now behind us.
    db.session.execute(sa.update(IdempotencyKey).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    fresh = send(client, operator_auth, firm_user, key="old", body="a new request")
    assert fresh.status_code == 201 and "Idempotent-Replayed" not in fresh.headers
    assert count(Notification) == 2
    db.session.execute(sa.update(IdempotencyKey).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert purge_expired() == 1
    db.session.commit()
    assert count(IdempotencyKey) == 0


def test_concurrent_retries_create_once(app, operator_auth, firm_user):
    """Two copies of the same call at once: one creates, the other replays or is told to retry."""
    results = []
    barrier = threading.Barrier(4)
    recipient = SimpleNamespace(id=firm_user.id)  # the threads have no application context to load it

    def call():
        client = isolated_client(app)
        barrier.wait()
        results.append(send(client, operator_auth, recipient, key="race"))

    threads = [threading.Thread(target=call) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(r.status_code for r in results)
    assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}, statuses
    created = {r.get_json()["id"] for r in results if r.status_code == 201}
    assert len(created) == 1
    assert count(Notification) == 1
