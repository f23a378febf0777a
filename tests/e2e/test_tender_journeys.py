"""Tender journeys in a real browser: a developer drafts and submits a tender, the bureau returns it,
it is mended, filed and published; two firms register on phones, one asks, the tenderer answers and
the other firm reads the answer without the asker; an owners' committee's resolution fails the vote
rule, the committee sees why and corrects it."""

from __future__ import annotations

import pytest

from core.accounts.models import MemberRole, OrgKind
from tests.e2e.journeys import fits, overflowing, sign_in
from tests.tender.tenders.conftest import ANNOUNCED, PDF, SUBMITTED, people, register_key  # noqa: F401


def submit(page):
    page.click("main form button[type=submit] >> nth=-1")


def edit(page, base, tender_id, section):
    page.goto(f"{base}/tenders/{tender_id}/edit/{section}")


def test_draft_return_mend_file_publish_register_ask_answer(app_ctx, live_server, new_page, screenshot, tmp_path,
                                                            people, clock):
    base = live_server
    p = people()
    clock.set(SUBMITTED)
    for user in (p["officer"], p["colleague"], p["supervisor"]):
        register_key(user)
    errors: list[str] = []

    # The developer drafts the tender one part per page.
    dev = new_page("desktop")
    dev.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(dev, base, p["officer"])
    dev.goto(f"{base}/tenders/new")
    dev.fill("#community_name", "龙腾花园")
    submit(dev)
    tender_id = int(dev.url.rstrip("/").split("/")[-2])
    edit(dev, base, tender_id, "facts")
    dev.fill("#buildings", "12")
    dev.fill("#households", "860")
    dev.select_option("#service_grade", "2")
    dev.fill("#service_scope", "公共区域保洁、秩序维护、绿化养护和共用设施设备维修养护。")
    dev.fill("#ceiling_fen", "2.8.5")
    dev.fill("#contract_months", "36")
    dev.fill("#bid_validity_days", "90")
    submit(dev)
    assert dev.locator(".error-summary a[href='#ceiling_fen']").count() == 1  # the summary links to the field
    dev.fill("#ceiling_fen", "2.85")
    submit(dev)
    assert "/manage" in dev.url
    edit(dev, base, tender_id, "timeline")
    dev.fill("#documents_from", "2026-09-11")
    dev.fill("#documents_until", "2026-09-18")
    dev.fill("#bid_deadline", "2026-10-20T10:00")
    dev.fill("#opening_at", "2026-10-20T10:00")
    submit(dev)
    edit(dev, base, tender_id, "areas")
    dev.fill("#area_residential", "85000")
    submit(dev)
    edit(dev, base, tender_id, "custodians")
    for n in range(3):
        dev.check(f"#user_ids-{n}")
    dev.fill("#threshold", "2")
    submit(dev)
    edit(dev, base, tender_id, "documents")
    document = tmp_path / "招标文件.pdf"
    document.write_bytes(PDF)
    dev.set_input_files("#file", str(document))
    submit(dev)
    dev.goto(f"{base}/tenders/{tender_id}/submit")
    assert dev.locator(".error-summary").count() == 0, dev.inner_text("main")[:800]
    screenshot(dev, "tender-check-before-submitting")
    submit(dev)
    assert "待备案" in dev.inner_text("main")

    # The district bureau returns it with a reason.
    desk = new_page("desktop")
    sign_in(desk, base, p["supervisor"])
    desk.goto(f"{base}/tenders/bureau")
    desk.click("text=龙腾花园")
    desk.fill("#return-reasons", "服务范围未写明车辆停放管理，请补充后重新提交。")
    desk.click("button[value=return]")
    assert "已退回" in desk.inner_text("main")

    # The developer reads the reason, mends the tender and submits again; the bureau files it.
    dev.goto(f"{base}/tenders/{tender_id}/manage")
    assert "车辆停放管理" in dev.inner_text("#return-reasons")
    edit(dev, base, tender_id, "facts")
    dev.fill("#service_scope", "公共区域保洁、秩序维护、绿化养护、车辆停放管理和共用设施设备维修养护。")
    submit(dev)
    dev.goto(f"{base}/tenders/{tender_id}/submit")
    submit(dev)
    desk.goto(f"{base}/tenders/{tender_id}/review")
    desk.click("button[value=file]")
    assert "已备案" in desk.inner_text("main")

    # Ten days after the submission the developer publishes it.
    clock.set(ANNOUNCED)
    dev.goto(f"{base}/tenders/{tender_id}/manage")
    dev.click("text=发布招标公告")
    assert f"/tenders/{tender_id}" in dev.url and "正在投标" in dev.inner_text("main")

    # Two firms register on their phones; the first asks a question.
    firms = []
    for user in p["firm_users"]:
        phone = new_page("phone")
        phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        sign_in(phone, base, user)
        phone.goto(f"{base}/tenders?state=open_for_bids")
        assert fits(phone)
        phone.click("text=龙腾花园")
        assert phone.locator(".countdown").count() == 1
        assert fits(phone), overflowing(phone)
        phone.click("#registration a.button")
        phone.check("#confirm_requirements")
        submit(phone)
        assert "贵企业已报名" in phone.inner_text("main")
        firms.append(phone)
    asker, other = firms
    asker.click("text=提出问题")
    asker.fill("#text", "请问物业管理用房面积是多少平方米？位于哪栋楼？")
    submit(asker)
    code = "Q001"
    assert code in asker.inner_text(".notice-success")

    # The tenderer answers; it sees the question's code, never the asker.
    dev.goto(f"{base}/tenders/{tender_id}/questions")
    assert p["firms"][0].name not in dev.content()
    dev.click(f"text=答复 {code}")
    dev.fill("#text", "物业管理用房位于3号楼底层，建筑面积320平方米。")
    submit(dev)

    # The other firm reads the answer and the question, not who asked.
    other.goto(f"{base}/tenders/{tender_id}")
    text = other.inner_text("#answers ~ section") if other.locator("#answers").count() else ""
    assert "320平方米" in other.inner_text("main") and code in other.inner_text("main")
    assert p["firms"][0].name not in other.content() and p["firms"][0].uscc not in other.content()
    assert fits(other), text
    screenshot(other, "tender-answer-seen-by-another-firm")
    assert not [e for e in errors if "Content Security Policy" in e], errors


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_owners_committee_resolution_fails_the_vote_rule_sees_why_and_corrects_it(app_ctx, live_server, new_page,
                                                                                    tmp_path, make_org, make_user,
                                                                                    clock, viewport, screenshot):
    clock.set(SUBMITTED)
    assembly = make_org(OrgKind.OWNERS_ASSEMBLY, district_code="310115", community="锦绣苑", uscc=None)
    chair = make_user(OrgKind.OWNERS_ASSEMBLY, org=assembly, role=MemberRole.ADMIN, name="业委会主任")
    page = new_page(viewport)
    sign_in(page, live_server, chair)
    page.goto(f"{live_server}/tenders/new")
    assert page.input_value("#community_name") == "锦绣苑"
    submit(page)
    tender_id = int(page.url.rstrip("/").split("/")[-2])
    page.goto(f"{live_server}/tenders/{tender_id}/edit/resolution")
    resolution = tmp_path / "决议.pdf"
    resolution.write_bytes(PDF)
    for field, value in (("resolved_on", "2026-08-20"), ("total_area_m2", "30000"), ("total_owners", "300"),
                         ("participating_area_m2", "19000"), ("participating_owners", "210"),
                         ("approving_area_m2", "12000"), ("approving_owners", "150")):
        page.fill(f"#{field}", value)
    page.set_input_files("#file", str(resolution))
    submit(page)
    summary = page.locator(".error-summary")
    assert summary.count() == 1 and "2/3" in summary.inner_text()
    assert page.locator(".error-summary a[href='#participating_area_m2']").count() == 1
    assert "19000" in page.inner_text("#participating_area_m2-error") or page.locator("#participating_area_m2-error").count()
    assert fits(page)
    screenshot(page, "tender-resolution-refused")
    page.fill("#participating_area_m2", "20000")
    page.set_input_files("#file", str(resolution))
    submit(page)
    assert "/manage" in page.url and "20000" in page.inner_text("main")
