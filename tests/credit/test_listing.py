"""The seriously-untrustworthy list as the public reads it: beside the grade on every page and answer,
with its dates and basis, whether the subject may bid, and a browsable list."""

from __future__ import annotations

import re

from core.db import db
from credit.models import CreditRecord
from credit.operations import score_at

from .conftest import ago


def _listed_firm(make_firm, published_record, name="上海失信物业管理有限公司"):
    firm = make_firm(name)
    record = published_record(firm, "SH-F-18-04", published_at=ago(days=30))
    return firm, record


def test_a_listing_caps_the_grade_as_grading_data_says(make_firm, published_record):
    firm, record = _listed_firm(make_firm, published_record)
    standing = score_at(firm)
    assert standing.score == 82 and standing.listed and not standing.may_bid
    assert standing.grade == "D"  # the policy in force caps a listed subject at D (the grade that may not bid)
    assert standing.listing.start == record.published_at and standing.listing.end == record.expires_at
    from credit.operations.rules import set_policy

    set_policy({"listed_grade_cap": None}, actor=None)
    db.session.commit()
    assert score_at(firm).grade == "C" and score_at(firm).listed  # the data changed, not the code


def test_firm_page_and_api_show_the_listing_beside_the_grade(client, make_firm, published_record):
    firm, record = _listed_firm(make_firm, published_record)
    page = client.get(f"/credit/firms/{firm.uscc}?lang=en").get_data(as_text=True)
    notice = page[page.index('class="notice notice-error listing"'):]
    assert "On the list of seriously untrustworthy subjects" in notice
    assert record.published_at.astimezone().strftime("%Y") in notice and record.decision_no in notice
    assert "May not take part in tenders" in page and re.search(r'class="grade grade-listed">D<', page)
    body = client.get(f"/api/v1/credit/firms/{firm.uscc}").get_json()
    assert body["standing"]["listed"] and body["standing"]["may_bid"] is False and body["standing"]["grade"] == "D"
    listing = body["standing"]["listing"]
    assert listing["basis"][0]["decision_no"] == record.decision_no and listing["end"]
    shown = body["records"][0]
    assert shown["decision_no"] == record.decision_no and shown["basis"] and shown["correction_from"]
    assert shown["decided_on"] and shown["authority"]


def test_search_results_report_and_verification_show_the_listing(client, make_firm, published_record):
    firm, record = _listed_firm(make_firm, published_record)
    make_firm("上海守信物业管理有限公司")
    page = client.get("/credit/?q=物业管理&lang=en").get_data(as_text=True)
    listed_item = page[page.index(firm.name):page.index(firm.name) + 400]
    assert "Seriously untrustworthy" in listed_item
    assert "Seriously untrustworthy" not in page[page.index("上海守信"):page.index("上海守信") + 300]
    api = client.get("/api/v1/credit/lookup?q=物业管理").get_json()
    assert {f["name"]: f["listed"] for f in api["firms"]} == {firm.name: True, "上海守信物业管理有限公司": False}
    issued = client.post(f"/credit/firms/{firm.uscc}/report")
    report = client.get(issued.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "On the list of seriously untrustworthy subjects" in report and "May not take part in tenders" in report
    assert record.decision_no in report
    code = re.search(r'id="verification-code">([A-Z0-9-]{19})<', report).group(1)
    checked = client.get(f"/credit/verify?code={code}&lang=en").get_data(as_text=True)
    assert checked.count("On the list of seriously untrustworthy subjects") == 2  # as issued, and now
    assert "May not take part in tenders" in checked
    cert = client.get(f"/api/v1/credit/reports/{code.replace('-', '')}").get_json()
    assert cert["listing"]["basis"][0]["decision_no"] == record.decision_no and cert["may_bid"] is False


def test_the_public_list_by_district_a_page_at_a_time(client, make_firm, make_manager, published_record, item):
    from credit.views.public import LIST_PAGE_SIZE

    firms = [_listed_firm(make_firm, published_record, name=f"上海列入{n}物业有限公司")[0] for n in range(3)]
    manager = make_manager(firms[0])
    published_record(manager, "SH-P-18-06", published_at=ago(days=5))
    other = CreditRecord.query.filter_by(firm_id=firms[2].id).one()
    other.district_code = "310104"
    db.session.commit()
    page = client.get("/credit/untrustworthy?lang=en").get_data(as_text=True)
    assert all(f.name in page for f in firms) and manager.name in page and "of 4" in page
    pudong = client.get("/credit/untrustworthy?district=310115&lang=en").get_data(as_text=True)
    assert firms[2].name not in pudong and firms[0].name in pudong and "of 3" in pudong
    assert client.get("/credit/untrustworthy?district=nonsense&page=999999999999999999").status_code == 200
    assert LIST_PAGE_SIZE >= 1


def test_demo_world_holds_a_listed_firm_and_a_listed_project_manager(app_ctx, client):
    from core.demo import seed

    seed()
    db.session.commit()
    page = client.get("/credit/untrustworthy?lang=en").get_data(as_text=True)
    assert "Project manager" in page and "Firm" in page
