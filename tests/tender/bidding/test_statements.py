"""How many SQL statements one bid costs the server: the create call and the part that brings the
last byte (the deadline rush is bound by these; bench/bidding_rush.py measures the time)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from core.extensions import db
from tests.tender.bidding.conftest import seal_bid
from tests.tender.tenders.conftest import DEADLINE


class Statements:
    def __init__(self):
        self.seen: list[str] = []

    def __call__(self, _conn, _cursor, statement, *_args):
        self.seen.append(statement)

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *_exc):
        event.remove(db.engine, "before_cursor_execute", self)


def test_a_bid_in_one_part_costs_few_statements(bidding, clock):
    tender, _p, (firm, *_rest) = bidding()
    clock.set(DEADLINE - timedelta(hours=1))
    envelope = seal_bid(tender, firm.ref)
    with Statements() as create:
        started = firm.start(len(envelope))
    assert started.status_code == 201
    with Statements() as last:
        answer = firm.patch(started.headers["Location"], 0, envelope)
    assert answer.status_code == 200, answer.get_json()
    print(f"\ncreate {len(create.seen)}, last part {len(last.seen)}")
    for s in create.seen + ["-- last part"] + last.seen:
        print(" ".join(s.split())[:200])
    assert len(create.seen) + len(last.seen) <= 38
