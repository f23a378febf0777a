"""The demo seed: a tender waiting for its custodians (closed, signed list published), an opened one with
its record and one bid revoked for a bad envelope, and a failed one; seeding twice adds nothing."""

from __future__ import annotations

import sqlalchemy as sa

from core.extensions import db
from tender.bidding.models import Bid, BidStatus, FailedTender, OpeningState, SealedBidList
from tender.bidding.operations import opening as ops
from tender.bidding.demo_opening import NAMES
from tender.tenders.models import Tender, TenderState


def test_the_demo_has_openings_in_each_state(app_ctx, capsys):
    from core.demo import seed

    seed()
    db.session.commit()
    out = capsys.readouterr().out
    tenders = {t.community_name: t for t in db.session.scalars(sa.select(Tender).where(
        Tender.community_name.in_(NAMES.values())))}
    ready, opened, failed = (tenders[NAMES[k]] for k in ("ready", "opened", "failed"))
    assert ready.state == TenderState.CLOSED and db.session.scalar(
        sa.select(SealedBidList).where(SealedBidList.tender_id == ready.id)) is not None
    assert ops.opening_of(ready) is None and len(ops.sealed_versions(ready)) == 3
    assert f"/tenders/{ready.id}/opening" in out and "demo-custodian-2026" in out and "demo-custodian-keys" in out
    # opened here; the evaluation stage's demo then forms its panel, so the tender may be evaluating
    assert opened.state in (TenderState.OPENED, TenderState.EVALUATING)
    record = ops.opening_of(opened).record
    assert [r["status"] for r in record["bids"]] == ["valid", "valid", "valid", "revoked"]
    assert ops.opening_of(opened).state == OpeningState.OPENED
    assert failed.state == TenderState.FAILED
    assert db.session.scalar(sa.select(FailedTender).where(FailedTender.tender_id == failed.id)).valid_bids == 2
    bids = db.session.scalar(sa.select(sa.func.count()).select_from(Bid))
    seed()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Bid)) == bids
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Bid).where(Bid.status == BidStatus.REVOKED)) == 1
