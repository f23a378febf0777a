"""The public credit record in a real browser, on a phone and a desktop, in Chinese and English: a
listed firm's page, its printed report with the QR code, and the seriously-untrustworthy list."""

from __future__ import annotations

import pytest

from tests.credit.conftest import ago, credit_reference, item, make_firm, make_manager, published_record  # noqa: F401
from tests.e2e.journeys import fits

TEXT = {
    "zh_CN": {"listed": "已列入严重失信名单", "may_not": "不得参加投标", "list": "严重失信名单", "cert": "证书编号"},
    "en": {"listed": "On the list of seriously untrustworthy subjects", "may_not": "May not take part in tenders",
           "list": "The list of seriously untrustworthy subjects", "cert": "Certificate number"},
}


@pytest.fixture
def listed_firm(app_ctx, make_firm, make_manager, published_record):  # noqa: F811
    firm = make_firm("上海失信示例物业管理有限公司")
    make_manager(firm, name="王志明", certificate_no="SHWY2019000123")
    record = published_record(firm, "SH-F-18-04", published_at=ago(days=30))
    published_record(firm, "EX-F-03-01", published_at=ago(days=20))
    return firm, record


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_firm_page_report_and_list(live_server, new_page, screenshot, listed_firm, viewport, lang):
    firm, record = listed_firm
    words = TEXT[lang]
    page = new_page(viewport)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    page.goto(f"{live_server}/language/{lang}?next=/credit/firms/{firm.uscc}")  # the visitor's choice, kept
    listing = page.locator(".listing")
    assert listing.is_visible() and words["listed"] in listing.inner_text()
    assert record.decision_no in page.inner_text("main") and words["may_not"] in page.inner_text("main")
    assert page.locator(".grade").inner_text() == "D" and fits(page)
    # Stacked rows on a phone keep whole words in their labels ("Certificate number", not "nu/mber").
    label = page.locator(f"td[data-label='{words['cert']}']").first
    assert label.evaluate("td => getComputedStyle(td, '::before').wordBreak") == "normal"
    screenshot(page, f"credit-listed-firm-{lang}")

    page.click("form[action$='/report'] button")
    assert "/credit/reports/" in page.url
    qr = page.locator("img.qr")
    assert qr.is_visible() and qr.get_attribute("src").startswith("data:image/svg+xml")
    assert words["listed"] in page.inner_text("main") and fits(page)
    screenshot(page, f"credit-report-{lang}")

    page.goto(f"{live_server}/credit/untrustworthy")
    assert words["list"] in page.inner_text("h1") and firm.name in page.inner_text("main") and fits(page)
    page.select_option("#district", "310104")
    page.click("main form button")
    assert firm.name not in page.inner_text("main") and "district=310104" in page.url
    screenshot(page, f"credit-list-{lang}")
    assert not [p for p in problems if "Content Security Policy" in p], problems
