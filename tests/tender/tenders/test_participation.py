"""Registration with the credit check, questions and answers, and what nobody outside the bureau may learn."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest

from core.db import DomainError
from core.extensions import db
from tender.tenders import operations as ops
from tests.credit.conftest import credit_reference, item, make_firm, published_record  # noqa: F401
from tests.factories import csrf_token
from tests.tender.tenders.conftest import DEADLINE


def test_a_firm_registers_once_and_only_while_open(make_tender, clock):
    tender, p = make_tender("published")
    firm_user = p["firm_users"][0]
    registration = ops.register_for_tender(tender, {}, actor=firm_user)
    assert registration.credit_score == "100.00"
    with pytest.raises(DomainError) as twice:
        ops.register_for_tender(tender, {}, actor=firm_user)
    assert twice.value.code == "already_registered"
    db.session.commit()  # the clock is set on its own connection (SQLite lets one writer in at a time)
    clock.set(DEADLINE)
    with pytest.raises(DomainError) as late:
        ops.register_for_tender(tender, {}, actor=p["firm_users"][1])
    assert late.value.code == "register_not_allowed"


def test_a_firm_blocked_by_credit_sees_why(make_tender, make_firm, published_record, login, client):  # noqa: F811
    tender, p = make_tender("published")
    firm = p["firms"][0]
    subject = make_firm(uscc=firm.uscc, name=firm.name)
    published_record(subject, "SH-F-18-01", published_at=datetime(2026, 9, 1, tzinfo=timezone.utc))
    with pytest.raises(ops.NotEligible) as refusal:
        ops.register_for_tender(tender, {}, actor=p["firm_users"][0])
    assert "严重失信" in refusal.value.message
    db.session.rollback()
    login(p["firm_users"][0])
    page = client.get(f"/tenders/{tender.id}/register").get_data(as_text=True)
    answer = client.post(f"/tenders/{tender.id}/register",
                         data={"csrf_token": csrf_token(page), "confirm_requirements": "y"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "严重失信" in text and 'id="refusal"' in text


def test_a_minimum_credit_score_is_a_requirement_the_firm_is_told_about(make_tender):
    tender, p = make_tender("published", min_credit_score=101)
    with pytest.raises(ops.NotEligible, match="不低于 101"):
        ops.register_for_tender(tender, {}, actor=p["firm_users"][0])


def test_an_agency_never_registers_nor_acts_on_a_tender_it_is_not_appointed_to(make_tender, login, client):
    tender, p = make_tender("published")
    with pytest.raises(DomainError) as bidder:
        ops.register_for_tender(tender, {}, actor=p["agent"])
    assert bidder.value.code == "agency_may_not_bid"
    with pytest.raises(DomainError) as not_appointed:
        ops.cancel_tender(tender, {"reason": "other", "note": "代理机构擅自终止招标"}, actor=p["agent"])
    assert not_appointed.value.code == "not_your_tender"
    login(p["agent"])
    assert client.post(f"/api/v1/tenders/{tender.id}/registrations",
                       headers={"X-CSRFToken": csrf_token(client.get("/dashboard").get_data(as_text=True))}).status_code == 403
    assert client.get(f"/tenders/{tender.id}/register").status_code == 403
    page = client.get(f"/tenders/{tender.id}/manage").get_data(as_text=True)
    assert "Check and submit" not in page and "发布招标公告" not in page


def test_an_appointed_agency_acts_on_its_tender(make_tender, clock):
    import io

    from tests.tender.tenders.conftest import PDF

    tender, p = make_tender()
    ops.appoint_agency(tender, {"agency": p["agency"], "contract_number": "DL-2026-08",
                                "contract_signed_on": datetime(2026, 8, 25).date(), "file": io.BytesIO(PDF),
                                "filename": "委托合同.pdf"}, actor=p["officer"])
    ops.update_tender(tender, {"households": 900}, actor=p["agent"])
    ops.submit_for_filing(tender, actor=p["agent"])
    assert tender.state.value == "pending_filing" and tender.households == 900


def _ask_and_answer(tender, p, clock):
    a, b = p["firm_users"]
    ops.register_for_tender(tender, {}, actor=a)
    ops.register_for_tender(tender, {}, actor=b)
    question = ops.ask_question(tender, {"text": "请问物业管理用房面积是多少平方米？"}, actor=a)
    ops.answer_question(question, {"text": "物业管理用房面积为320平方米。"}, actor=p["officer"])
    db.session.commit()
    return question


def text_of(response) -> str:
    """The answer as a reader gets it: JSON decoded (its escapes would hide any name), HTML as it is."""
    if response.is_json:
        return json.dumps(response.get_json(), ensure_ascii=False)
    return response.get_data(as_text=True)


def test_the_asker_is_reachable_by_no_page_or_api_of_another_firm_or_the_tenderer(make_tender, clock, login,
                                                                                     logout, client):
    tender, p = make_tender("published")
    question = _ask_and_answer(tender, p, clock)
    asker = p["firms"][0]
    seen = {}
    for who in (p["firm_users"][1], p["officer"]):
        login(who)
        pages = [f"/tenders/{tender.id}", f"/tenders/{tender.id}/manage", f"/tenders/{tender.id}/questions",
                 f"/api/v1/tenders/{tender.id}/questions", f"/api/v1/tenders/{tender.id}",
                 f"/api/v1/tenders/{tender.id}/registrations", "/dashboard", "/tenders/mine", "/tenders/registered",
                 "/notifications"]
        for url in pages:
            response = client.get(url)
            body = text_of(response)
            seen[(who.id, url)] = response.status_code
            for mark in (asker.name, asker.uscc):
                assert mark not in body, f"{url} shows the asker to {who.name}"
        logout()
    # The answer (with the question, by its code) reached the other firm, not the asker's name.
    assert seen[(p["firm_users"][1].id, f"/tenders/{tender.id}")] == 200
    login(p["firm_users"][1])
    page = client.get(f"/tenders/{tender.id}").get_data(as_text=True)
    assert question.code in page and "320平方米" in page
    logout()
    login(p["supervisor"])
    bureau = client.get(f"/tenders/{tender.id}/registrations").get_data(as_text=True)
    assert asker.name in bureau
    assert asker.name in text_of(client.get(f"/api/v1/tenders/{tender.id}/questions"))


def test_before_the_deadline_nobody_but_the_bureau_learns_who_registered_or_how_many(make_tender, clock, login,
                                                                                      logout, client):
    tender, p = make_tender("published")
    _ask_and_answer(tender, p, clock)
    login(p["officer"])
    assert client.get(f"/api/v1/tenders/{tender.id}/registrations").status_code == 403
    manage = client.get(f"/tenders/{tender.id}/manage").get_data(as_text=True)
    detail = client.get(f"/api/v1/tenders/{tender.id}").get_json()
    for firm in p["firms"]:
        assert firm.name not in manage
    assert not any("registration" in key for key in detail)
    assert not re.search(r"(registered|已报名)[^<]{0,20}\d", manage)
    logout()
    login(p["firm_users"][1])
    own = client.get(f"/api/v1/tenders/{tender.id}/registrations").get_json()
    assert len(own) == 1 and "firm" not in own[0]
    logout()
    anonymous = client.get(f"/tenders/{tender.id}").get_data(as_text=True)
    assert p["firms"][0].name not in anonymous and "320平方米" not in anonymous
