"""Resumable uploads: parts at offsets, resuming after a broken connection or a dead request, the
deadline checked at the last byte, a refused file kept nowhere, and nobody else's upload reachable."""

from __future__ import annotations

import hashlib
import io
import os
from datetime import datetime, timedelta, timezone

import pytest
from werkzeug.test import EnvironBuilder

from core.accounts.models import OrgKind
from core.blobs import BlobStore
from core.db import DomainError, db
from core.uploads import Purpose, register_purpose
from core.uploads.models import Upload
from tests.core.api.conftest import make_token  # noqa: F401  (fixture)
from tests.core.auth.conftest import isolated_client

PART = "application/offset+octet-stream"
DEADLINE = {"at": None}


def _complete(upload, path, *, actor):
    if open(path, "rb").read(5) == b"PLAIN":
        raise DomainError("This is not a sealed envelope.", code="not_an_envelope")
    stored = BlobStore.from_config(__import__("flask").current_app.config).adopt(path)
    return {"digest": stored.digest, "size": stored.size}


def _check_open(target, now):
    if DEADLINE["at"] is not None and now > DEADLINE["at"]:
        raise DomainError("The deadline has passed.", code="deadline_passed")


@pytest.fixture(autouse=True)
def test_purpose(app):
    register_purpose(app, Purpose("test", authorise=lambda user, target: None, max_bytes=lambda target: 5 * 1024 * 1024,
                                  check_open=_check_open, complete=_complete))
    DEADLINE["at"] = None
    yield
    app.extensions["upload_purposes"].pop("test", None)


@pytest.fixture
def sender(app, make_user, make_token):  # noqa: F811
    user = make_user(OrgKind.FIRM)
    return user, {"Authorization": f"Bearer {make_token(user, scopes=('tender:write',))}"}


def _start(client, auth, length, **extra):
    answer = client.post("/api/v1/uploads", json={"purpose": "test", "target": "T-1/1", "length": length, **extra},
                         headers={**auth, "X-Device-Id": "device-0123456789abcdef"})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["id"], answer.headers["Location"]


def _patch(client, auth, location, offset, data, **headers):
    return client.patch(location, data=data, headers={**auth, "Upload-Offset": str(offset), **headers},
                        content_type=PART)


def test_a_file_sent_in_parts_is_finished_by_its_last_part(client, sender, app_ctx):
    user, auth = sender
    body = os.urandom(300_000)
    upload_id, location = _start(client, auth, len(body))
    first = _patch(client, auth, location, 0, body[:100_000])
    assert first.status_code == 204 and first.headers["Upload-Offset"] == "100000"
    assert client.head(location, headers=auth).headers["Upload-Offset"] == "100000"
    second = _patch(client, auth, location, 100_000, body[100_000:])
    assert second.status_code == 200
    result = second.get_json()["result"]
    assert result["digest"] == hashlib.sha256(body).hexdigest() and second.get_json()["status"] == "completed"
    stored = db.session.get(Upload, upload_id)
    assert stored.client["device"] == "device-0123456789abcdef" and stored.client["address"]
    # The answer to the last part, lost on the way, is given again.
    again = _patch(client, auth, location, len(body), b"")
    assert again.status_code == 200 and again.get_json()["result"] == result


def test_a_part_at_the_wrong_offset_is_refused_with_the_offset_to_use(client, sender, app_ctx):
    _user, auth = sender
    _upload_id, location = _start(client, auth, 1000)
    _patch(client, auth, location, 0, b"a" * 400)
    wrong = _patch(client, auth, location, 0, b"a" * 400)
    assert wrong.status_code == 409 and "400" in wrong.get_json()["detail"]
    assert client.head(location, headers=auth).headers["Upload-Offset"] == "400"


def test_a_broken_connection_keeps_what_arrived_and_the_client_resumes(client, sender, app_ctx):
    _user, auth = sender
    body = os.urandom(200_000)
    upload_id, location = _start(client, auth, len(body))
    # The client promised 150,000 bytes but the connection broke after 70,000.
    builder = EnvironBuilder(path=location, method="PATCH", input_stream=io.BytesIO(body[:70_000]),
                             content_length=150_000, content_type=PART,
                             headers={**auth, "Upload-Offset": "0"})
    client.open(builder)
    offset = int(client.head(location, headers=auth).headers["Upload-Offset"])
    assert offset == 70_000
    done = _patch(client, auth, location, offset, body[offset:])
    assert done.get_json()["result"]["digest"] == hashlib.sha256(body).hexdigest()


