"""The firm's bid page, withdrawing and the bid security through forms, and the public sealed list."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import sqlalchemy as sa

from core.extensions import db
from tender.bidding.models import Bid, BidStatus
from tests.factories import csrf_token
from tests.tender.bidding.conftest import seal_bid
from tests.tender.tenders.conftest import DEADLINE


def parameters_of(html: str) -> dict | None:
    found = re.search(r'<script type="application/json" id="bid-parameters">(.*?)</script>', html, re.S)
    return json.loads(found.group(1)) if found else None


def test_the_bid_page_gives_what_to_seal_to_and_then_the_receipts(bidding, login, client, clock):
    tender, _p, (firm, *_rest) = bidding()
    clock.set(DEADLINE - timedelta(hours=3))
    login(firm.user)
    page = client.get(f"/tenders/{tender.id}/bid")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    parameters = parameters_of(html)
    assert parameters["bid_id"] == firm.ref and parameters["threshold"] == 2
    assert len(parameters["custodians"]["custodians"]) == 3
    assert [a["property_type"] for a in parameters["price_sheet"]["areas"]] == ["residential", "commercial"]
    sent = firm.send(seal_bid(tender, firm.ref))
    assert sent.status_code == 200, sent.get_json()
    html = client.get(f"/tenders/{tender.id}/bid").get_data(as_text=True)
    assert "receipt-row" in html and parameters_of(html)["bid_version"] == 2 and 'id="withdraw"' in html

    # Withdrawing through the page's form.
    answer = client.post(f"/tenders/{tender.id}/bid/withdraw", data={"csrf_token": csrf_token(html)})
    assert answer.status_code == 302
    assert db.session.scalar(sa.select(Bid.status)) == BidStatus.WITHDRAWN
    html = client.get(f"/tenders/{tender.id}/bid").get_data(as_text=True)
    assert html.count("receipt-row") == 2 and 'id="withdraw"' not in html

    # After the deadline the page offers nothing more, and asks for the closing (nothing written by the GET).
    clock.set(DEADLINE + timedelta(minutes=1))
    html = client.get(f"/tenders/{tender.id}/bid").get_data(as_text=True)
    assert parameters_of(html) is None
    refused = client.post(f"/tenders/{tender.id}/bid/withdraw", data={"csrf_token": csrf_token(html)})
    assert refused.status_code in (400, 409)


def test_a_firm_not_registered_sees_why_and_cannot_seal(bidding, make_user, login, client, clock):
    from core.accounts.models import OrgKind

    tender, _p, _bidders = bidding(firms=1)
    clock.set(DEADLINE - timedelta(hours=3))
    login(make_user(OrgKind.FIRM))
    html = client.get(f"/tenders/{tender.id}/bid").get_data(as_text=True)
    assert parameters_of(html) is None and "notice-warning" in html


def test_the_bid_security_is_declared_where_the_tender_asks_for_one(bidding, login, client, clock):
    tender, _p, (firm, *_rest) = bidding(firms=1, bid_security_fen=2_000_000)
    clock.set(DEADLINE - timedelta(hours=3))
    firm.send(seal_bid(tender, firm.ref))
    login(firm.user)
    html = client.get(f"/tenders/{tender.id}/bid").get_data(as_text=True)
    bad = client.post(f"/tenders/{tender.id}/bid/security", data={"csrf_token": csrf_token(html),
                                                                  "payer_account": "abc", "payer_name": "上海物业"})
    assert bad.status_code == 400 and db.session.scalar(sa.select(Bid)).security is None
    good = client.post(f"/tenders/{tender.id}/bid/security", data={
        "csrf_token": csrf_token(html), "payer_account": "6222 0210 0111 2222", "payer_name": "上海测试物业有限公司"})
    assert good.status_code == 302
    bid = db.session.scalar(sa.select(Bid))
    db.session.refresh(bid)
    assert bid.security.amount_fen == 2_000_000 and bid.security.payer_account == "6222 0210 0111 2222"
    api = firm.client.post(f"/api/v1/tenders/{tender.id}/bid/security", headers={**firm.auth, "Idempotency-Key": "s-1"},
                      json={"payer_account": "6222021001113333", "payer_name": "上海测试物业有限公司"})
    assert api.status_code == 201 and api.get_json()["payer_account"] == "6222021001113333"


def test_the_public_list_appears_at_the_deadline_without_names(bidding, client, clock):
    from tender.bidding.operations import close_due_tenders

    tender, _p, bidders = bidding()
    clock.set(DEADLINE - timedelta(hours=3))
    answers = [b.send(seal_bid(tender, b.ref)).get_json() for b in bidders]
    assert all("result" in a for a in answers), answers
    shas = [a["result"]["envelope_sha256"] for a in answers]
    assert client.get(f"/tenders/{tender.id}/sealed-bids.json").get_json()["published"] is False
    assert client.get(f"/api/v1/tenders/{tender.id}/sealed-bids").status_code == 404
    clock.set(DEADLINE + timedelta(seconds=5))
    assert close_due_tenders() == [tender.id]
    db.session.commit()
    html = client.get(f"/tenders/{tender.id}/sealed-bids").get_data(as_text=True)
    assert all(sha in html for sha in shas)
    assert not any(b.user.active_memberships()[0].organisation.name in html for b in bidders)
    listed = client.get(f"/api/v1/tenders/{tender.id}/sealed-bids").get_json()
    assert len(listed["log"]) == 3 and set(listed) >= {"list", "checkpoint", "log", "tender"}
    from core.audit.models import AuditHead

    assert db.session.scalar(sa.select(AuditHead.reason).order_by(AuditHead.id.desc()).limit(1)) \
        == f"tender_deadline:{tender.reference}"


def test_a_page_seen_after_the_deadline_asks_for_the_closing_job_which_closes_once(bidding, client, clock, app):
    from rq import Queue

    from core.extensions import rq
    from tender.bidding import tasks
    from tender.tenders.models import TenderState

    tender, _p, (firm, *_rest) = bidding(firms=1)
    clock.set(DEADLINE - timedelta(hours=3))
    firm.send(seal_bid(tender, firm.ref))
    clock.set(DEADLINE + timedelta(seconds=1))
    html = client.get(f"/tenders/{tender.id}/sealed-bids").get_data(as_text=True)
    assert "notice-info" in html  # being signed; the request itself wrote nothing
    queue: Queue = rq.queues["default"]
    assert f"close-tender-{tender.id}" in queue.job_ids
    assert tasks.close_tender.func(tender.id) is True  # what the worker runs
    assert tasks.close_tender.func(tender.id) is False  # and again: nothing more
    db.session.expire_all()
    assert db.session.get(type(tender), tender.id).state == TenderState.CLOSED
    assert "sealed-list" in client.get(f"/tenders/{tender.id}/sealed-bids").get_data(as_text=True)
