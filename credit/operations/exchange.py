"""Exchange with the city public credit platform, and bulk import of existing records from CSV.

Export: outbox items (written with each decision, publication, correction and expiry, imported
records included) go out in batches named by their first and last item id, as JSON lines and CSV.
A batch is *kept before it is first delivered*: its items, both files and its key (the name, sent
as ``Idempotency-Key``) are committed as pending, and a pending batch is resent byte for byte until
the city platform acknowledges it. Only then does a new batch start, after the highest item of any
batch, so an item is never in two batches and a worker killed mid-delivery makes the platform get
the same batch again under the same key, never an overlapping one. Items younger than a few seconds
are left for the next run, so a transaction that committed late with a lower id is not skipped.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import undefer

from core.audit.operations import record_event
from core.db import db, utcnow
from credit.models import ExchangeBatch, ExchangeItem
from credit.models.exchange import BatchStatus

CSV_FIELDS = ("event", "reference", "subject_kind", "subject_key", "subject_name", "item_code", "catalogue_version",
              "decision", "decision_no", "points", "occurred_on", "decided_at", "published_at", "expires_at",
              "corrected_at", "authority_district")


def cursor() -> int:
    """The highest outbox item already put in a batch (sent or still pending)."""
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(ExchangeBatch.last_item_id), 0)))


def _csv_row(payload: dict) -> list:
    subject = payload["subject"]
    return [payload["event"], payload["reference"], subject["kind"], subject.get("uscc") or subject.get("certificate_no"),
            subject["name"], payload["item"]["code"], payload["item"]["catalogue_version"], payload["decision"],
            payload.get("decision_no"), payload["points"], payload["occurred_on"], payload["decided_at"],
            payload["published_at"], payload["expires_at"], payload["corrected_at"], payload["authority_district"]]


def render_batch(items: list[ExchangeItem]) -> tuple[bytes, bytes]:
    """The batch as JSON lines and as CSV; the same items always give the same bytes."""
    lines = [json.dumps({"id": i.id, **i.payload}, ensure_ascii=False, sort_keys=True) for i in items]
    jsonl = ("\n".join(lines) + "\n").encode()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("id",) + CSV_FIELDS)
    for i in items:
        writer.writerow([i.id] + _csv_row(i.payload))
    return jsonl, out.getvalue().encode("utf-8-sig")


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def deliver(name: str, jsonl: bytes, csv_bytes: bytes) -> None:
    """Hand a batch to the city platform: its drop folder, and its HTTP endpoint when configured."""
    folder = Path(current_app.config.get("CREDIT_EXCHANGE_DIR") or Path(current_app.instance_path) / "credit-exchange")
    folder.mkdir(parents=True, exist_ok=True)
    _write_atomic(folder / f"{name}.jsonl", jsonl)
    _write_atomic(folder / f"{name}.csv", csv_bytes)
    url = current_app.config.get("CREDIT_EXCHANGE_URL")
    if url:
        request = urllib.request.Request(url, data=jsonl, method="POST", headers={
            "Content-Type": "application/x-ndjson", "Idempotency-Key": name})
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (configured endpoint)
            if response.status >= 300:
                raise RuntimeError(f"exchange endpoint answered {response.status}")


def pending_batch() -> ExchangeBatch | None:
    """The oldest batch not acknowledged yet, with its bytes."""
    return db.session.scalars(
        sa.select(ExchangeBatch).options(undefer(ExchangeBatch.jsonl), undefer(ExchangeBatch.csv))
        .where(ExchangeBatch.status != BatchStatus.SENT).order_by(ExchangeBatch.first_item_id).limit(1)
    ).first()


def claim_batch(*, batch_size: int = 500, settle_seconds: int = 5, now: datetime | None = None) -> ExchangeBatch | None:
    """The batch to deliver next: the pending one, else a new one of the items after the cursor, kept
    with its bytes (the caller commits it before delivering). None when there is nothing to send."""
    batch = pending_batch()
    if batch is not None:
        return batch
    now = now or utcnow()
    items = db.session.scalars(
        sa.select(ExchangeItem)
        .where(ExchangeItem.id > cursor(), ExchangeItem.created_at <= now - timedelta(seconds=settle_seconds))
        .order_by(ExchangeItem.id).limit(batch_size)
    ).all()
    if not items:
        return None
    first, last = items[0].id, items[-1].id
    jsonl, csv_bytes = render_batch(items)
    batch = ExchangeBatch(first_item_id=first, last_item_id=last, item_count=len(items), status=BatchStatus.PENDING,
                          attempts=0, jsonl_name=f"credit-{first:012d}-{last:012d}", jsonl=jsonl.decode(),
                          csv=csv_bytes.decode("utf-8"), jsonl_sha256=hashlib.sha256(jsonl).hexdigest(),
                          csv_sha256=hashlib.sha256(csv_bytes).hexdigest())
    db.session.add(batch)
    db.session.flush()
    record_event("credit.exchange_batched", batch, actor=None, data={"sha256": batch.jsonl_sha256},
                 details={"first": first, "last": last, "items": len(items)})
    return batch


def deliver_batch(batch: ExchangeBatch) -> ExchangeBatch:
    """Deliver a kept batch (its stored bytes, under its key); acknowledged, it is marked sent."""
    batch.attempts += 1
    try:
        deliver(batch.jsonl_name, batch.jsonl.encode(), batch.csv.encode("utf-8"))
    except Exception as exc:  # recorded for the log page, then raised for the job's retry
        batch.status = BatchStatus.FAILED
        batch.error = f"{type(exc).__name__}: {exc}"[:1000]
        db.session.flush()
        record_event("credit.exchange_failed", batch, actor=None,
                     details={"first": batch.first_item_id, "last": batch.last_item_id})
        raise
    batch.status = BatchStatus.SENT
    batch.error = None
    batch.acknowledged_at = utcnow()
    db.session.flush()
    record_event("credit.exchange_sent", batch, actor=None, data={"sha256": batch.jsonl_sha256},
                 details={"first": batch.first_item_id, "last": batch.last_item_id, "items": batch.item_count})
    return batch
