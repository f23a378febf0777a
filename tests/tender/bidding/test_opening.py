"""The opening ceremony: k of n custodians' shares open every envelope; fewer open nothing; a bad
envelope is revoked while the rest open; too few custodians postpone; the record is published and the
receipt chain still verifies; plaintext appears nowhere before the opening."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.db import DomainError
from core.extensions import db
from tender.bidding.models import (
    Bid, BidDocument, BidPriceSheet, BidStatus, FailedTender, OpeningState, ShareSubmission,
)
from tender.bidding.operations import opening as ops
from tender.bidding.operations.unsealing import listed_envelopes
from tender.bidding.price_sheet import encode
from tender.sealing import receipts
from tender.sealing.operations import platform_key_document, receipt_log
from tender.tenders.models import TenderState
from tests.tender.bidding.opening_helpers import run_jobs, sealed_tender, sheet, unwrap_all
from tests.tender.tenders.conftest import DEADLINE


@pytest.fixture
def sealed(make_tender, make_org, make_user, clock):
    def make(**options):
        return sealed_tender(make_tender, make_org, make_user, clock, **options)

    return make


def submit(world, user, data=None):
    """A custodian submits; the opening job the k-th submission queues runs as a worker would run it."""
    got = ops.submit_shares(world.tender, data or unwrap_all(world, user), actor=user, membership=None)
    db.session.commit()
    run_jobs()
    return got


def flip_document_byte(envelope: bytes) -> bytes:
    """A ciphertext byte of the documents section changed before upload: the bidder's envelope is bad."""
    changed = bytearray(envelope)
    changed[-200] ^= 0x01
    return bytes(changed)


def test_fewer_than_k_shares_open_nothing(sealed):
    world = sealed()
    submit(world, world.custodians[0])
    opening = ops.opening_of(world.tender)
    assert opening.state == OpeningState.WAITING and len(opening.submissions) == 1
    assert world.tender.state == TenderState.CLOSED
    assert {b.status for b in db.session.scalars(sa.select(Bid))} == {BidStatus.SUBMITTED}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BidDocument)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BidPriceSheet)) == 0
    status = ops.status(world.tender, DEADLINE)
    assert (status["submitted"], status["threshold"], status["custodians_total"]) == (1, 2, 3)
    assert status["valid"] is None


def test_k_shares_open_every_bid_publish_the_record_and_erase_the_shares(sealed):
    world = sealed()
    submit(world, world.custodians[0])
    submit(world, world.custodians[2])
    opening = ops.opening_of(world.tender)
    assert opening.state == OpeningState.OPENED
    assert world.tender.state == TenderState.OPENED
    assert (opening.received, opening.valid, opening.invalid) == (3, 3, 0)
    bids = ops.opened_bids(world.tender)
    assert [b.status for b in bids] == [BidStatus.VALID] * 3
    assert bids[0].price_sheet.annual_total_fen == sheet(world.tender, fee=240)["annual_total_fen"]
    assert [d.part for d in bids[0].documents] == ["technical", "qualification"]
    with ops.read_document(bids[0].documents[0]) as fh:
        assert fh.read() == b"%PDF-1.4 plan " + b"A" * 3000
    rows = opening.record["bids"]
    assert [r["bidder"] for r in rows] == [f.name for f in world.firms]
    assert {r["integrity"] for r in rows} == {"verified"} and rows[1]["fee_model"] == "lump_sum"
    assert opening.record_sha256 == ops.record_digest(opening.record)
    assert all(s.shares is None and s.erased_at is not None for s in db.session.scalars(sa.select(ShareSubmission)))
    # The third custodian was not needed, and may no longer submit.
    assert "submit_shares" not in ops.allowed_opening_actions(world.tender, None, world.custodians[1], DEADLINE)
    assert ops.statistics(world.tender) == {"tender": world.tender.reference, "opened": True,
                                            "opened_at": opening.completed_at.isoformat(), "received": 3,
                                            "valid": 3, "invalid": 0}


def test_a_bidder_fault_envelope_is_revoked_while_the_rest_open(sealed):
    world = sealed(bids=4, envelopes={1: flip_document_byte})
    submit(world, world.custodians[0])
    submit(world, world.custodians[1])
    statuses = [b.status for b in db.session.scalars(sa.select(Bid).order_by(Bid.id))]
    assert statuses == [BidStatus.VALID, BidStatus.REVOKED, BidStatus.VALID, BidStatus.VALID]
    revoked = world.bids[1]
    assert revoked.status_reason
    assert not revoked.documents and revoked.price_sheet is None
    assert world.tender.state == TenderState.OPENED
    # Nothing of the revoked bid was kept in blob storage: only the other bids' documents are there.
    assert {d.bid_id for d in db.session.scalars(sa.select(BidDocument))} == {world.bids[i].id for i in (0, 2, 3)}
    from flask import current_app

    staged = list((Path(current_app.config["BLOB_DIR"]) / "tmp").glob("stage-*"))
    assert staged == []


