"""The bidding demo: bids sealed to the demo custodians' keys on the published tender, and a closed
tender with its signed list; seeding twice adds nothing; a demo envelope opens with two demo key files."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from core.audit.operations import verify_chain
from core.extensions import db
from tender.bidding.demo import CLOSED, PUBLISHED
from tender.bidding.models import Bid, BidVersion, SealedBidList
from tender.sealing import receipts
from tender.sealing.operations import platform_key_document, receipt_log
from tender.tenders.models import Tender, TenderState


def test_the_demo_has_sealed_bids_and_a_closed_tender_with_its_list(app, app_ctx):
    from core.blobs import BlobStore
    from tender import sealing
    from tender.sealing import keyfile
    from tender.tenders.demo import KEY_DIR, PASSPHRASE

    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    counts = [db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in (Bid, BidVersion, SealedBidList)]
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    db.session.expire_all()
    assert [db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in (Bid, BidVersion, SealedBidList)] \
        == counts
    assert verify_chain().ok

    published = db.session.scalar(sa.select(Tender).where(Tender.community_name == PUBLISHED))
    closed = db.session.scalar(sa.select(Tender).where(Tender.community_name == CLOSED))
    assert published.state == TenderState.PUBLISHED and closed.state == TenderState.CLOSED
    assert db.session.scalar(sa.select(sa.func.count(Bid.id)).where(Bid.tender_id == published.id)) == 2
    bids = db.session.scalars(sa.select(Bid).where(Bid.tender_id == closed.id)).all()
    assert len(bids) == 3 and max(len(b.versions) for b in bids) == 2
    sealed = db.session.scalar(sa.select(SealedBidList).where(SealedBidList.tender_id == closed.id))
    log = receipt_log(closed.reference)
    listed = receipts.verify_sealed_list(sealed.signed["list"], platform_key_document(), entries=log)
    assert sorted(b.current_version.envelope_sha256 for b in bids) == listed["envelopes"]

    # Two of the printed demo key files open a demo bid after its deadline.
    folder = Path(app.instance_path) / KEY_DIR
    holders = [c.user.email for c in closed.custodians][:2]
    keys = [keyfile.unlock_key_file(keyfile.parse_key_file((folder / f"{email}.json").read_text()), PASSPHRASE)
            for email in holders]
    store = BlobStore.from_config(app.config)
    version = bids[0].current_version
    with store.open(version.envelope_blob) as fh:
        header = sealing.inspect(fh)
    shares = [sealing.unwrap_share(header, k) for k in keys]
    with store.open(version.envelope_blob) as fh:
        data = fh.read()
    import io

    opened = sealing.open_envelope(io.BytesIO(data), shares, tender_id=closed.reference, bid_id=bids[0].ref,
                                   bid_version=version.version)
    sheet = json.loads(opened.price_sheet())
    assert sheet["schema_version"] == 1 and sheet["fee_model"] == closed.fee_model.value
