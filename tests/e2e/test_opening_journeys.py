"""The opening ceremony in a real browser: two of three custodians load their key files, unwrap their
shares in the page and submit them; the third is not needed; every page follows the k-of-n progress;
the bidders read the opening record and confirm it. The custodian-key page stacks each label above
its input at desktop and phone widths."""

from __future__ import annotations

import json

import pytest

from tender.sealing import keyfile
from tests.e2e.journeys import fits, overflowing, sign_in
from tests.tender.bidding.opening_helpers import run_jobs, sealed_tender
from tests.tender.tenders.conftest import make_tender, people  # noqa: F401  (fixtures)

PASSPHRASE = "custodian passphrase 2026"


def key_file(world, user, tmp_path) -> str:
    path = tmp_path / f"key-{user.id}.json"
    path.write_text(json.dumps(keyfile.seal_key_file(world.key_of(user), PASSPHRASE, n=keyfile.MIN_SCRYPT_N)))
    return str(path)


def unwrap_in_browser(page, base, world, user, tmp_path) -> None:
    sign_in(page, base, user)
    page.goto(f"{base}/tenders/{world.tender.id}/opening")
    page.wait_for_selector("#opening-page[data-ready='1']")
    page.set_input_files("#key-file", key_file(world, user, tmp_path))
    page.fill("#key-passphrase", PASSPHRASE)
    page.click("#unwrap-form button[type=submit]")
    # Submitted (the page then follows the progress), or the last share needed opened the bids and the
    # page reloaded to the record.
    page.wait_for_selector("#unwrap-result.notice-success, #unwrap-result.notice-error, #opening-record",
                           timeout=30_000)
    if page.locator("#opening-record").count() == 0:
        assert "notice-success" in page.get_attribute("#unwrap-result", "class"), page.inner_text("#unwrap-result")


def test_two_of_three_custodians_open_in_the_browser_and_bidders_see_the_record(
        app_ctx, live_server, new_page, make_tender, make_org, make_user, clock, tmp_path, screenshot):
    base = live_server
    world = sealed_tender(make_tender, make_org, make_user, clock)
    errors: list[str] = []

    bidder = new_page("phone")
    bidder.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(bidder, base, world.firm_users[0])
    bidder.goto(f"{base}/tenders/{world.tender.id}/opening")
    assert "0" in bidder.inner_text("#opening-progress")
    assert fits(bidder), overflowing(bidder)

    first = new_page("desktop")
    first.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    unwrap_in_browser(first, base, world, world.custodians[0], tmp_path)
    # The bidder's page follows the progress without reloading.
    bidder.wait_for_selector("#opening-page[data-submitted='1']", state="attached", timeout=10_000)

    second = new_page("phone")
    unwrap_in_browser(second, base, world, world.custodians[2], tmp_path)
    # With k = 2 the opening is in progress: every page shows it while the worker opens the envelopes.
    bidder.wait_for_selector("#opening-page[data-state='in_progress']", state="attached", timeout=10_000)
    run_jobs()
    # The bids are open: the bidder's page reloads itself to the record.
    bidder.wait_for_selector("#opening-record", timeout=15_000)
    bidder.wait_for_load_state("load")
    record = bidder.inner_text("#opening-record")
    assert all(firm.name in record for firm in world.firms)
    assert fits(bidder), overflowing(bidder)
    screenshot(bidder, "opening-record")
    bidder.click("#confirm-record")
    assert bidder.locator("#confirm-record").count() == 0

    # The third custodian is not needed: their page offers nothing to unwrap.
    third = new_page("desktop")
    sign_in(third, base, world.custodians[1])
    third.goto(f"{base}/tenders/{world.tender.id}/opening")
    assert third.locator("#unwrap-form").count() == 0 and third.locator("#opening-record").count() == 1
    assert errors == []


def label_above_input(page) -> list[str]:
    """The labels (of .field blocks) that are not above their control, left edges aligned."""
    return page.evaluate("""() => [...document.querySelectorAll('form .field')].map((field) => {
        const label = field.querySelector('label'), input = document.getElementById(label.htmlFor);
        const l = label.getBoundingClientRect(), i = input.getBoundingClientRect();
        return (l.bottom <= i.top + 1 && Math.abs(l.left - i.left) <= 2) ? null : label.htmlFor;
    }).filter(Boolean)""")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_custodian_key_page_stacks_labels_above_inputs(app_ctx, live_server, new_page, make_user, viewport):
    from core.accounts.models import OrgKind

    officer = make_user(OrgKind.DEVELOPER, totp=True)
    page = new_page(viewport)
    sign_in(page, live_server, officer)
    for path in ("/sealing/custodian-key", "/sealing/check-key"):
        page.goto(live_server + path)
        assert page.locator("form .field").count() >= 1 or path == "/sealing/check-key"
        assert label_above_input(page) == []
        assert fits(page), overflowing(page)
