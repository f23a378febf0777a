"""The procedure's rules at their boundaries: the timeline, working days across the 2026 National Day
holiday, the owners' resolution vote, the scoring scheme, dated values and district overrides."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from core.calendar import NoCalendarData
from core.db import DomainError
from core.extensions import db
from tender.tenders import operations as ops
from tender.tenders.models import DEFAULTS, OwnersResolution
from tender.tenders.operations.rules import available_working_days, resolution_problems, timeline_problems
from tests.tender.tenders.conftest import ANNOUNCED, DEADLINE, in_shanghai


def codes(tender, notice_on, submitted_on=date(2026, 9, 1), values=DEFAULTS):
    return {p.code for p in timeline_problems(tender, values, notice_on=notice_on, submitted_on=submitted_on,
                                              now=ANNOUNCED)}


@pytest.mark.parametrize("days, ok", [(20, True), (19, False)])
def test_documents_issue_to_deadline_at_exactly_20_days_and_19(make_tender, days, ok):
    tender, _p = make_tender()
    tender.bid_deadline = tender.opening_at = in_shanghai(2026, 9, 11, 10, 0) + timedelta(days=days)
    assert ("deadline_too_soon" not in codes(tender, date(2026, 9, 11))) is ok


@pytest.mark.parametrize("gap, ok", [(10, True), (9, False)])
def test_filing_at_least_10_days_before_the_notice(make_tender, gap, ok):
    tender, _p = make_tender()
    assert ("filing_too_late" not in codes(tender, date(2026, 9, 1) + timedelta(days=gap))) is ok


def test_working_days_across_the_2026_national_day_holiday_and_its_make_up_saturday(app_ctx):
    # 1-7 Oct 2026 are holidays; Sat 10 Oct is a make-up working day.
    assert available_working_days(date(2026, 9, 29), date(2026, 10, 9)) == 4  # 29, 30 Sep; 8, 9 Oct
    assert available_working_days(date(2026, 9, 29), date(2026, 10, 10)) == 5  # and the Saturday
    assert available_working_days(date(2026, 10, 10), date(2026, 10, 11)) == 1  # Sunday 11 Oct is not


@pytest.mark.parametrize("until, ok", [(date(2026, 10, 10), True), (date(2026, 10, 9), False)])
def test_documents_available_five_working_days_across_national_day(make_tender, until, ok):
    tender, _p = make_tender()
    tender.documents_from, tender.documents_until = date(2026, 9, 29), until
    problems = codes(tender, date(2026, 9, 29), submitted_on=date(2026, 9, 18))
    assert ("documents_too_short" not in problems) is ok


def test_a_year_without_calendar_data_is_an_error_never_a_guess(app_ctx):
    with pytest.raises(NoCalendarData):
        available_working_days(date(2031, 3, 2), date(2031, 3, 13))


def test_publication_is_refused_with_every_broken_rule_named(make_tender, clock):
    tender, p = make_tender("filed")
    clock.set(in_shanghai(2026, 9, 5, 9, 0))  # only 4 days after the submission
    tender.opening_at = tender.bid_deadline + timedelta(hours=1)
    tender.documents_until = date(2026, 9, 7)
    with pytest.raises(ops.RulesBroken) as refusal:
        ops.publish_tender(tender, actor=p["officer"])
    found = {problem.code for problem in refusal.value.problems}
    assert {"filing_too_late", "opening_not_at_deadline"} <= found
    assert "10" in refusal.value.message and tender.state.value == "filed"


def test_a_late_amendment_moves_the_deadline_and_tells_everyone_registered(make_tender, clock):
    import io

    from core.jobs.models import Notification
    from tests.tender.tenders.conftest import PDF

    tender, p = make_tender("published")
    ops.register_for_tender(tender, {}, actor=p["firm_users"][0])
    db.session.commit()  # the clock is set on its own connection (SQLite lets one writer in at a time)
    clock.set(DEADLINE - timedelta(days=14))
    ops.add_document(tender, {"file": io.BytesIO(PDF + b"v2"), "filename": "修改.pdf",
                              "change_note": "第三章服务标准修改为二级"}, actor=p["officer"])
    db.session.commit()
    assert tender.bid_deadline == DEADLINE + timedelta(days=1) and tender.opening_at == tender.bid_deadline
    assert tender.original_deadline == DEADLINE and tender.deadline_moved
    told = db.session.scalars(db.select(Notification.user_id).where(
        Notification.message_id == "tender.deadline_moved")).all()
    assert p["firm_users"][0].id in told and p["officer"].id in told


def test_a_clarification_exactly_15_days_before_moves_nothing(make_tender, clock):
    tender, p = make_tender("published")
    clock.set(DEADLINE - timedelta(days=15))
    c = ops.issue_clarification(tender, {"kind": "clarification", "text": "踏勘时间为九月二十日上午九点。"},
                                actor=p["officer"])
    assert c.deadline_after is None and tender.bid_deadline == DEADLINE


def figures(**kw):
    base = dict(resolved_on=date(2026, 8, 1), total_area_m2=30000, total_owners=300, participating_area_m2=20000,
                participating_owners=200, approving_area_m2=10001, approving_owners=101)
    base.update(kw)
    return OwnersResolution(**base)


@pytest.mark.parametrize("changes, failed", [
    ({}, set()),
    ({"participating_area_m2": 19999}, {"participation_area"}),
    ({"participating_owners": 199}, {"participation_owners"}),
    ({"approving_area_m2": 10000}, {"approval_area"}),  # exactly half is not more than half
    ({"approving_owners": 100}, {"approval_owners"}),
])
def test_owners_resolution_thresholds_at_their_boundaries(app_ctx, changes, failed):
    assert {p.code for p in resolution_problems(figures(**changes), DEFAULTS)} == failed


def test_a_failing_resolution_is_refused_with_its_fields(make_tender, assembly_world):
    tender, p = make_tender(owners=True, world=assembly_world())
    data = {"resolved_on": date(2026, 8, 20), "total_area_m2": 30000, "total_owners": 300,
            "participating_area_m2": 19000, "participating_owners": 200, "approving_area_m2": 15000,
            "approving_owners": 150}
    with pytest.raises(ops.RulesBroken) as refusal:
        ops.record_resolution(tender, data, actor=p["assembly_officer"])
    assert [pr.field for pr in refusal.value.problems] == ["participating_area_m2"]
    assert "2/3" in refusal.value.problems[0].message


def test_the_scheme_is_checked_against_the_limits_and_the_total(make_tender):
    tender, p = make_tender()
    with pytest.raises(ops.RulesBroken) as refusal:
        ops.set_scheme(tender, {"weights": {"scheme_credit": 0}}, actor=p["officer"])
    assert {pr.field for pr in refusal.value.problems} == {"scheme_credit"}
    with pytest.raises(ops.RulesBroken) as total:
        ops.set_scheme(tender, {"weights": {"scheme_credit": 6}}, actor=p["officer"])
    assert total.value.problems[0].code == "scheme_total"
    ops.set_scheme(tender, {"weights": {"scheme_credit": 6, "scheme_technical_understanding": 7},
                            "price_method": "lowest_price"}, actor=p["officer"])
    assert tender.scheme["price_method"] == "lowest_price"
    ops.submit_for_filing(tender, actor=p["officer"])
    with pytest.raises(DomainError):  # frozen from the submission on
        ops.set_scheme(tender, {"weights": {}}, actor=p["officer"])


def test_dated_values_and_district_overrides_and_the_tender_keeps_its_snapshot(make_tender, clock):
    tender, p = make_tender()
    from_oct = datetime(2026, 10, 1, tzinfo=timezone.utc)
    ops.set_procedure({"values": {"documents_to_deadline_days": 25}, "valid_from": from_oct}, actor=None)
    ops.set_procedure({"values": {"documents_to_deadline_days": 30}, "valid_from": from_oct,
                       "district_code": "310104"}, actor=None)
    assert ops.values_at("310104", from_oct - timedelta(seconds=1))["documents_to_deadline_days"] == 20
    assert ops.values_at("310115", from_oct)["documents_to_deadline_days"] == 25
    assert ops.values_at("310104", from_oct)["documents_to_deadline_days"] == 30
    ops.submit_for_filing(tender, actor=p["officer"])
    assert ops.tender_values(tender, from_oct)["documents_to_deadline_days"] == 20
    with pytest.raises(ops.RulesBroken):
        ops.set_procedure({"values": {"documents_to_deadline_days": 0}, "valid_from": from_oct}, actor=None)
