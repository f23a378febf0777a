"""Public lookup: ranked name search, USCC and certificate lookups, reports and their codes, rate limit."""

from __future__ import annotations

import re

import pytest

from credit.search import firms_by_name

from .conftest import ago


@pytest.fixture
def firms(make_firm):
    return {
        "a": make_firm("上海锦绣物业管理有限公司"),
        "b": make_firm("锦绣"),
        "c": make_firm("上海东方锦绣家园物业服务有限公司"),
        "d": make_firm("上海明珠物业有限公司"),
    }


def test_name_search_ranks_exact_then_earliest_match(firms):
    names = [f.name for f in firms_by_name("锦绣")]
    assert names == ["锦绣", "上海锦绣物业管理有限公司", "上海东方锦绣家园物业服务有限公司"]
    assert [f.name for f in firms_by_name("明珠物业")] == ["上海明珠物业有限公司"]
    assert firms_by_name("锦物") == []  # characters present but not adjacent


def test_lookup_page_by_part_of_name_uscc_and_certificate(client, firms, make_manager):
    page = client.get("/credit/?q=东方锦绣").get_data(as_text=True)
    assert "上海东方锦绣家园物业服务有限公司" in page
    response = client.get(f"/credit/?q={firms['d'].uscc}")
    assert response.status_code == 302 and firms["d"].uscc in response.headers["Location"]
    manager = make_manager(firms["d"], name="王建国")
    response = client.get(f"/credit/?q={manager.certificate_no.lower()}")
    assert response.status_code == 302 and manager.certificate_no in response.headers["Location"]
    assert "王建国" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_id_search_needs_exact_name_and_says_so_where_it_is_seen(client, firms, make_manager):
    manager = make_manager(firms["a"], name="李红", national_id="11010519491231002X")
    for data in ({"id_number": "11010519491231002X"}, {"id_number": "11010519491231002X", "name": "李"}):
        missed = client.post("/credit/id-lookup?lang=en", data=data)
        page = missed.get_data(as_text=True)
        assert missed.status_code == 200 and missed.headers["Cache-Control"] == "no-store"
        assert "11010519491231002X" not in page
        # The message stands before the collapsed section, and the section is open.
        notice = page.index('id="id-not-found"')
        assert notice < page.index("<details open>") and "No project manager matches" in page[notice:notice + 300]
    response = client.post("/credit/id-lookup", data={"id_number": "11010519491231002X", "name": "李红"})
    assert response.status_code == 303 and manager.certificate_no in response.headers["Location"]
    assert "11010519491231002X" not in response.headers["Location"]
    assert client.get("/credit/?id_number=11010519491231002X&name=李红").status_code == 200  # a GET finds nobody by ID
    api = client.post("/api/v1/credit/id-lookup", json={"id_number": "11010519491231002X", "name": "李红"})
    assert api.status_code == 200 and api.get_json()["certificate_no"] == manager.certificate_no


def test_firm_page_shows_published_records_and_chart(client, firms, published_record):
    published_record(firms["a"], "EX-F-06-01", published_at=ago(days=40))
    page = client.get(f"/credit/firms/{firms['a'].uscc}").get_data(as_text=True)
    assert "94.00" in page and "<svg" in page and "EX-F-06-01" in page
    assert client.get("/credit/firms/91310000XXXXXXXXXX").status_code == 404


def test_printable_report_verification_code(client, firms, published_record):
    published_record(firms["a"], "EX-F-06-01", published_at=ago(days=40))
    page = client.get(f"/credit/firms/{firms['a'].uscc}").get_data(as_text=True)
    assert 'name="csrf_token"' not in page  # the same page for every visitor: nothing per visitor in it
    response = client.post(f"/credit/firms/{firms['a'].uscc}/report")
    assert response.status_code == 302
    report = client.get(response.headers["Location"]).get_data(as_text=True)
    code = re.search(r'id="verification-code">([A-Z0-9-]{19})<', report).group(1)
    assert re.search(r'<img class="qr" src="data:image/svg\+xml', report)
    checked = client.get(f"/credit/verify?code={code.lower()}").get_data(as_text=True)
    assert "genuine" in checked or "真实" in checked
    assert firms["a"].uscc in checked
    bad = client.get("/credit/verify?code=AAAA-BBBB-CCCC-DDDD").get_data(as_text=True)
    assert firms["a"].uscc not in bad


def test_rate_limit_refuses_scraping(app, client, firms):
    app.config["CREDIT_LOOKUP_PER_MINUTE"] = 5
    try:
        codes = [client.get("/credit/?q=锦绣", environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code for _ in range(7)]
        assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
        other = client.get("/credit/?q=锦绣", environ_base={"REMOTE_ADDR": "10.9.9.10"})
        assert other.status_code == 200
    finally:
        app.config["CREDIT_LOOKUP_PER_MINUTE"] = 60


def test_json_api_lookup_profile_score_and_problem_details(client, firms, published_record):
    published_record(firms["c"], "EX-F-06-01", published_at=ago(days=10))
    body = client.get("/api/v1/credit/lookup?q=东方锦").get_json()
    assert body["kind"] == "name" and body["firms"][0]["uscc"] == firms["c"].uscc
    profile = client.get(f"/api/v1/credit/firms/{firms['c'].uscc}").get_json()
    assert profile["standing"]["score"] == 94 and profile["records"][0]["item_code"] == "EX-F-06-01"
    before = client.get(f"/api/v1/credit/firms/{firms['c'].uscc}/score",
                        query_string={"at": ago(days=11).isoformat()}).get_json()
    assert before["score"] == 100
    missing = client.get("/api/v1/credit/firms/913100000000000000")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert client.get("/api/v1/credit/lookup").status_code == 422