def test_an_invalid_price_sheet_makes_its_bid_invalid_and_too_few_valid_bids_fail_the_tender(sealed):
    world = sealed(prices={0: b"not json", 2: encode(sheet(_NoAreas(), fee=1))})
    submit(world, world.custodians[1])
    submit(world, world.custodians[2])
    bids = list(db.session.scalars(sa.select(Bid).order_by(Bid.id)))
    assert [b.status for b in bids] == [BidStatus.INVALID, BidStatus.VALID, BidStatus.INVALID]
    assert bids[0].status_reason and bids[0].documents  # opened: its documents are kept for the bureau
    assert world.tender.state == TenderState.FAILED
    failure = db.session.scalar(sa.select(FailedTender))
    assert (failure.valid_bids, failure.minimum) == (1, 3)


class _NoAreas:
    """A tender with no areas: the price sheet sealed for it names no fees, so the real tender refuses it."""

    areas = ()


def test_shares_are_checked_when_submitted(sealed, make_user):
    world = sealed()
    first, second = world.custodians[0], world.custodians[1]
    theirs = unwrap_all(world, second)
    with pytest.raises(DomainError) as refused:
        ops.submit_shares(world.tender, theirs, actor=first)
    assert refused.value.code == "wrong_share"
    db.session.rollback()
    mine = unwrap_all(world, first)
    mine["shares"].popitem()
    with pytest.raises(DomainError) as refused:
        ops.submit_shares(world.tender, mine, actor=first)
    assert refused.value.code == "shares_missing"
    db.session.rollback()
    submit(world, first)
    with pytest.raises(DomainError) as refused:
        ops.submit_shares(world.tender, unwrap_all(world, first), actor=first)
    assert refused.value.code == "submit_shares_not_allowed"
    db.session.rollback()
    outsider = world.firm_users[0]
    with pytest.raises(DomainError):
        ops.submit_shares(world.tender, {"shares": {}}, actor=outsider)


def test_too_few_custodians_by_the_set_time_postpone_the_opening(sealed, clock):
    from core.jobs.models import Notification

    world = sealed()
    submit(world, world.custodians[0])
    clock.set(DEADLINE + timedelta(minutes=59))
    assert ops.postpone_overdue_openings() == 0
    clock.set(DEADLINE + timedelta(minutes=61))
    assert ops.postpone_overdue_openings() == 1
    db.session.commit()
    opening = ops.opening_of(world.tender)
    assert opening.state == OpeningState.POSTPONED and opening.postponed_until == DEADLINE + timedelta(days=1)
    assert world.tender.state == TenderState.CLOSED and all(b.status == BidStatus.SUBMITTED for b in world.bids)
    told = {n.user_id for n in db.session.scalars(sa.select(Notification))
            if n.message_id == "bidding.opening_postponed"}
    assert {u.id for u in world.custodians} <= told and {u.id for u in world.firm_users} <= told
    assert world.people["officer"].id in told and world.people["supervisor"].id in told
    # Not before the new time; then the ceremony goes on with the share already given.
    assert "submit_shares" not in ops.allowed_opening_actions(world.tender, None, world.custodians[1],
                                                              DEADLINE + timedelta(hours=2))
    clock.set(DEADLINE + timedelta(days=1, minutes=5))
    submit(world, world.custodians[1])
    assert ops.opening_of(world.tender).state == OpeningState.OPENED
    assert world.tender.state == TenderState.OPENED


def test_the_receipt_chain_verifies_after_the_opening(sealed):
    world = sealed()
    submit(world, world.custodians[0])
    submit(world, world.custodians[1])
    ref = world.tender.reference
    from tender.bidding.models import SealedBidList

    checkpoint = db.session.scalar(sa.select(SealedBidList)).signed["checkpoint"]
    payloads = receipts.verify_log(receipt_log(ref), platform_key_document(), tender_id=ref, checkpoint=checkpoint)
    assert len(payloads) == 3
    for bid in world.bids:
        receipts.verify_log(receipt_log(ref), platform_key_document(), receipts=[bid.current_version.receipt])
    assert len(listed_envelopes(world.tender)) == 3


def test_an_envelope_missing_from_the_signed_list_lapses(sealed):
    world = sealed()
    version = world.bids[2].current_version
    version.envelope_sha256 = "0" * 64  # what the platform holds no longer matches the listed receipt
    db.session.commit()
    submit(world, world.custodians[0])
    submit(world, world.custodians[1])
    assert world.bids[2].status == BidStatus.LAPSED
    assert [b.status for b in world.bids[:2]] == [BidStatus.VALID, BidStatus.VALID]
    assert world.tender.state == TenderState.FAILED


MARKER_SHEET = "MARKERPM7Q3Z"
MARKER_DOC = b"MARKERDOC9X4W"


def _database_text(app) -> str:
    """Every row of every table as text (what a database dump would hold)."""
    with db.engine.connect() as conn:
        parts = []
        for table in db.metadata.sorted_tables:
            for row in conn.execute(table.select()):
                parts.append(repr(tuple(row)))
    return "\n".join(parts)


