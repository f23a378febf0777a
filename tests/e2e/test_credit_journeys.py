"""Credit journeys in a real browser: a resident files a complaint and tracks it, the supervisor opens
a record and decides it, the firm objects, and the public finds the published record by part of the name."""

from __future__ import annotations

import re

import pytest

from tests.credit.conftest import credit_reference, firm_user, item, make_firm, supervisor  # noqa: F401
from tests.e2e.journeys import fits, sign_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 256




def submit(page):
    page.click("main form button[type=submit] >> nth=-1")


def test_complaint_decision_objection_and_public_lookup(app_ctx, live_server, new_page, screenshot, tmp_path,
                                                         make_firm, supervisor, firm_user, item):  # noqa: F811
    base = live_server
    firm = make_firm("上海锦绣江南物业管理有限公司")
    firm_account = firm_user(firm)
    officer = supervisor("310115")
    problems: list[str] = []

    # A resident on a phone files a complaint, one question per page.
    resident = new_page("phone")
    resident.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    resident.goto(f"{base}/")
    resident.click("a[href='/credit/complaint']")
    resident.click("main a.button")
    resident.fill("#firm_name", firm.name)
    submit(resident)
    submit(resident)  # nothing chosen: the error summary links to the field
    assert resident.locator(".error-summary a[href='#district_code']").count() == 1
    resident.fill("#community", "锦绣江南花园")
    resident.select_option("#district_code", "310115")
    submit(resident)
    resident.fill("#description", "小区电梯停运两周无人维修，多次报修物业公司均未处理，老人出行困难。")
    submit(resident)
    evidence = tmp_path / "lift.png"
    evidence.write_bytes(PNG)
    resident.set_input_files("#file", str(evidence))
    resident.click("button[value=upload]")
    assert "lift.png" in resident.inner_text("main")
    resident.click("button[value=continue]")
    resident.check("#complainant_kind-0")
    resident.fill("#complainant_name", "张阿姨")
    resident.fill("#complainant_phone", "13812345678")
    submit(resident)
    assert "锦绣江南花园" in resident.inner_text("main") and fits(resident)
    screenshot(resident, "credit-complaint-check")
    submit(resident)
    number = resident.inner_text("#tracking-number")
    assert re.fullmatch(r"TS-[A-Z0-9]{5}-[A-Z0-9]{5}", number)
    screenshot(resident, "credit-complaint-done")
    resident.click("main a.button")
    assert number in resident.inner_text("main") and fits(resident)

    # The district supervisor opens a record from the complaint and notifies the firm.
    desk = new_page("desktop")
    sign_in(desk, base, officer)
    desk.goto(f"{base}/credit/desk/intake")
    desk.click(f"text={number}")
    assert "张阿姨" in desk.inner_text("main") and "lift.png" in desk.inner_text("main")
    desk.fill("#subject", firm.uscc)
    desk.select_option("#item_id", str(item("EX-F-06-01").id))
    desk.fill("#occurred_on", "2026-11-02")
    desk.click("button:has-text('开立记录草稿')")
    assert "/credit/desk/records/" in desk.url
    desk.click("button[value=notify]")
    assert "异议期" in desk.inner_text("main")
    record_url = desk.url

    # The firm reads its file and objects, once.
    firm_page = new_page("phone")
    sign_in(firm_page, base, firm_account)
    firm_page.goto(f"{base}/credit/my")
    firm_page.click("main table a")
    firm_page.fill("#objection-grounds", "电梯停运系厂家配件缺货，已书面告知业主并提供临时措施，附往来函件。")
    firm_page.click("main form button[type=submit]")
    assert firm_page.locator(".notice-success").count() == 1
    assert firm_page.locator("#objection-grounds").count() == 0  # a second objection is not offered
    screenshot(firm_page, "credit-firm-objected")

    # The supervisor decides, answering the objection, and publishes.
    desk.goto(record_url)
    desk.check("#decide-decision-1")  # reduced
    desk.fill("#decide-points", "3")
    desk.fill("#decide-reasons", "配件缺货属实，但未按规定告知业委会，酌情减轻。")
    desk.select_option("#decide-objection_outcome", "partly_accepted")
    desk.fill("#decide-objection_answer", "缺货情况属实，减轻扣分；告知义务未履行。")
    desk.click("button[value=decide]")
    desk.click("button[value=publish]")
    assert "已公布" in desk.inner_text("main")
    screenshot(desk, "credit-record-published")

    # A stranger on a phone finds it by two characters of the name, in Chinese and in English.
    public = new_page("phone")
    public.goto(f"{base}/credit/")
    public.fill("#q", "江南")
    public.click("main form[role=search] button")
    public.click(f"text={firm.name}")
    text = public.inner_text("main")
    assert "EX-F-06-01" in text and "97.00" in text and "张阿姨" not in text
    assert public.locator("svg.score-chart").count() == 1 and fits(public)
    screenshot(public, "credit-firm-page")
    public.click("a[hreflang=en]")
    assert "Published records" in public.inner_text("main")
    public.click("button:has-text('Printable credit report')")
    code = public.inner_text(".verification .mono")
    public.click("text=Check this code")
    assert "genuine" in public.inner_text("main") and code.replace("-", "") in public.url
    screenshot(public, "credit-report-verified")
    assert not [p for p in problems if "Content Security Policy" in p], problems


@pytest.mark.parametrize("viewport", ["phone"])
def test_track_page_on_a_phone(app_ctx, live_server, new_page, viewport):
    page = new_page(viewport)
    page.goto(f"{live_server}/credit/complaint/track?tracking_number=TS-AAAAA-BBBBB")
    assert page.locator(".notice-error").count() == 1 and fits(page)
