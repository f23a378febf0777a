"""Bulk import of existing records from CSV (12345 hotline referrals, records decided elsewhere).

Each row is imported whole or not at all (its own savepoint) and the run keeps a row-by-row report;
a row is refused, with the reason, when anything in it does not hold: a USCC registered to a firm of
another name, a date in the future, a decision before the conduct, a field longer than its column.
Imported decisions and publications go to the exchange outbox like any other, so the city platform
hears of every record whose expiry it will later be told about.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _

from core import clock
from core.accounts.models import District
from core.audit.operations import record_event
from core.db import DomainError, db
from credit.models import CreditRecord, CreditSubject, Decision, ImportRun, ProjectManager, RecordSource, RecordStatus

IMPORT_FIELDS = ("uscc", "firm_name", "certificate_no", "item_code", "occurred_on", "district_code", "source", "source_ref",
                 "facts", "decision", "points", "decided_on", "published_on")
# The longest value each column takes (the database columns they land in).
MAX_LENGTHS = {"uscc": CreditSubject.uscc.type.length, "firm_name": CreditSubject.name.type.length,
               "certificate_no": ProjectManager.certificate_no.type.length, "item_code": 32,
               "district_code": District.code.type.length, "source": 16,
               "source_ref": CreditRecord.source_ref.type.length, "decision": 16, "points": 4, "facts": 5000,
               "occurred_on": 10, "decided_on": 10, "published_on": 10}
SHANGHAI = ZoneInfo("Asia/Shanghai")


class RowError(Exception):
    pass


def _date(value: str, field: str, today: date) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise RowError(_("%(field)s is not a date like 2024-03-31", field=field)) from None
    if day > today:
        raise RowError(_("%(field)s is in the future", field=field))
    return day


def _instant(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), SHANGHAI).astimezone(ZoneInfo("UTC"))


def _subject(row: dict, *, actor):
    from credit import search
    from credit.operations.subjects import register_firm

    if row["certificate_no"]:
        subject = search.manager_by_certificate(row["certificate_no"])
        if subject is None:
            raise RowError(_("no project manager has this certificate_no"))
        return subject
    if not row["uscc"] or not row["firm_name"]:
        raise RowError(_("uscc and firm_name are required for a firm's record"))
    subject = search.firm_by_uscc(row["uscc"])
    if subject is not None and subject.name != row["firm_name"]:
        raise RowError(_("the firm registered with this uscc is named %(name)s, not %(row)s",
                         name=subject.name, row=row["firm_name"]))
    return subject or register_firm({"uscc": row["uscc"], "name": row["firm_name"], "district_code": row["district_code"]},
                                    actor=actor)


def _import_row(row: dict, *, actor, district: str | None, decisions: bool) -> CreditRecord:
    from credit.operations.catalogue import active_version
    from credit.operations.numbers import issue_decision_no
    from credit.operations.process import open_record, outbox, set_publication

    row = {k: (row.get(k) or "").strip() for k in IMPORT_FIELDS}
    too_long = [k for k in IMPORT_FIELDS if len(row[k]) > MAX_LENGTHS[k]]
    if too_long:
        raise RowError(_("%(field)s is longer than %(n)s characters", field=too_long[0], n=MAX_LENGTHS[too_long[0]]))
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
    today = clock.today()
    occurred = _date(row["occurred_on"], "occurred_on", today)
    decided_on = _date(row["decided_on"], "decided_on", today)
    published_on = _date(row["published_on"], "published_on", today)
    if occurred is None:
        raise RowError(_("occurred_on is required"))
    if decided_on is not None and decided_on < occurred:
        raise RowError(_("decided_on is before occurred_on: a decision cannot come before the conduct"))
    if published_on is not None and (decided_on is None or published_on < decided_on):
        raise RowError(_("published_on is before decided_on"))
    subject = _subject(row, actor=actor)
    record = open_record(subject, {"item": item, "source": source, "source_ref": row["source_ref"], "facts": row["facts"],
                                   "occurred_on": occurred, "district_code": row["district_code"]}, actor=actor)
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
    record.decision = decision
    record.decision_reasons = _("Imported decision")
    record.points = 0 if decision == Decision.DISMISSED else points
    record.decided_at = _instant(decided_on)
    record.decision_no = issue_decision_no(record.district_code, record.decided_at)
    record.status = RecordStatus.DISMISSED if decision == Decision.DISMISSED else RecordStatus.DECIDED
    db.session.flush()
    if decision != Decision.DISMISSED:
        outbox(record, "decided")
        if published_on and item.publication_months > 0:
            set_publication(record, _instant(published_on))
            db.session.flush()
            outbox(record, "published")
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
