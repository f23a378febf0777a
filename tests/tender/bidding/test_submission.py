"""Sending sealed bids: only a whole envelope for this tender, bid, version, custodians and deadline
is taken; the deadline is the server's clock at the last byte; replacing supersedes, withdrawing
leaves a signed entry; the receipt log verifies after all of it."""

from __future__ import annotations

import os
from datetime import timedelta

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from core.extensions import db
from core.uploads.models import Upload
from tender.bidding.models import Bid, BidStatus, BidVersion
from tender.sealing import hpke, receipts
from tender.sealing.models import SealReceipt
from tender.sealing.operations import platform_key_document, receipt_log
from tests.tender.bidding.conftest import receipt_payload, seal_bid
from tests.tender.tenders.conftest import DEADLINE


def counts():
    return (db.session.scalar(sa.select(sa.func.count(Bid.id))), db.session.scalar(sa.select(sa.func.count(BidVersion.id))),
            db.session.scalar(sa.select(sa.func.count(SealReceipt.id))))


def test_a_sealed_bid_is_taken_with_a_signed_receipt_and_the_sender_recorded(bidding, clock):
    tender, _p, (firm, *_rest) = bidding()
    clock.set(DEADLINE - timedelta(hours=1))
    parameters = firm.parameters()
    assert parameters["bid_id"] == firm.ref and parameters["bid_version"] == 1
    assert parameters["upload"]["target"] == f"{tender.reference}/1"
    envelope = seal_bid(tender, firm.ref)
    answer = firm.send(envelope, part=2000)
    assert answer.status_code == 200, answer.get_json()
    result = answer.get_json()["result"]
    payload = receipts.verify_receipt(result["receipt"], platform_key_document())
    assert payload["tender"] == tender.reference and payload["bid"] == firm.ref and payload["bid_version"] == 1
    bid = db.session.scalar(sa.select(Bid))
    version = bid.current_version
    assert bid.status == BidStatus.SUBMITTED and version.envelope_sha256 == payload["envelope_sha256"]
    assert version.uploader_id == firm.user.id and version.device_id == firm.auth["X-Device-Id"]
    assert version.remote_addr and version.received_at == DEADLINE - timedelta(hours=1)
    assert firm.client.get(f"/api/v1/tenders/{tender.id}/bid/receipts", headers=firm.auth).get_json()[0]["signed"] \
        == result["receipt"]


def test_envelopes_for_another_tender_bid_version_custodian_set_or_deadline_are_refused(bidding, clock):
    tender, _p, (firm, *_rest) = bidding()
    clock.set(DEADLINE - timedelta(hours=1))
    stranger = [hpke.public_bytes(X25519PrivateKey.generate().public_key()) for _ in range(3)]
    cases = {
        "tender": seal_bid(tender, firm.ref, tender_id="SH2026-999999"),
        "bid": seal_bid(tender, "B1-someone-else"),
        "bid version": seal_bid(tender, firm.ref, version=2),
        "custodians": seal_bid(tender, firm.ref, keys=stranger),
        "threshold": seal_bid(tender, firm.ref, threshold=3),
        "deadline": seal_bid(tender, firm.ref, deadline=DEADLINE + timedelta(days=1)),
        "plaintext": b"%PDF-1.7 our whole bid in the clear " + os.urandom(400),
    }
    for what, envelope in cases.items():
        answer = firm.send(envelope)
        assert answer.status_code in (409, 422), what
        problem = answer.get_json()
        assert problem["type"].endswith("envelope_refused"), (what, problem)
        assert counts() == (0, 0, 0), what
    # Nothing of any refused file stays: no bid, no blob, no partial bytes.
    refused = db.session.scalars(sa.select(Upload)).all()
    assert refused and all(u.failed_reason and u.completed_at is None for u in refused)
    from core.blobs import BlobStore
    from flask import current_app

    store = BlobStore.from_config(current_app.config)
    assert not any(store.partial_path(u.id).exists() for u in refused)


def test_one_second_late_is_refused_with_no_job_run(bidding, clock):
    tender, _p, (firm, *_rest) = bidding()
    clock.set(DEADLINE - timedelta(seconds=30))
    envelope = seal_bid(tender, firm.ref)
    started = firm.start(len(envelope))
    location = started.headers["Location"]
    assert firm.patch(location, 0, envelope[:1000]).status_code == 204
    clock.set(DEADLINE + timedelta(seconds=1))  # the last byte arrives one second late
    late = firm.patch(location, 1000, envelope[1000:])
    assert late.status_code == 409 and late.get_json()["type"].endswith("deadline_passed")
    assert counts() == (0, 0, 0)
    assert tender.state.value == "published"  # no job ran: the clock at the request decided
    # A new upload after the deadline is refused at once, and the page offers nothing.
    assert firm.start(len(envelope)).status_code == 409
    page = firm.client.get(f"/api/v1/tenders/{tender.id}/bid/parameters", headers=firm.auth)
    assert page.status_code == 409