def _folder_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_plaintext_is_nowhere_before_the_opening_and_in_the_record_after(sealed, app, caplog):
    caplog.set_level("DEBUG")
    world = sealed(prices={0: encode(sheet(_tender_stub(), project_manager={
        "name": MARKER_SHEET, "certificate_no": "PM-1", "phone": "13800000000"}))},
        documents={1: [("方案.pdf", b"%PDF " + MARKER_DOC * 50, "technical")]})
    blobs = Path(app.config["BLOB_DIR"])
    submit(world, world.custodians[0])
    before_db, before_blobs = _database_text(app), _folder_bytes(blobs)
    assert MARKER_SHEET not in before_db and MARKER_DOC.decode() not in before_db
    assert MARKER_SHEET.encode() not in before_blobs and MARKER_DOC not in before_blobs
    assert MARKER_SHEET not in caplog.text and MARKER_DOC.decode() not in caplog.text
    submit(world, world.custodians[2])
    record = json.dumps(ops.opening_of(world.tender).record, ensure_ascii=False)
    assert MARKER_SHEET in record
    assert MARKER_DOC in _folder_bytes(blobs)


def _tender_stub():
    """The areas of the standard test tender (residential 85 000 m², commercial 3 000 m²), for sheet()."""
    from types import SimpleNamespace

    from tender.tenders.models import PropertyType

    return SimpleNamespace(areas=[SimpleNamespace(property_type=PropertyType.RESIDENTIAL, floor_area_m2=85000),
                                  SimpleNamespace(property_type=PropertyType.COMMERCIAL, floor_area_m2=3000)])



def submit_without_worker(world, users):
    for user in users:
        ops.submit_shares(world.tender, unwrap_all(world, user), actor=user, membership=None)
        db.session.commit()
    return ops.opening_of(world.tender)


def test_the_k_th_share_queues_the_opening_job_and_the_job_opens(sealed):
    from core.extensions import rq

    world = sealed()
    opening = submit_without_worker(world, world.custodians[:2])
    assert opening.state == OpeningState.IN_PROGRESS and opening.record is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BidDocument)) == 0
    queued = [(j.func_name, j.args) for j in rq.get_queue("default").jobs if "opening" in j.func_name]
    assert queued == [("tender.bidding.opening_tasks.open_bids", (opening.id,))]
    assert ops.status(world.tender, DEADLINE)["state"] == "in_progress"
    [job] = [j for j in run_jobs() if j.func_name.endswith("open_bids")]
    assert job.is_finished and job.return_value() is True
    opening = ops.opening_of(world.tender)
    assert opening.state == OpeningState.OPENED and opening.valid == 3


def test_the_opening_job_run_twice_opens_once(sealed):
    from tender.bidding import opening_tasks

    world = sealed()
    opening = submit_without_worker(world, world.custodians[:2])
    run_jobs()
    documents = db.session.scalar(sa.select(sa.func.count()).select_from(BidDocument))
    record = ops.opening_of(world.tender).record_sha256
    assert documents == 6
    assert opening_tasks.open_bids(opening.id) is False  # a second run (a resubmission, a retry) does nothing
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BidDocument)) == documents
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BidPriceSheet)) == 3
    assert ops.opening_of(world.tender).record_sha256 == record


def test_a_run_that_fails_half_way_leaves_nothing_and_the_next_run_opens(sealed, app):
    """The last bid's price sheet row is already there (a real unique-key failure when the rows are written,
    after every envelope was decrypted): the run fails, nothing of it stays, and a re-run opens once."""
    world = sealed()
    opening = submit_without_worker(world, world.custodians[:2])
    last = world.bids[-1]
    blocker = BidPriceSheet(bid_id=last.id, schema_version=1, fee_model="lump_sum", fees=[], annual_total_fen=0,
                            labour_cost_monthly_fen=0, staffing=[], project_manager={}, contact={}, key_people=[])
    db.session.add(blocker)
    db.session.commit()
    [job] = [j for j in run_jobs() if j.func_name.endswith("open_bids")]
    assert job.is_failed
    opening = ops.opening_of(world.tender)
    assert opening.state == OpeningState.IN_PROGRESS and opening.record is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BidDocument)) == 0
    assert all(s.shares for s in opening.submissions)  # the shares are kept until the envelopes are opened
    staged = Path(app.config["BLOB_DIR"]) / "tmp"
    assert not [p for p in staged.iterdir() if p.name.startswith("stage-")]
    db.session.delete(blocker)
    db.session.commit()
    from tender.bidding import opening_tasks

    assert opening_tasks.open_bids(opening.id) is True
    db.session.expire_all()
    opening = ops.opening_of(world.tender)
    assert opening.state == OpeningState.OPENED and opening.valid == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BidDocument)) == 6
    assert all(s.shares is None for s in opening.submissions)
