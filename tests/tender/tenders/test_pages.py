"""The tender pages: the public list and its filters, the announcement, the home page and dashboards,
form errors, uploads, and the public answers kept for a while and dropped by any change."""

from __future__ import annotations

import io

from core.extensions import db
from tests.factories import csrf_token
from tests.tender.tenders.conftest import DEADLINE


def test_public_list_filters_and_pages(make_tender, client, app):
    open_one, p = make_tender("published", community_name="锦江花园")
    make_tender("published", community_name="梅陇新村", world=p)
    make_tender(community_name="草稿家园", world=p)
    page = client.get("/tenders").get_data(as_text=True)
    assert "锦江花园" in page and "梅陇新村" in page and "草稿家园" not in page
    only = client.get("/tenders?q=锦江&district=310104&kind=preliminary&state=open_for_bids").get_data(as_text=True)
    assert "锦江花园" in only and "梅陇新村" not in only
    assert "锦江花园" not in client.get("/tenders?state=cancelled").get_data(as_text=True)
    assert client.get("/tenders?published_from=2026-13-45&page=-3&district=999999").status_code == 200
    assert "锦江花园" not in client.get("/tenders?page=2").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert "正在投标的招标项目" in home and "锦江花园" in home


def test_the_announcement_shows_facts_timeline_rules_scheme_and_countdown(make_tender, client):
    tender, _p = make_tender("published")
    page = client.get(f"/tenders/{tender.id}").get_data(as_text=True)
    for text in ("2.85 元/平方米·月", "至少 5 个工作日", "2026-10-20 周二 10:00", "技术标（暗标评审）", "距投标截止",
                 'aria-current="step"', "招标文件.pdf", "基准价法"):
        assert text in page, text
    assert 'src="/tenders/static/countdown.js"' in page and "<script>" not in page
    assert client.get(f"/tenders/{tender.id}?lang=en").get_data(as_text=True).count("Open for bids") >= 1


def test_public_answers_are_kept_revalidated_and_dropped_by_a_change(make_tender, client, clock):
    from tender.tenders import operations as ops

    tender, p = make_tender("published")
    first = client.get(f"/tenders/{tender.id}")
    etag = first.headers["ETag"]
    assert client.get(f"/tenders/{tender.id}", headers={"If-None-Match": etag}).status_code == 304
    ops.issue_clarification(tender, {"kind": "clarification", "text": "现场踏勘改为九月二十五日上午。"},
                            actor=p["officer"])
    # Any committed write to a tender table makes every stored answer stale.
    tender.qualifications = "具有独立法人资格，近三年无重大违法记录"
    db.session.commit()
    changed = client.get(f"/tenders/{tender.id}").get_data(as_text=True)
    assert "近三年无重大违法记录" in changed
    clock.set(DEADLINE)
    assert "已过投标截止时间" in client.get(f"/tenders/{tender.id}").get_data(as_text=True)


def test_dashboards_show_each_role_its_tenders(make_tender, login, logout, client):
    tender, p = make_tender("pending_filing")
    login(p["officer"])
    mine = client.get("/dashboard").get_data(as_text=True)
    assert "我的招标项目" in mine and "锦绣花园" in mine and "备案决定期限" in mine
    logout()
    login(p["supervisor"])
    desk = client.get("/dashboard").get_data(as_text=True)
    assert "待备案：1" in desk and "逾期未备案：0" in desk
    assert "锦绣花园" in client.get("/tenders/bureau").get_data(as_text=True)


def test_a_form_with_errors_changes_nothing_and_says_where(make_tender, login, client):
    tender, p = make_tender()
    login(p["officer"])
    page = client.get(f"/tenders/{tender.id}/edit/scheme").get_data(as_text=True)
    weights = {(f"scheme_{b['key']}_{k}" if b["items"] else f"scheme_{b['key']}"): v
               for b in tender.scheme["blocks"] for k, v in (b["items"] or [(None, b["points"])])}
    answer = client.post(f"/tenders/{tender.id}/edit/scheme", data={
        "csrf_token": csrf_token(page), "price_method": "base_price", **weights, "scheme_credit": "0"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400 and 'class="error-summary"' in text and 'href="#scheme_credit"' in text
    db.session.refresh(tender)
    assert [b["points"] for b in tender.scheme["blocks"]] == [55, 10, 15, 15, 5]


def test_uploads_are_size_limited_and_type_checked(make_tender, login, client, app):
    tender, p = make_tender()
    login(p["officer"])
    page = client.get(f"/tenders/{tender.id}/edit/documents").get_data(as_text=True)
    wrong = client.post(f"/tenders/{tender.id}/edit/documents", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(page), "file": (io.BytesIO(b"MZ\x90\x00 an executable"), "招标文件.pdf")})
    assert wrong.status_code == 400 and "PDF 或 Word" in wrong.get_data(as_text=True)
    limit = app.config["DOCUMENT_MAX_BYTES"]
    app.config["DOCUMENT_MAX_BYTES"] = 1024
    try:
        big = client.post(f"/tenders/{tender.id}/edit/documents", content_type="multipart/form-data", data={
            "csrf_token": csrf_token(page), "file": (io.BytesIO(b"%PDF-" + b"0" * 4096), "big.pdf")})
    finally:
        app.config["DOCUMENT_MAX_BYTES"] = limit
    assert big.status_code == 400 and "不得超过" in big.get_data(as_text=True)
    db.session.refresh(tender)
    assert len(tender.documents) == 1


def test_a_draft_is_nobody_elses_business(make_tender, login, client, make_user):
    from core.accounts.models import OrgKind

    tender, p = make_tender()
    assert client.get(f"/tenders/{tender.id}").status_code == 404
    login(make_user(OrgKind.DEVELOPER))
    assert client.get(f"/tenders/{tender.id}/manage").status_code == 404
    assert client.get(f"/tenders/{tender.id}/documents/{tender.documents[0].id}").status_code == 404


def test_the_agency_register_lists_staff_and_the_tenders_they_ran(make_tender, client):
    from datetime import date

    from tender.tenders import operations as ops

    tender, p = make_tender()
    staff = ops.add_staff(p["agency"], {"name": "周经理", "certificate_no": "sh-2020-01"}, actor=p["agent"])
    ops.appoint_agency(tender, {"agency": p["agency"], "lead_staff": staff, "contract_number": "WT-9",
                                "contract_signed_on": date(2026, 8, 1)}, actor=p["officer"])
    db.session.commit()
    page = client.get(f"/tenders/agencies/{p['agency'].id}").get_data(as_text=True)
    assert "周经理" in page and "SH-2020-01" in page and "锦绣花园" not in page  # not announced yet
    assert p["agency"].name in client.get("/tenders/agencies").get_data(as_text=True)