def test_an_upload_still_incomplete_at_the_deadline_counts_as_not_submitted(bidding, clock):
    tender, _p, (firm, *_rest) = bidding()
    clock.set(DEADLINE - timedelta(minutes=5))
    envelope = seal_bid(tender, firm.ref)
    location = firm.start(len(envelope)).headers["Location"]
    firm.patch(location, 0, envelope[:len(envelope) // 2])
    clock.set(DEADLINE)
    from tender.bidding.operations import close_tender

    sealed = close_tender(tender)
    db.session.commit()
    assert sealed is not None and receipts.verify_sealed_list(sealed.signed["list"], platform_key_document(),
                                                                entries=receipt_log(tender.reference))["envelopes"] == []
    assert counts() == (0, 0, 0)


def test_a_broken_upload_resumes_where_it_stopped(bidding, clock):
    tender, _p, (firm, *_rest) = bidding()
    clock.set(DEADLINE - timedelta(hours=1))
    envelope = seal_bid(tender, firm.ref)
    location = firm.start(len(envelope)).headers["Location"]
    assert firm.patch(location, 0, envelope[:1500]).status_code == 204
    # The connection broke after some bytes of the next part; the server says what it holds.
    held = int(firm.client.head(location, headers=firm.auth).headers["Upload-Offset"])
    assert held == 1500
    assert firm.patch(location, 0, envelope[:100]).status_code == 409  # a stale offset is refused
    done = firm.patch(location, held, envelope[held:])
    assert done.status_code == 200 and counts() == (1, 1, 1)


def test_replace_supersedes_and_withdraw_leaves_a_signed_entry(bidding, clock):
    tender, _p, (firm, other, _third) = bidding()
    clock.set(DEADLINE - timedelta(hours=2))
    first = firm.send(seal_bid(tender, firm.ref)).get_json()["result"]
    assert firm.send(seal_bid(tender, firm.ref, version=1)).status_code == 422  # version 1 is taken
    second = firm.send(seal_bid(tender, firm.ref, version=2), version=2).get_json()["result"]
    bid = db.session.scalar(sa.select(Bid).where(Bid.ref == firm.ref))
    assert [v.version for v in bid.versions] == [1, 2] and bid.current_version.version == 2
    assert bid.versions[0].superseded_at is not None and bid.versions[1].superseded_at is None
    assert other.send(seal_bid(tender, other.ref)).status_code == 200

    withdrawn = firm.client.post(f"/api/v1/tenders/{tender.id}/bid/withdrawal", headers={**firm.auth,
                                 "Idempotency-Key": "withdraw-1"})
    assert withdrawn.status_code == 201, withdrawn.get_json()
    again = firm.client.post(f"/api/v1/tenders/{tender.id}/bid/withdrawal", headers={**firm.auth,
                             "Idempotency-Key": "withdraw-1"})
    assert again.status_code == 201 and again.get_json() == withdrawn.get_json()  # the first answer, once
    entry = receipt_payload(withdrawn.get_json()["signed"])
    assert entry["type"] == receipts.WITHDRAWAL_TYPE and entry["envelope_sha256"] == second["envelope_sha256"]
    db.session.expire_all()
    assert db.session.get(Bid, bid.id).status == BidStatus.WITHDRAWN
    log = receipt_log(tender.reference)
    assert [receipt_payload(e)["type"] for e in log] == [receipts.RECEIPT_TYPE] * 3 + [receipts.WITHDRAWAL_TYPE]

    # At the deadline: the list holds the other firm's envelope only, and the whole log verifies.
    clock.set(DEADLINE + timedelta(seconds=1))
    from tender.bidding.operations import close_tender

    sealed = close_tender(tender)
    db.session.commit()
    assert tender.state.value == "closed"
    keys = platform_key_document()
    payloads = receipts.verify_log(log, keys, tender_id=tender.reference, checkpoint=sealed.signed["checkpoint"],
                                   receipts=[first["receipt"], second["receipt"], withdrawn.get_json()["signed"]])
    assert len(payloads) == 4
    listed = receipts.verify_sealed_list(sealed.signed["list"], keys, entries=log)
    assert listed["envelopes"] == [receipt_payload(log[2])["envelope_sha256"]]
    assert close_tender(tender) is sealed  # closing again changes nothing


def test_a_withdrawn_bid_may_be_sent_again_before_the_deadline(bidding, clock):
    tender, _p, (firm, *_rest) = bidding()
    clock.set(DEADLINE - timedelta(hours=2))
    firm.send(seal_bid(tender, firm.ref))
    assert firm.client.post(f"/api/v1/tenders/{tender.id}/bid/withdrawal", headers=firm.auth).status_code == 201
    assert firm.parameters()["bid_version"] == 2
    assert firm.send(seal_bid(tender, firm.ref, version=2), version=2).status_code == 200
    bid = db.session.scalar(sa.select(Bid))
    db.session.refresh(bid)
    assert bid.status == BidStatus.SUBMITTED and bid.current_version.version == 2


def test_only_registered_firms_may_send(bidding, clock, make_user, make_token):
    from core.accounts.models import OrgKind
    from tests.tender.bidding.conftest import Bidder

    tender, _p, (firm, *_rest) = bidding(firms=1)
    clock.set(DEADLINE - timedelta(hours=1))
    outsider = make_user(OrgKind.FIRM)
    stranger = Bidder(firm.client, tender, outsider, make_token(outsider, scopes=("tender:read", "tender:write")))
    assert stranger.start(10_000).status_code == 409
    assert stranger.client.get(f"/api/v1/tenders/{tender.id}/bid/parameters", headers=stranger.auth).status_code == 409
    assert stranger.client.get(f"/api/v1/tenders/{tender.id}/bid", headers=stranger.auth).status_code == 404
