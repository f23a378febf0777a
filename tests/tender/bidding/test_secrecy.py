"""Nobody can read a bid before the opening: a marker written in a price sheet and in a document is
found nowhere — not in any table of the database, any file of the blob folder or the logs — while
the receipt log still verifies end to end."""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from core.extensions import db
from tender import sealing
from tender.sealing import receipts
from tender.sealing.operations import platform_key_document, receipt_log
from tests.tender.bidding.conftest import MARKER, price_sheet, seal_bid
from tests.tender.tenders.conftest import DEADLINE


def database_text() -> str:
    """Every value of every row of every table, as text."""
    out = []
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                out.extend(v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in row)
    return "\n".join(out)


def files_holding(folder: Path, needles: list[bytes]) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path}: {n!r}" for n in needles if n in data]
    return found


def test_a_marker_in_the_price_sheet_and_a_document_is_nowhere_before_the_opening(bidding, clock, caplog):
    caplog.set_level(logging.DEBUG)
    tender, _p, (firm, other, _third) = bidding()
    clock.set(DEADLINE - timedelta(hours=1))
    sheet = price_sheet(tender, project_manager={"name": MARKER, "certificate_no": "PM-1", "phone": "13800000000"})
    content = b"%PDF-1.7 " + MARKER.encode() + os.urandom(5000)

    def document():
        return sealing.Document.from_bytes("技术方案.pdf", content, "technical")

    sent = firm.send(seal_bid(tender, firm.ref, sheet=sheet, documents=[document()]), part=1500)
    assert sent.status_code == 200
    assert firm.send(seal_bid(tender, firm.ref, version=2, sheet=sheet, documents=[document()]), version=2,
                     part=4000).status_code == 200
    assert other.send(seal_bid(tender, other.ref)).status_code == 200
    # A resumed upload left half-way (its bytes on disk) holds no plaintext either.
    started = firm.start(20_000, version=3)
    firm.patch(started.headers["Location"], 0, seal_bid(tender, firm.ref, version=3, sheet=sheet,
                                                        documents=[document()])[:9000])
    clock.set(DEADLINE + timedelta(seconds=1))
    from tender.bidding.operations import close_tender

    close_tender(tender)
    db.session.commit()

    needles = [MARKER.encode("utf-8"), MARKER.encode("utf-16-le"), MARKER.split("-")[1].encode()]
    assert MARKER not in database_text() and MARKER.split("-")[1] not in database_text()
    blob_dir = Path(current_app.config["BLOB_DIR"])
    assert any(blob_dir.rglob("*")) and files_holding(blob_dir, needles) == []
    logged = "\n".join(r.getMessage() for r in caplog.records) + caplog.text
    assert MARKER not in logged and MARKER.split("-")[1] not in logged

    # And the receipt log verifies against the signed list.
    log = receipt_log(tender.reference)
    from tender.bidding.operations import sealed_list_of

    signed = sealed_list_of(tender).signed
    receipts.verify_log(log, platform_key_document(), tender_id=tender.reference, checkpoint=signed["checkpoint"])
    assert len(receipts.verify_sealed_list(signed["list"], platform_key_document(), entries=log)["envelopes"]) == 2