def test_bytes_left_by_a_request_that_died_are_cut_away(client, sender, app_ctx, app):
    _user, auth = sender
    body = os.urandom(50_000)
    upload_id, location = _start(client, auth, len(body))
    _patch(client, auth, location, 0, body[:20_000])
    # A web process killed half-way through the next part wrote bytes but committed no new offset.
    with open(BlobStore.from_config(app.config).partial_path(upload_id), "ab") as fh:
        fh.write(b"garbage from a process that died" * 100)
    assert client.head(location, headers=auth).headers["Upload-Offset"] == "20000"
    done = _patch(client, auth, location, 20_000, body[20_000:])
    assert done.get_json()["result"]["digest"] == hashlib.sha256(body).hexdigest()


def test_the_last_byte_after_the_deadline_is_refused_and_nothing_is_kept(client, sender, app_ctx, app, clock):
    _user, auth = sender
    start = datetime(2026, 12, 20, 1, 0, tzinfo=timezone.utc)
    clock.set(start)
    DEADLINE["at"] = start + timedelta(minutes=1)
    upload_id, location = _start(client, auth, 1000)
    assert _patch(client, auth, location, 0, b"x" * 500).status_code == 204
    clock.set(start + timedelta(minutes=1, seconds=1))
    late = _patch(client, auth, location, 500, b"x" * 500)
    assert late.status_code == 409 and late.get_json()["type"].endswith("deadline_passed")
    db.session.expire_all()
    assert not BlobStore.from_config(app.config).partial_path(upload_id).exists()
    assert db.session.get(Upload, upload_id).status(start) == "refused"


def test_a_file_the_purpose_refuses_is_kept_nowhere(client, sender, app_ctx, app):
    _user, auth = sender
    blobs_before = set(BlobStore.from_config(app.config).root.glob("??/??/*"))
    upload_id, location = _start(client, auth, 10)
    refused = _patch(client, auth, location, 0, b"PLAIN text")
    assert refused.status_code == 409 and "not a sealed envelope" in refused.get_json()["detail"]
    db.session.expire_all()
    upload = db.session.get(Upload, upload_id)
    assert upload.completed_at is None and upload.failed_reason and upload.offset == 0
    assert not BlobStore.from_config(app.config).partial_path(upload_id).exists()
    assert set(BlobStore.from_config(app.config).root.glob("??/??/*")) == blobs_before
    assert _patch(client, auth, location, 0, b"again text").status_code == 422


def test_too_many_bytes_are_refused_and_change_nothing(client, sender, app_ctx):
    _user, auth = sender
    _upload_id, location = _start(client, auth, 100)
    assert _patch(client, auth, location, 0, b"y" * 150).status_code == 422
    assert client.head(location, headers=auth).headers["Upload-Offset"] == "0"


def test_nobody_else_reaches_an_upload(client, sender, app, make_user, make_token, app_ctx):  # noqa: F811
    _user, auth = sender
    _upload_id, location = _start(client, auth, 100)
    other = {"Authorization": f"Bearer {make_token(make_user(OrgKind.FIRM), scopes=('tender:write',))}"}
    assert client.head(location, headers=other).status_code == 404
    assert _patch(client, other, location, 0, b"z" * 100).status_code == 404
    assert isolated_client(app).get(location).status_code == 401


def test_lengths_outside_the_purpose_are_refused(client, sender, app_ctx):
    _user, auth = sender
    for length in (0, 6 * 1024 * 1024):
        answer = client.post("/api/v1/uploads", json={"purpose": "test", "target": "T", "length": length}, headers=auth)
        assert answer.status_code == 422
    assert client.post("/api/v1/uploads", json={"purpose": "nope", "target": "T", "length": 5},
                       headers=auth).status_code == 422


def test_an_abandoned_upload_is_dropped_by_its_sender_or_by_the_sweep(client, sender, app_ctx, app):
    from core.uploads.operations import purge_stale_uploads

    _user, auth = sender
    upload_id, location = _start(client, auth, 100)
    assert client.delete(location, headers=auth).status_code == 204
    assert db.session.get(Upload, upload_id) is None
    stale_id, _location = _start(client, auth, 100)
    db.session.get(Upload, stale_id).expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
    db.session.commit()
    assert purge_stale_uploads() == 1
    db.session.commit()
    assert not BlobStore.from_config(app.config).partial_path(stale_id).exists()
