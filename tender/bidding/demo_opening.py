"""Demo openings (演示开标): three of the developer's tenders past their deadline.

* one closed a moment before the seed ran, its signed list published, waiting for its custodians:
  a newcomer signs in as two of them and runs the opening in the browser with the printed key files;
* one opened, with its opening record: three valid bids and one revoked for an envelope that does
  not open (a byte of its ciphertext was changed before it was sent);
* one failed with two valid bids, fewer than the minimum of three, waiting for the tenderer to
  tender again or ask the bureau for a negotiated appointment.

The bids go through the submission's own operation (``tender.bidding.demo.submit_demo_bid``);
closing and the opening run through this package's operations with the custodians' demo key files. Running the seeder again adds nothing.
"""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from core import clock
from core.blobs import BlobStore
from core.db import db
from tender import sealing
from tender.bidding.demo import MANAGERS, demo_sheet, submit_demo_bid
from tender.bidding.operations import opening as opening_ops
from tender.bidding.operations.closing import close_tender
from tender.bidding.operations.submission import bid_ref, custodian_keys
from tender.bidding.price_sheet import encode
from tender.sealing import keyfile
from tender.tenders import demo as tenders_demo
from tender.tenders import operations as tops
from tender.tenders.models import Tender

NAMES = {"ready": "徐汇枫林雅苑", "opened": "徐汇田林新苑", "failed": "徐汇华泾绿苑"}
BIDS = {"ready": 3, "opened": 4, "failed": 2}
REVOKED = {"opened": 3}  # the bid (by position) whose envelope was damaged before it was sent
# The ready tender's custodians have a day to come before the ceremony is postponed (demo data: a
# newcomer may run it later than the default hour after seeding).
READY_QUORUM_MINUTES = 1440


def _bid(tender: Tender, user, *, fee: int, damaged: bool, now: datetime) -> None:
    """A bid sent through the submission's own operation; ``damaged`` changes a byte of its ciphertext
    before it is sent (the header still inspects, so the upload takes it: it fails only at the opening)."""
    envelope = None
    if damaged:
        firm = user.active_memberships()[0].organisation
        out = io.BytesIO()
        sealing.seal(out, tender_id=tender.reference, bid_id=bid_ref(tender, firm.id), bid_version=1,
                     deadline=tender.bid_deadline, custodian_keys=[k.public_key for k in custodian_keys(tender)],
                     threshold=tender.custodian_threshold, price_sheet=encode(demo_sheet(tender, fee, MANAGERS[0])),
                     documents=[sealing.Document.from_bytes("技术方案.pdf", tenders_demo.PDF, "technical")])
        data = bytearray(out.getvalue())
        data[-100] ^= 0x01
        envelope = bytes(data)
    submit_demo_bid(tender, user, fee_fen=fee, manager=MANAGERS[fee % len(MANAGERS)], now=now, envelope=envelope)


def _shares(tender: Tender, user, folder: Path, now: datetime) -> dict | None:
    """What the custodian's tool would submit, unwrapped with their demo key file."""
    path = folder / f"{user.email}.json"
    if not path.exists():
        return None
    key = keyfile.unlock_key_file(keyfile.parse_key_file(path.read_bytes()), tenders_demo.PASSPHRASE)
    store = BlobStore.from_config(current_app.config)
    shares, failures = {}, {}
    for _bid, version in opening_ops.sealed_versions(tender):
        try:
            with store.path_for(version.envelope_blob).open("rb") as fh:
                header = sealing.inspect(fh)
            shares[str(version.id)] = sealing.unwrap_share(header, key, now=now).encode()
        except sealing.SealError as exc:
            failures[str(version.id)] = exc.code
    return {"shares": shares, "failures": failures}


def _tender(kind: str, world, custodians, firm_users, *, now: datetime, real_now: datetime) -> Tender:
    officer = world.developer.memberships[0].user
    xuhui = world.supervisors[world.developer.district_code][0]
    if kind == "ready":
        deadline = min(now, real_now).replace(second=0, microsecond=0) - timedelta(minutes=2)
    else:
        day = (now - timedelta(days=1)).astimezone(clock.SHANGHAI).date()
        deadline = datetime.combine(day, time(10), clock.SHANGHAI)
    announced = datetime.combine((deadline - timedelta(days=30)).astimezone(clock.SHANGHAI).date(), time(9),
                                 clock.SHANGHAI)
    submitted = announced - timedelta(days=15)
    tender = tenders_demo._draft(world.developer, officer, NAMES[kind], custodians, now=submitted,
                                 announced_on=announced.date())
    tops.update_tender(tender, {"bid_deadline": deadline, "opening_at": deadline,
                                "documents_until": announced.date() + timedelta(days=10)}, actor=officer)
    tops.submit_for_filing(tender, actor=officer, now=submitted)
    if kind == "ready":
        tender.procedure_values = {**tender.procedure_values, "opening_quorum_minutes": READY_QUORUM_MINUTES}
    tops.file_tender(tender, {}, actor=xuhui, now=submitted + timedelta(days=1))
    tops.publish_tender(tender, actor=officer, now=announced)
    bidders = []
    for user in firm_users:
        if len(bidders) == BIDS[kind]:
            break
        if tops.eligibility_of(user, announced + timedelta(days=1)).eligible:
            tops.register_for_tender(tender, {}, actor=user, now=announced + timedelta(days=1))
            bidders.append(user)
    for position, user in enumerate(bidders):
        _bid(tender, user, fee=268 + 7 * position, damaged=REVOKED.get(kind) == position,
             now=deadline - timedelta(hours=20 - position))
    close_tender(tender, now=deadline + timedelta(seconds=30))
    return tender


def seed(world) -> list:
    """Add the demo openings; prints how to run the one that waits for its custodians."""
    from core.demo import _enrol_demo_second_factor

    now = clock.now().replace(microsecond=0)
    real_now = datetime.now(timezone.utc)
    folder = Path(current_app.instance_path) / tenders_demo.KEY_DIR
    officer = world.developer.memberships[0].user
    xuhui = world.supervisors[world.developer.district_code][0]
    custodians = [officer, world.city_supervisor, xuhui]
    for user in custodians:
        _enrol_demo_second_factor(user)
    firm_users = [f.memberships[0].user for f in world.firms]
    existing = set(db.session.scalars(sa.select(Tender.community_name)))
    ready = None
    for kind in ("ready", "opened", "failed"):
        if NAMES[kind] in existing:
            if kind == "ready":
                ready = db.session.scalar(sa.select(Tender).where(Tender.community_name == NAMES[kind]))
            continue
        tender = _tender(kind, world, custodians, firm_users, now=now, real_now=real_now)
        if kind == "ready":
            ready = tender
            continue
        opened_at = tender.bid_deadline + timedelta(minutes=5)
        for user in custodians[:2]:
            data = _shares(tender, user, folder, opened_at)
            if data is not None:
                opening_ops.submit_shares(tender, data, actor=user, now=opened_at, via="cli")
        opening = opening_ops.opening_of(tender)
        if opening is not None:  # the seed opens at once what the opening job would open (it then finds it opened)
            from tender.bidding.operations.unsealing import run_opening

            run_opening(opening.id, now=opened_at)
        db.session.flush()
    if ready is not None:
        print(f"Demo opening waiting for its custodians: {NAMES['ready']} ({ready.reference}), "
              f"/tenders/{ready.id}/opening")
        print(f"  sign in as two of its custodians and load their key files (passphrase {tenders_demo.PASSPHRASE}):")
        for user in custodians:
            print(f"  {user.email:<32} {folder / (user.email + '.json')}")
    return []

