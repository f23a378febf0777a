"""Exchange with the city public credit platform, and bulk import of existing records from CSV.

Export: outbox items (written with each decision, publication, correction and expiry) go out in
batches named by their first and last item id, as JSON lines and CSV. The cursor is the highest
last id of a sent batch, so a batch that failed is rebuilt identically on retry and a batch that
was sent is never sent again. Items younger than a few seconds are left for the next run, so a
transaction that committed late with a lower id is not skipped.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import urllib.request
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from core.accounts.models import District
from core.audit.operations import record_event
from core.db import DomainError, db, utcnow
from credit.models import (
    ConductKind,
    CreditRecord,
    Decision,
    ExchangeBatch,
    ExchangeItem,
    ImportRun,
    RecordSource,
    RecordStatus,
)
from credit.models.exchange import BatchStatus
from credit.text import _

CSV_FIELDS = ("event", "reference", "subject_kind", "subject_key", "subject_name", "item_code", "catalogue_version",
              "decision", "points", "occurred_on", "decided_at", "published_at", "expires_at", "corrected_at",
              "authority_district")


def cursor() -> int:
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.max(ExchangeBatch.last_item_id), 0)).where(ExchangeBatch.status == BatchStatus.SENT)
    )


def _csv_row(payload: dict) -> list:
    subject = payload["subject"]
    return [payload["event"], payload["reference"], subject["kind"], subject.get("uscc") or subject.get("certificate_no"),
            subject["name"], payload["item"]["code"], payload["item"]["catalogue_version"], payload["decision"],
            payload["points"], payload["occurred_on"], payload["decided_at"], payload["published_at"],
            payload["expires_at"], payload["corrected_at"], payload["authority_district"]]


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


def export_batch(*, batch_size: int = 500, settle_seconds: int = 5, now: datetime | None = None) -> ExchangeBatch | None:
    """Send the next batch after the cursor; None when there is nothing to send."""
    now = now or utcnow()
    items = db.session.scalars(
        sa.select(ExchangeItem)
        .where(ExchangeItem.id > cursor(), ExchangeItem.created_at <= now - timedelta(seconds=settle_seconds))
        .order_by(ExchangeItem.id).limit(batch_size)
    ).all()
    if not items:
        return None
    first, last = items[0].id, items[-1].id
    name = f"credit-{first:012d}-{last:012d}"
    batch = db.session.scalars(
        sa.select(ExchangeBatch).where(ExchangeBatch.first_item_id == first, ExchangeBatch.last_item_id == last)
    ).first()
    if batch is None:
        batch = ExchangeBatch(first_item_id=first, last_item_id=last, item_count=len(items), status=BatchStatus.FAILED,
                              attempts=0, jsonl_name=name)
        db.session.add(batch)
    jsonl, csv_bytes = render_batch(items)
    batch.attempts += 1
    batch.jsonl_sha256 = hashlib.sha256(jsonl).hexdigest()
    batch.csv_sha256 = hashlib.sha256(csv_bytes).hexdigest()
    try:
        deliver(name, jsonl, csv_bytes)
    except Exception as exc:  # recorded for the log page, then raised for the job's retry
        batch.error = f"{type(exc).__name__}: {exc}"[:1000]
        db.session.flush()
        record_event("credit.exchange_failed", batch, actor=None, details={"first": first, "last": last})
        raise
    batch.status = BatchStatus.SENT
    batch.error = None
    db.session.flush()
    record_event("credit.exchange_sent", batch, actor=None, data={"sha256": batch.jsonl_sha256},
                 details={"first": first, "last": last, "items": len(items)})
    return batch


# Bulk import ---------------------------------------------------------------------------------

IMPORT_FIELDS = ("uscc", "firm_name", "certificate_no", "item_code", "occurred_on", "district_code", "source", "source_ref",
                 "facts", "decision", "points", "decided_on", "published_on")
SHANGHAI = ZoneInfo("Asia/Shanghai")


class RowError(Exception):
    pass


def _date(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RowError(_("%(field)s is not a date like 2024-03-31", field=field)) from None


def _instant(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), SHANGHAI).astimezone(ZoneInfo("UTC"))


def _import_row(row: dict, *, actor, district: str | None, decisions: bool) -> CreditRecord:
    from credit import search
    from credit.operations.catalogue import active_version
    from credit.operations.process import add_months, open_record
    from credit.operations.subjects import register_firm

    row = {k: (row.get(k) or "").strip() for k in IMPORT_FIELDS}
    if not row["source_ref"]:
        raise RowError(_("source_ref is required, so the same row is never imported twice"))
    try:
        source = RecordSource(row["source"] or "import")
    except ValueError:
        raise RowError(_("source must be hotline or import")) from None
    if source not in (RecordSource.HOTLINE, RecordSource.IMPORT):
        raise RowError(_("source must be hotline or import"))
    if db.session.get(District, row["district_code"]) is None:
        raise RowError(_("district_code is not a Shanghai district code"))
    if district is not None and row["district_code"] != district:
        raise RowError(_("district_code is not your district"))
    if db.session.scalar(sa.select(CreditRecord.id).where(CreditRecord.source == source,
                                                          CreditRecord.source_ref == row["source_ref"])):
        raise RowError(_("already imported (same source_ref)"))
    item = next((i for i in active_version().items if i.code == row["item_code"]), None)
    if item is None:
        raise RowError(_("item_code is not in the active catalogue"))
    if row["certificate_no"]:
        subject = search.manager_by_certificate(row["certificate_no"])
        if subject is None:
            raise RowError(_("no project manager has this certificate_no"))
    else:
        if not row["uscc"] or not row["firm_name"]:
            raise RowError(_("uscc and firm_name are required for a firm's record"))
        subject = search.firm_by_uscc(row["uscc"]) or register_firm({"uscc": row["uscc"], "name": row["firm_name"],
                                                                      "district_code": row["district_code"]}, actor=actor)
    occurred = _date(row["occurred_on"], "occurred_on")
    if occurred is None:
        raise RowError(_("occurred_on is required"))
    record = open_record(subject, {"item": item, "source": source, "source_ref": row["source_ref"], "facts": row["facts"],
                                   "occurred_on": occurred, "district_code": row["district_code"]}, actor=actor)
    decided_on = _date(row["decided_on"], "decided_on")
    if decided_on is None:
        return record  # a hotline referral: a draft for the district bureau to take through due process
    if not decisions:
        raise RowError(_("only the city bureau imports decided records; leave decided_on empty to import a draft"))
    try:
        decision = Decision(row["decision"] or "upheld")
    except ValueError:
        raise RowError(_("decision must be upheld, reduced or dismissed")) from None
    points = item.points
    if decision == Decision.REDUCED:
        if not row["points"].isdigit() or not 0 < int(row["points"]) < item.points:
            raise RowError(_("points must be between 1 and %(most)s for a reduced decision", most=item.points - 1))
        points = int(row["points"])
    published_on = _date(row["published_on"], "published_on")
    if published_on and published_on < decided_on:
        raise RowError(_("published_on is before decided_on"))
    record.decision = decision
    record.decision_reasons = _("Imported decision")
    record.points = 0 if decision == Decision.DISMISSED else points
    record.decided_at = _instant(decided_on)
    record.status = RecordStatus.DISMISSED if decision == Decision.DISMISSED else RecordStatus.DECIDED
    if published_on and decision != Decision.DISMISSED and item.publication_months > 0:
        record.published_at = _instant(published_on)
        record.expires_at = add_months(record.published_at, item.publication_months)
        record.correction_from = add_months(record.published_at, item.correction_after_months)
        record.status = RecordStatus.PUBLISHED
    db.session.flush()
    record_event("credit.record_imported", record, actor=actor, district=record.district_code,
                 details={"reference": record.reference, "source_ref": row["source_ref"]})
    return record


def import_records(filename: str, data: bytes, *, actor, district: str | None = None, decisions: bool = True,
                   max_rows: int = 20000) -> ImportRun:
    """Import records from CSV, each row whole or not at all; the run keeps a row-by-row report.

    ``district`` limits every row to one district (a district bureau imports its own hotline
    referrals). Rows that carry a decision skip due process on this platform, so they are taken only
    when ``decisions`` is true: the city bureau bringing over records already decided elsewhere.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(_("The file must be UTF-8 encoded CSV."), code="encoding", field="file") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [f for f in ("item_code", "occurred_on", "district_code", "source_ref", "facts") if f not in (reader.fieldnames or [])]
    if missing:
        raise DomainError(_("The CSV lacks these columns: %(cols)s", cols=", ".join(missing)), code="columns", field="file")
    run = ImportRun(filename=filename[:200], created_by_id=actor.id if actor else None, report=[])
    db.session.add(run)
    report = []
    for line, row in enumerate(reader, start=2):
        if line - 1 > max_rows:
            raise DomainError(_("At most %(n)s rows per file.", n=max_rows), code="too_many_rows", field="file")
        savepoint = db.session.begin_nested()
        try:
            record = _import_row(row, actor=actor, district=district, decisions=decisions)
            savepoint.commit()
            report.append({"line": line, "ok": True, "reference": record.reference, "stage": record.stage()})
        except (RowError, DomainError) as exc:
            savepoint.rollback()
            message = str(exc) if isinstance(exc, RowError) else exc.message
            report.append({"line": line, "ok": False, "error": message, "source_ref": (row.get("source_ref") or "")[:64]})
    run.report = report
    run.total_rows = len(report)
    run.imported_rows = sum(1 for r in report if r["ok"])
    run.rejected_rows = run.total_rows - run.imported_rows
    db.session.flush()
    record_event("credit.import_run", run, actor=actor,
                 details={"rows": run.total_rows, "imported": run.imported_rows, "rejected": run.rejected_rows})
    return run


__all__ = ["ConductKind", "cursor", "export_batch", "import_records", "render_batch"]
