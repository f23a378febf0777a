"""Bidding in a real browser: three registered firms fill in their price sheets and seal their bids
with documents in the browser, on a phone and on desktops; one replaces its bid; a fourth fills in
its sheet but presses "seal and send" one second after the deadline and is refused; at the deadline
the signed list is published and a firm checks its receipts against it in the browser."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from core.extensions import db
from tender.bidding.models import Bid, BidVersion
from tests.core.api.conftest import make_token  # noqa: F401  (fixture)
from tests.e2e.journeys import fits, overflowing, sign_in
from tests.tender.bidding.conftest import MARKER, bidding  # noqa: F401  (fixture)
from tests.tender.tenders.conftest import DEADLINE, make_tender, people  # noqa: F401  (fixtures)


def fill_sheet(page, *, fee_residential: str, fee_commercial: str, manager: str) -> None:
    page.fill("#fee-residential", fee_residential)
    page.fill("#fee-commercial", fee_commercial)
    page.fill("#staffing-0-post", "秩序维护")
    page.fill("#staffing-0-headcount", "12")
    page.fill("#staffing-0-monthly_cost_fen", "60000")
    page.click("#add-post")
    page.fill("#staffing-1-post", "保洁")
    page.fill("#staffing-1-headcount", "8")
    page.fill("#staffing-1-monthly_cost_fen", "30000.50")
    page.fill("#pm-name", manager)
    page.fill("#pm-certificate", "PM-2020-0001")
    page.fill("#pm-phone", "13800000000")
    page.fill("#contact-name", "李联系")
    page.fill("#contact-phone", "021-64000000")


def attach(page, tmp_path, name: str) -> None:
    technical = tmp_path / f"{name}-技术方案.pdf"
    technical.write_bytes(b"%PDF-1.7 technical plan " + name.encode() + b" " + b"x" * 200_000)
    licence = tmp_path / f"{name}-营业执照.pdf"
    licence.write_bytes(b"%PDF-1.7 licence " + b"y" * 5000)
    page.set_input_files("#documents", [str(technical), str(licence)])
    page.select_option("#document-part-0", "technical")
    page.select_option("#document-part-1", "qualification")


def seal_and_send(page) -> str:
    page.click("#seal-send")
    page.wait_for_selector("#bid-result.notice-success, #bid-result.notice-error", timeout=60_000)
    return page.get_attribute("#bid-result", "class")


def test_three_firms_seal_in_the_browser_one_replaces_one_is_late(app_ctx, live_server, new_page, tmp_path, bidding,
                                                                  clock):
    base = live_server
    tender, _p, bidders = bidding(firms=4)
    clock.set(DEADLINE - timedelta(minutes=30))
    errors: list[str] = []
    pages = []
    for i, firm in enumerate(bidders):
        page = new_page("phone" if i == 0 else "desktop")
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        sign_in(page, base, firm.user)
        page.goto(f"{base}/tenders/{tender.id}")
        page.click("#bid-page-link")
        page.wait_for_selector("#bid-page[data-ready='1']")
        pages.append(page)

    # The business clock runs months away from this device's clock: the countdown warns of it.
    pages[1].wait_for_selector(".clock-warning:not([hidden])")

    # A sheet with a mistake is refused in the browser, with a summary linking to the field.
    first = pages[0]
    fill_sheet(first, fee_residential="2.505", fee_commercial="3", manager="王经理")
    first.fill("#pm-phone", "call me")
    first.click("#seal-send")
    assert first.locator("#bid-errors a[href='#fee-residential']").count() == 1
    assert first.locator("#bid-errors a[href='#pm-phone']").count() == 1
    assert db.session.scalar(sa.select(sa.func.count(Bid.id))) == 0
    assert fits(first), overflowing(first)
    first.fill("#fee-residential", "2.50")
    first.fill("#pm-phone", "13800000000")
    assert first.text_content("#annual-total").strip() == "2,658,000.00"  # (2.50 × 85000 + 3 × 3000) × 12
    attach(first, tmp_path, "a")
    assert "notice-success" in seal_and_send(first), first.text_content("#bid-result")
    assert fits(first), overflowing(first)

    for page, name, fee in ((pages[1], "b", "2.60"), (pages[2], "c", "2.40")):
        fill_sheet(page, fee_residential=fee, fee_commercial="3.10", manager=f"经理{name}")
        attach(page, tmp_path, name)
        assert "notice-success" in seal_and_send(page), page.text_content("#bid-result")

    # The first firm replaces its bid: the page now offers version 2.
    first.reload()
    first.wait_for_selector("#bid-page[data-ready='1']")
    assert first.locator(".receipt-row").count() == 1
    fill_sheet(first, fee_residential="2.45", fee_commercial="3", manager=MARKER)
    attach(first, tmp_path, "a2")
    assert "notice-success" in seal_and_send(first), first.text_content("#bid-result")
    first.reload()
    first.wait_for_selector("#bid-page[data-ready='1']")
    assert first.locator(".receipt-row").count() == 2
    first.click("#verify-receipts")
    first.wait_for_selector("#receipts-result.notice-success")

    # The fourth firm has filled in its sheet, but presses the button one second after the deadline.
    late = pages[3]
    fill_sheet(late, fee_residential="2.30", fee_commercial="3", manager="迟到经理")
    attach(late, tmp_path, "d")
    clock.set(DEADLINE + timedelta(seconds=1))
    assert "notice-error" in seal_and_send(late)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Bid.id))) == 3
    assert db.session.scalar(sa.select(sa.func.count(BidVersion.id))) == 4
    refs = {b.ref for b in db.session.scalars(sa.select(Bid))}
    assert bidders[3].ref not in refs

    # At the deadline the list is signed (the job's work, run here), and a firm checks it in the browser.
    from tender.bidding.operations import close_tender

    close_tender(tender)
    db.session.commit()
    second = pages[1]
    second.reload()
    second.wait_for_selector("#bid-page[data-ready='1']")
    assert second.locator("#seal-send").count() == 0
    second.click("#verify-receipts")
    second.wait_for_selector("#receipts-result.notice-success")
    second.goto(f"{base}/tenders/{tender.id}/sealed-bids")
    assert second.locator(".sealed-list li").count() == 3
    assert not [e for e in errors if "status of 409" not in e], errors  # the late bid's refusal only
