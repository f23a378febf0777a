"""The award stage's demo: a tender in each state from publicity to contracted, an open objection, the
next candidate with its credit record draft, and the fee notices; seeding twice adds nothing."""

from __future__ import annotations

import sqlalchemy as sa

from core.extensions import db
from credit.models import CreditRecord, RecordSource
from tender.award import operations as ops
from tender.award.demo import TENDERS
from tender.tenders.models import Tender, TenderState


def test_the_demo_holds_every_award_state_once(app_ctx, client, clock):
    from datetime import datetime, timezone

    from core.demo import seed

    clock.set(datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc))
    seed()
    db.session.commit()
    seed()
    db.session.commit()
    tenders = {t.community_name: t for t in db.session.scalars(sa.select(Tender).where(Tender.community_name.in_(TENDERS)))}
    assert len(tenders) == len(TENDERS) == len(set(db.session.scalars(
        sa.select(Tender.community_name).where(Tender.community_name.in_(TENDERS)))))
    states = {name: t.state for name, t in tenders.items()}
    assert states["徐汇星河湾"] == states["徐汇梧桐苑"] == TenderState.CANDIDATES_PUBLISHED
    assert states["徐汇华庭"] == states["徐汇翠湖苑"] == TenderState.AWARDED
    assert states["徐汇锦江苑"] == states["锦绣苑（西区）"] == TenderState.CONTRACTED
    assert len(ops.state.open_objections(tenders["徐汇梧桐苑"])) == 1
    second = ops.state.current_offer(tenders["徐汇翠湖苑"])
    assert second.candidate.rank == 2
    first = ops.state.offers(tenders["徐汇翠湖苑"])[0]
    record = db.session.get(CreditRecord, first.credit_record_id)
    assert record.source == RecordSource.TENDER and record.status.value == "draft"
    listing = client.get("/tenders/fees").get_data(as_text=True)
    assert "徐汇锦江苑" in listing and "锦绣苑（西区）" in listing
    owners = client.get(f"/tenders/{tenders['锦绣苑（西区）'].id}/fees?lang=en").get_data(as_text=True)
    assert "Notice to owners" in owners
    from tender.award.operations.queries import receipt_chain

    chain = receipt_chain(tenders["徐汇锦江苑"])
    assert chain["ok"] and chain["count"] >= 3  # the bids were sealed and sent for real
