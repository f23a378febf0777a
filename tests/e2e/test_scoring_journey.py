"""The scoring journey at 1366×768: five experts score three bids by keyboard alone, one outlying score is
flagged and confirmed with a reason, every expert signs the report; autosave survives a lost connection
and a reload."""

from __future__ import annotations

import pytest

from core.extensions import db
from tests.e2e.journeys import fits, sign_in
from tests.factories import unused_totp_code
from tests.tender.evaluation.conftest import city, make_draft_tender, make_expert, now, opened  # noqa: F401
from tests.tender.evaluation.flow import formed_panel, technical_only
from tests.tender.tenders.conftest import make_tender, people  # noqa: F401

REASON = "方案中没有电梯困人和水管爆裂的应急处置流程，按无计分。"


def score_by_keyboard(page, outlier: bool, wait: bool = True) -> None:
    """Good (key 2) everywhere; the outlier gives bid A's emergency plans 'absent' (key 5) with a reason."""
    page.locator(".score").first.focus()
    for bid in range(3):
        for item in range(3):
            absent = outlier and bid == 0 and item == 2
            page.keyboard.press("5" if absent else "2")
            page.keyboard.press("Tab")  # to the reason
            if absent:
                page.keyboard.type(REASON)
            if item < 2:
                page.keyboard.press("Tab")  # to the next item's score
        page.keyboard.press("Shift+Tab")
        if bid < 2:
            page.keyboard.press("]")
    if wait:
        page.wait_for_selector('#missing[data-missing="0"]')
        page.wait_for_selector('#save-state[data-state="saved"]')


@pytest.mark.parametrize("page", ["desktop"], indirect=True)
def test_five_experts_score_three_bids_by_keyboard_and_sign_the_report(live_server, page, new_page, app_ctx, opened,
                                                                       clock, screenshot):
    from tender.evaluation.models import PanelState, ReportState
    from tender.evaluation.operations import committee, results
    from tender.evaluation.operations.report import report_of, signed_report

    world = opened(scheme=technical_only)
    panel = formed_panel(world)
    members = [i.membership for i in committee.panel_members(panel)]
    base = live_server
    pages = []
    for n, membership in enumerate(members):
        p = page if n == 0 else new_page("desktop")
        pages.append(p)
        sign_in(p, base, membership.user, password="x")
        p.goto(f"{base}/evaluation/panels/{panel.id}")
        p.click("#parts a.button")
        p.wait_for_url(lambda url: "/score/technical" in url)
        assert p.locator(".key-guide").is_visible()
        if n == 1:
            # Lose the connection half-way: the change waits on the device, survives a reload, then is sent.
            p.locator(".score").first.focus()
            p.context.set_offline(True)
            p.keyboard.press("3")
            p.wait_for_selector('#save-state[data-state="offline"]')
            p.context.set_offline(False)
            p.reload()
            p.wait_for_selector('#save-state[data-state="saved"]')
            assert p.locator(".score").first.text_content() == "4"  # fair: 50 % of 8
        score_by_keyboard(p, outlier=(n == 4))
        assert fits(p), "the scoring page scrolls sideways at 1366×768"
        if n == 0:
            p.wait_for_selector(".pages canvas[data-drawn]")
            screenshot(p, "scoring-technical")
        p.fill("#lock-code", unused_totp_code(membership.user))
        p.click("#lock-button")
        p.wait_for_url(lambda url: f"/evaluation/panels/{panel.id}" in url and "/score/" not in url)
    db.session.expire_all()
    assert panel.state == PanelState.LOCKED
    # What the flags job does, run here as a worker would.
    results.compute_flags(panel)
    db.session.commit()
    outliers = [f for f in panel.flags if f.kind == "score_outlier"]
    assert [f.membership_id for f in outliers] == [members[4].id]
    # The fifth expert re-checks and confirms with a reason; the first records the panel's handling of the rest.
    fifth = pages[4]
    fifth.goto(f"{base}/evaluation/panels/{panel.id}")
    flag = fifth.locator(f"#flag-{outliers[0].id}")
    flag.locator("select").select_option("confirm")
    flag.locator("textarea").fill("已复核：该方案确无应急处置流程，维持 0 分。")
    flag.locator("button[type=submit]").click()
    first = pages[0]
    first.goto(f"{base}/evaluation/panels/{panel.id}")
    while first.locator("section.card form").count():
        form = first.locator("section.card form").first
        form.locator("select").select_option("no_action")
        form.locator("textarea").fill("委员会已核查该线索，未发现需处理的问题。")
        form.locator("button[type=submit]").click()
    db.session.expire_all()
    report = report_of(world["tender"])
    assert report is not None and report.state == ReportState.SIGNING
    for membership, p in zip(members, pages):
        p.goto(f"{base}/evaluation/tenders/{world['tender'].id}/report")
        p.fill("#sign-code", unused_totp_code(membership.user))
        p.click("main form button[type=submit]")
    db.session.expire_all()
    assert signed_report(world["tender"]) is report
    first.goto(f"{base}/evaluation/tenders/{world['tender'].id}/report")
    assert first.locator("#signatures li").count() == 5
    assert REASON in first.content() and "已复核" in first.content()
    screenshot(first, "evaluation-report")


@pytest.mark.parametrize("page", ["desktop"], indirect=True)
def test_locking_straight_after_the_last_key_locks_what_is_on_screen(live_server, page, app_ctx, opened, clock):
    """The lock form waits for the change still on its way: the server never refuses a sheet as incomplete
    that the expert sees complete, and never locks an older revision of it."""
    from tender.evaluation.models import ScoreSheet
    from tender.evaluation.operations import committee

    world = opened(scheme=technical_only)
    panel = formed_panel(world)
    membership = committee.panel_members(panel)[0].membership
    sign_in(page, live_server, membership.user, password="x")
    page.goto(f"{live_server}/evaluation/panels/{panel.id}/score/technical")
    score_by_keyboard(page, outlier=False, wait=False)
    assert page.locator("#save-state").get_attribute("data-state") in ("pending", "saving")
    page.fill("#lock-code", unused_totp_code(membership.user))
    page.click("#lock-button")
    page.wait_for_url(lambda url: f"/evaluation/panels/{panel.id}" in url and "/score/" not in url)
    db.session.expire_all()
    sheet = db.session.query(ScoreSheet).filter_by(panel_id=panel.id, membership_id=membership.id).one()
    assert sheet.locked_at is not None
    assert len([s for s in sheet.scores if s.points is not None]) == 9

