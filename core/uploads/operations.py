"""Starting an upload, taking its parts, finishing it through its purpose, and forgetting stale ones."""

from __future__ import annotations

import os
import re
import secrets
import shutil
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from werkzeug.exceptions import ClientDisconnected

from core import clock
from core.audit.operations import record_event
from core.blobs import BlobStore
from core.db import DomainError, NotFound, db, utcnow
from core.uploads import purpose as find_purpose
from core.uploads.models import Upload

CHUNK = 1024 * 1024
DEVICE_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class OffsetMismatch(DomainError):
    """The client sent bytes for another offset than the one the server holds (it must ask again)."""

    def __init__(self, offset: int):
        super().__init__(_("The server holds %(offset)s bytes of this upload: continue from there.", offset=offset),
                         code="offset_mismatch")
        self.offset = offset


class UploadRefused(DomainError):
    status = 422


class UploadOver(Exception):
    """The upload can never finish (``refusal`` says why): its purpose closed (a deadline passed
    before the last byte), or the last byte arrived and the purpose refused the file."""

    def __init__(self, refusal: DomainError):
        super().__init__(refusal.message)
        self.refusal = refusal


def store() -> BlobStore:
    return BlobStore.from_config(current_app.config)


def client_facts(remote_addr: str | None, user_agent: str | None, device_id: str | None) -> dict:
    """What is kept of the sending client (the evaluation compares these between bids)."""
    return {"address": (remote_addr or "")[:64], "user_agent": (user_agent or "")[:300],
            "device": device_id if device_id and DEVICE_ID.fullmatch(device_id) else None}


def start_upload(user, data: dict, *, client: dict) -> Upload:
    """Open an upload of ``data["length"]`` bytes for a registered purpose and target."""
    chosen = find_purpose(data.get("purpose") or "")
    if chosen is None:
        raise UploadRefused(_("Unknown upload purpose."), code="purpose", field="purpose")
    target = (data.get("target") or "").strip()
    chosen.authorise(user, target)
    length = data.get("length")
    most = chosen.max_bytes(target)
    if not isinstance(length, int) or not 0 < length <= most:
        raise UploadRefused(_("The file must be between 1 byte and %(most)s bytes.", most=most), code="length",
                            field="length")
    chosen.check_open(target, clock.now())
    lifetime = timedelta(hours=current_app.config["UPLOAD_LIFETIME_HOURS"])
    upload = Upload(id=secrets.token_hex(16), user_id=user.id, purpose=chosen.name, target=target[:128], length=length,
                    offset=0, client=client, expires_at=utcnow() + lifetime)
    db.session.add(upload)
    path = store().partial_path(upload.id)
    path.touch(mode=0o600, exist_ok=False)
    db.session.flush()
    record_event("upload.started", upload, actor=user, details={"purpose": upload.purpose, "length": length})
    return upload


def upload_of(user, upload_id: str) -> Upload:
    """The user's own upload; any other is "not found" (its id is not even confirmed to exist)."""
    upload = db.session.get(Upload, upload_id) if isinstance(upload_id, str) and len(upload_id) == 32 else None
    if upload is None or upload.user_id != user.id:
        raise NotFound(_("No such upload."))
    return upload


def _writable(upload: Upload, now: datetime) -> None:
    if upload.failed_reason:
        raise UploadRefused(upload.failed_reason, code="upload_refused")
    if utcnow() >= upload.expires_at:
        raise UploadRefused(_("This upload has expired: start again."), code="upload_expired")
    try:
        find_purpose(upload.purpose).check_open(upload.target, now)
    except DomainError as exc:
        raise UploadOver(exc) from exc


def append_part(upload: Upload, offset: int, stream, *, actor) -> Upload:
    """Write the bytes of ``stream`` at ``offset``; the part that brings the last byte finishes the upload.

    A broken connection keeps what arrived (the client resumes from the new offset). The moment the
    last byte has arrived is the one the purpose's deadline is checked against.
    """
    if upload.complete:
        if offset == upload.length:
            return upload  # a client that lost the answer to its last part asks again
        raise OffsetMismatch(upload.offset)
    _writable(upload, clock.now())
    if offset != upload.offset:
        raise OffsetMismatch(upload.offset)
    path = store().partial_path(upload.id)
    _own_copy(path)
    remaining = upload.length - upload.offset
    received = 0
    with open(path, "r+b") as fh:
        fh.truncate(upload.offset)  # leftovers of a request that died half-way
        fh.seek(upload.offset)
        try:
            while chunk := stream.read(min(CHUNK, remaining - received + 1)):
                received += len(chunk)
                if received > remaining:
                    fh.truncate(upload.offset)
                    raise UploadRefused(_("More bytes were sent than the upload's length."), code="too_long")
                fh.write(chunk)
        except ClientDisconnected:
            pass  # keep what arrived; the client asks for the offset and goes on
        fh.flush()
        os.fsync(fh.fileno())
    upload.offset += received
    db.session.flush()
    if upload.offset == upload.length:
        _finish(upload, path, actor=actor)
    return upload


def _own_copy(path) -> None:
    """A purpose may store the finished file by linking it into the blob store; if the process died
    before that transaction committed, the part file is still that blob's link. Writing the retry
    into it would change the blob, so the part file becomes a copy of its own first."""
    if os.stat(path).st_nlink == 1:
        return
    copy = path.with_name(path.name + ".copy")
    shutil.copyfile(path, copy)
    os.chmod(copy, 0o600)
    os.replace(copy, path)


def _finish(upload: Upload, path, *, actor) -> None:
    arrived = clock.now()
    chosen = find_purpose(upload.purpose)
    try:
        chosen.check_open(upload.target, arrived)  # the last byte itself must be on time
        upload.result = chosen.complete(upload, path, actor=actor)
    except DomainError as exc:
        raise UploadOver(exc) from exc
    upload.completed_at = arrived
    db.session.flush()
    record_event("upload.completed", upload, actor=actor, details={"purpose": upload.purpose, "length": upload.length})


def refuse_upload(upload_id: str, reason: str) -> None:
    """Mark an upload refused and drop its bytes, in a transaction of its own: the refused request
    itself keeps nothing, but the refusal must stand (the bytes were not what the purpose accepts)."""
    with db.engine.begin() as conn:
        conn.execute(sa.update(Upload).where(Upload.id == upload_id).values(failed_reason=reason[:500]))
    store().partial_path(upload_id).unlink(missing_ok=True)


def cancel_upload(upload: Upload, *, actor) -> None:
    """The sender abandons an unfinished upload: its bytes are dropped."""
    if upload.complete:
        raise DomainError(_("This upload is complete; it cannot be cancelled."), code="upload_complete")
    store().partial_path(upload.id).unlink(missing_ok=True)
    record_event("upload.cancelled", upload, actor=actor, details={"offset": upload.offset})
    db.session.delete(upload)


def purge_stale_uploads(now: datetime | None = None) -> int:
    """Drop unfinished uploads past their lifetime and the bytes of refused ones (safe to repeat)."""
    now = now or utcnow()
    stale = db.session.scalars(sa.select(Upload).where(Upload.completed_at.is_(None), Upload.expires_at <= now)
                               .limit(500)).all()
    blobs = store()
    for upload in stale:
        blobs.partial_path(upload.id).unlink(missing_ok=True)
        db.session.delete(upload)
    return len(stale)
