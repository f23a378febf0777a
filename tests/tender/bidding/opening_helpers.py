"""A closed tender with sealed bids, for the opening's tests: the custodians' private keys are kept so a
test can unwrap shares as a custodian's tool would, and the bids are sealed with the Python sealer and
stored as the upload stores them (blob, receipt in the tender's log, signed list at the deadline)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta

from core.accounts.models import OrgKind
from core.blobs import BlobStore
from core.extensions import db
from tender import sealing
from tender.bidding.models import Bid, BidStatus, BidVersion
from tender.bidding.price_sheet import annual_total, encode
from tender.sealing.operations import issue_receipt
from tender.tenders import operations as tops
from tests.tender.tenders.conftest import ANNOUNCED, DEADLINE, register_key


def sheet(tender, fee=250, **changes) -> dict:
    fees = {a.property_type.value: fee for a in tender.areas}
    data = {
        "schema_version": 1, "fee_model": "lump_sum",
        "fees": [{"property_type": k, "fee_fen_per_m2_month": v} for k, v in fees.items()],
        "commission_rate_bp": None, "commission_fixed_fen": None,
        "annual_total_fen": annual_total(tender, fees),
        "labour_cost_monthly_fen": 9_000_000,
        "staffing": [{"post": "秩序维护", "headcount": 12, "monthly_cost_fen": 6_000_000},
                     {"post": "保洁", "headcount": 8, "monthly_cost_fen": 3_000_000}],
        "project_manager": {"name": "王经理", "certificate_no": "PM-2020-0001", "phone": "13800000000"},
        "contact": {"name": "李联系", "phone": "021-64000000"},
        "key_people": [],
    }
    data.update(changes)
    return data


@dataclass
class Sealed:
    tender: object
    people: dict
    keys: dict  # user id -> X25519 private key
    custodians: list  # users, in share order
    firms: list = field(default_factory=list)
    firm_users: list = field(default_factory=list)
    bids: list = field(default_factory=list)

    def key_of(self, user):
        return self.keys[user.id]


def published_tender(make_tender, clock):
    """A published tender (standard timeline) whose custodians' private keys are known."""
    tender, p = make_tender("draft", keys=False)
    users = [c.user for c in tender.custodians]
    keys = {u.id: register_key(u) for u in users}
    tops.submit_for_filing(tender, actor=p["officer"])
    db.session.commit()
    tops.file_tender(tender, {}, actor=p["supervisor"])
    db.session.commit()
    clock.set(ANNOUNCED)
    tops.publish_tender(tender, actor=p["officer"])
    db.session.commit()
    return tender, p, keys, users


def seal_bid(tender, firm, uploader, custodians, *, price: bytes, documents=(), ref=None, version=1,
             envelope: bytes | None = None) -> Bid:
    """Seal and store one bid as the upload does; ``envelope`` replaces the sealed bytes (a bad envelope)."""
    from flask import current_app

    bid = Bid(tender_id=tender.id, firm_id=firm.id, ref=ref or f"{tender.reference}-F{firm.id}",
              status=BidStatus.SUBMITTED)
    db.session.add(bid)
    db.session.flush()
    public = [sealing.hpke.public_bytes(k.public_key()) for k in custodians]
    out = io.BytesIO()
    sealing.seal(out, tender_id=tender.reference, bid_id=bid.ref, bid_version=version, deadline=tender.bid_deadline,
                 custodian_keys=public, threshold=tender.custodian_threshold, price_sheet=price,
                 documents=[sealing.Document.from_bytes(name, data, part=part) for name, data, part in documents])
    data = out.getvalue() if envelope is None else envelope(out.getvalue())
    stored = BlobStore.from_config(current_app.config).put_bytes(data)
    receipt = issue_receipt(tender.reference, firm.uscc or str(firm.id), bid.ref, version, stored.digest,
                            actor=uploader)
    row = BidVersion(bid_id=bid.id, version=version, envelope_blob=stored.digest, envelope_sha256=stored.digest,
                     envelope_size=stored.size, received_at=DEADLINE - timedelta(hours=1), receipt=receipt,
                     uploader_id=uploader.id, remote_addr="127.0.0.1", user_agent="tests", device_id="dev-1")
    db.session.add(row)
    db.session.flush()
    bid.current_version_id = row.id
    db.session.flush()
    return bid


def close_tender(tender) -> None:
    """The deadline passed: the tender closes and the signed list of sealed bids is published."""
    from tender.bidding.operations.closing import close_tender as close

    assert close(tender, now=DEADLINE) is not None


def sealed_tender(make_tender, make_org, make_user, clock, *, bids=3, prices=None, documents=None,
                  envelopes=None) -> Sealed:
    """A closed tender with ``bids`` sealed bids from as many firms; the clock stands at the deadline.

    ``prices``/``documents``/``envelopes`` map a bid's index to its price-sheet bytes, its documents
    ((name, bytes, part) triples) or a function changing its sealed bytes."""
    tender, p, keys, users = published_tender(make_tender, clock)
    world = Sealed(tender, p, keys, users)
    ordered = [keys[u.id] for u in users]
    for i in range(bids):
        firm = make_org(OrgKind.FIRM, name=f"上海开标测试物业{i + 1}有限公司")
        user = make_user(OrgKind.FIRM, org=firm)
        price = (prices or {}).get(i) or encode(sheet(tender, fee=240 + i * 5))
        docs = (documents or {}).get(i) or [("技术方案.pdf", b"%PDF-1.4 plan " + bytes([65 + i]) * 3000, "technical"),
                                             ("营业执照.pdf", b"%PDF-1.4 licence", "qualification")]
        bid = seal_bid(tender, firm, user, ordered, price=price, documents=docs,
                       envelope=(envelopes or {}).get(i))
        world.firms.append(firm)
        world.firm_users.append(user)
        world.bids.append(bid)
    db.session.commit()
    clock.set(DEADLINE)
    close_tender(tender)
    db.session.commit()
    return world


def unwrap_all(world: Sealed, user) -> dict:
    """What a custodian's tool submits: {"shares": {version id: hex}, "failures": {version id: code}}."""
    from flask import current_app

    from tender.bidding.operations.opening import sealed_versions

    store = BlobStore.from_config(current_app.config)
    shares, failures = {}, {}
    for _bid, version in sealed_versions(world.tender):
        try:
            with store.path_for(version.envelope_blob).open("rb") as fh:
                header = sealing.inspect(fh)
            shares[str(version.id)] = sealing.unwrap_share(header, world.key_of(user)).encode()
        except sealing.SealError as exc:
            failures[str(version.id)] = exc.code
    return {"shares": shares, "failures": failures}


def run_jobs() -> list:
    """Run the queued jobs here, one after another, as a worker would (RQ's in-process worker).

    Commits first so the jobs see what the test wrote; returns the jobs that ran (each may have failed).
    """
    import signal

    from rq import SimpleWorker

    from core.extensions import rq

    db.session.commit()
    queues = list(rq.queues.values())
    ran = [job for q in queues for job in q.jobs]
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        SimpleWorker(queues, connection=queues[0].connection).work(burst=True, logging_level="WARNING")
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    db.session.expire_all()
    for job in ran:
        job.refresh()
    return ran
