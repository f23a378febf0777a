"""The public complaint form: one question per page, attachments with strict limits, tracking."""

from __future__ import annotations

import io
import re

from credit.models import Complaint, ComplaintAttachment
from tests.factories import csrf_token

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def post(client, url, data, **kw):
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data}, **kw)


def fill(client, firm_name="上海锦绣物业管理有限公司"):
    assert post(client, "/credit/complaint/firm", {"firm_name": firm_name}).status_code == 302
    assert post(client, "/credit/complaint/place", {"community": "锦绣花园", "district_code": "310115"}).status_code == 302
    assert post(client, "/credit/complaint/details",
                {"description": "电梯停运两周无人维修，物业公司不回应业主诉求。", "occurred_on": "2026-10-08"}).status_code == 302


def test_complaint_journey_with_attachment_and_tracking(app_ctx, client):
    assert client.get("/credit/complaint").status_code == 200
    fill(client)
    response = post(client, "/credit/complaint/evidence",
                    {"action": "upload", "file": (io.BytesIO(PNG), "lift.png")}, content_type="multipart/form-data")
    assert response.status_code == 302
    assert "lift.png" in client.get("/credit/complaint/evidence").get_data(as_text=True)
    assert post(client, "/credit/complaint/evidence", {"action": "continue"}).status_code == 302
    assert post(client, "/credit/complaint/contact", {"complainant_kind": "resident", "complainant_name": "张三",
                                                      "complainant_phone": "13812345678"}).status_code == 302
    check = client.get("/credit/complaint/check").get_data(as_text=True)
    assert "锦绣花园" in check and "lift.png" in check
    response = client.post("/credit/complaint/check", data={"csrf_token": csrf_token(check)})
    assert response.status_code == 302
    done = client.get("/credit/complaint/done").get_data(as_text=True)
    number = re.search(r'id="tracking-number">([A-Z0-9-]+)<', done).group(1)
    complaint = Complaint.query.filter_by(tracking_number=number).one()
    assert complaint.complainant_name == "张三" and len(complaint.attachments) == 1
    tracked = client.get(f"/credit/complaint/track?tracking_number={number.lower()}").get_data(as_text=True)
    assert number in tracked and "张三" not in tracked and "13812345678" not in tracked


def test_errors_are_summarised_and_nothing_is_saved(app_ctx, client):
    page = post(client, "/credit/complaint/firm", {"firm_name": ""}).get_data(as_text=True)
    assert "error-summary" in page and 'href="#firm_name"' in page
    page = post(client, "/credit/complaint/contact", {"complainant_kind": "resident", "complainant_name": "李四",
                                                      "complainant_phone": "123"}).get_data(as_text=True)
    assert 'href="#complainant_phone"' in page
    # Skipping ahead to the check page sends the user back to the first missing answer.
    assert client.get("/credit/complaint/check").headers["Location"].endswith("/credit/complaint/firm")
    assert Complaint.query.count() == 0


def test_attachment_limits(app_ctx, client):
    fill(client)

    def upload(data, name):
        return post(client, "/credit/complaint/evidence", {"action": "upload", "file": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")

    assert "error-message" in upload(b"MZ\x90\x00 not an image", "virus.png").get_data(as_text=True)
    assert "error-message" in upload(PNG, "lift.exe").get_data(as_text=True)
    assert "error-message" in upload(PNG + b"\x00" * (5 * 1024 * 1024), "big.png").get_data(as_text=True)
    for i in range(3):
        assert upload(PNG, f"p{i}.png").status_code == 302
    assert "p0.png" in client.get("/credit/complaint/evidence").get_data(as_text=True)
    assert upload(PNG, "p4.png").status_code in (200, 302)
    assert ComplaintAttachment.query.count() == 3


def test_check_page_refuses_missing_csrf(app_ctx, client):
    fill(client)
    post(client, "/credit/complaint/contact", {"complainant_kind": "resident", "complainant_name": "王五"})
    assert client.post("/credit/complaint/check", data={}).status_code == 400
    assert Complaint.query.count() == 0


def test_long_answers_are_kept_on_the_server_not_in_the_cookie(app_ctx, client):
    from credit.models import ComplaintDraft

    description = "电梯停运，" * 600  # 3000 characters: some 9 KB of UTF-8, more than any cookie holds
    fill(client)
    assert post(client, "/credit/complaint/details", {"description": description}).status_code == 302
    cookie = client.get_cookie("session")
    assert cookie is not None and len(cookie.value) < 1024
    assert description in client.get("/credit/complaint/details").get_data(as_text=True)
    assert ComplaintDraft.query.one().answers["description"] == description
    post(client, "/credit/complaint/contact", {"complainant_kind": "resident", "complainant_name": "张三"})
    check = client.get("/credit/complaint/check").get_data(as_text=True)
    assert client.post("/credit/complaint/check", data={"csrf_token": csrf_token(check)}).status_code == 302
    assert Complaint.query.one().description == description
    assert ComplaintDraft.query.count() == 0  # the draft went into the complaint


def test_an_oversized_body_is_refused_before_it_is_read(app_ctx, client):
    fill(client)
    big = PNG + b"\x00" * (6 * 1024 * 1024)
    response = post(client, "/credit/complaint/evidence", {"action": "upload", "file": (io.BytesIO(big), "big.png")},
                    content_type="multipart/form-data")
    assert response.status_code == 413 and ComplaintAttachment.query.count() == 0


def test_uploads_are_rate_limited_per_address(app, app_ctx, client):
    fill(client)
    usual = app.config["CREDIT_UPLOADS_PER_MINUTE"]
    app.config["CREDIT_UPLOADS_PER_MINUTE"] = 2
    try:
        codes = [post(client, "/credit/complaint/evidence", {"action": "upload", "file": (io.BytesIO(PNG), f"p{i}.png")},
                      content_type="multipart/form-data").status_code for i in range(3)]
    finally:
        app.config["CREDIT_UPLOADS_PER_MINUTE"] = usual
    assert codes == [302, 302, 429]
    assert ComplaintAttachment.query.count() == 2


def test_unfinished_drafts_are_purged_after_a_week(app_ctx, client):
    from datetime import timedelta

    from core.db import db, utcnow
    from credit.models import ComplaintDraft
    from credit.tasks import purge_complaint_drafts

    fill(client)
    post(client, "/credit/complaint/evidence", {"action": "upload", "file": (io.BytesIO(PNG), "lift.png")},
         content_type="multipart/form-data")
    assert purge_complaint_drafts() == 0  # fresh: kept
    old = utcnow() - timedelta(days=8)
    db.session.execute(ComplaintAttachment.__table__.update().values(created_at=old))
    db.session.commit()
    assert purge_complaint_drafts() == 0  # an old file of a draft still being worked on stays
    db.session.execute(ComplaintDraft.__table__.update().values(updated_at=old))
    db.session.commit()
    assert purge_complaint_drafts() == 2
    assert ComplaintDraft.query.count() == 0 and ComplaintAttachment.query.count() == 0
    assert purge_complaint_drafts() == 0  # safe to run twice
