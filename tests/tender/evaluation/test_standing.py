"""Pool eligibility under the dated rule, the draw weight from conduct, and the profile's own rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.db import DomainError
from core.extensions import db
from tender.evaluation.operations import (
    available_on, decide_employer_change, draw_weight, eligibility, mark_unavailable, propose_employer_change,
    record_expert_conduct, remove_unavailability, rule_at, set_rule, update_profile,
)
from tests.tender.evaluation.conftest import NOW

# NOW is 15 March 2027 in Shanghai.


def test_eight_years_of_practice_to_the_day(make_expert, now):
    assert eligibility(make_expert(since=date(2019, 3, 15)), now) == []
    assert eligibility(make_expert(since=date(2019, 3, 16)), now) == ["too_few_years"]


def test_a_senior_title_is_needed(make_expert, now):
    assert eligibility(make_expert(title="engineer"), now) == ["title_not_senior"]
    assert eligibility(make_expert(title=None), now) == ["no_title"]
    assert eligibility(None, now) == ["no_profile"]


def test_the_pool_rule_in_force_at_the_instant_asked(make_expert, now):
    profile = make_expert(since=date(2017, 3, 15))  # ten years
    set_rule("pool", {"valid_from": NOW + timedelta(days=1), "note": "通知", "values": {"min_years": 11}}, actor=None)
    set_rule("pool", {"valid_from": NOW + timedelta(days=2), "note": "通知",
                      "values": {"senior_titles": ["senior_engineer", "engineer"]}}, actor=None)
    assert eligibility(profile, NOW + timedelta(days=1) - timedelta(seconds=1)) == []
    assert eligibility(profile, NOW + timedelta(days=1)) == ["too_few_years"]
    later = rule_at("pool", NOW + timedelta(days=3))
    assert later.min_years == 11 and later.senior_titles == ("senior_engineer", "engineer")  # layers add up


def test_rule_values_are_checked(now, app_ctx):
    with pytest.raises(DomainError) as refused:
        set_rule("pool", {"valid_from": NOW - timedelta(seconds=1), "note": "x", "values": {"min_years": 9}}, actor=None)
    assert refused.value.code == "valid_from_past"
    for values in ({"min_years": "nine"}, {"no_such_value": 1}, {"senior_titles": ["astronaut"]}):
        with pytest.raises(DomainError):
            set_rule("pool", {"valid_from": NOW, "note": "x", "values": values}, actor=None)
    with pytest.raises(DomainError):
        set_rule("draw", {"valid_from": NOW, "note": "x", "values": {"min_size": 4}}, actor=None)


def conduct(profile, kind, day, **extra):
    return record_expert_conduct(profile, {"kind": kind, "occurred_on": day, "note": "记录", **extra}, actor=None)


def test_conduct_lowers_the_weight_for_three_years(make_expert, now):
    profile = make_expert()
    conduct(profile, "late_locking", date(2024, 3, 16))  # still counts: −100
    conduct(profile, "absent_after_accepting", date(2024, 3, 15))  # three years ago to the day: no longer
    assert draw_weight(profile, now) == 900


def test_the_weight_never_falls_below_the_floor(make_expert, now):
    profile = make_expert()
    for _ in range(4):
        conduct(profile, "absent_after_accepting", date(2027, 1, 1))  # 4 × −300
    assert draw_weight(profile, now) == 100
    conduct(profile, "other", date(2027, 1, 1), weight_effect=0)
    assert draw_weight(profile, now) == 100


def test_conduct_records_are_checked(make_expert, now):
    profile = make_expert()
    with pytest.raises(DomainError) as refused:
        conduct(profile, "late_locking", date(2027, 3, 16))
    assert refused.value.field == "occurred_on"
    with pytest.raises(DomainError) as refused:
        conduct(profile, "sleeping", date(2027, 3, 1))
    assert refused.value.field == "kind"
    with pytest.raises(DomainError) as refused:
        conduct(profile, "other", date(2027, 3, 1), weight_effect=1001)
    assert refused.value.field == "weight_effect"
    assert conduct(profile, "flagged_scoring_upheld", date(2027, 3, 15)).weight_effect == 200


def test_days_unavailable_include_both_ends(make_expert, now):
    profile = make_expert()
    mark_unavailable(profile.membership, {"starts_on": date(2027, 3, 20), "ends_on": date(2027, 3, 22)}, actor=None)
    assert [available_on(profile, date(2027, 3, d)) for d in (19, 20, 22, 23)] == [True, False, False, True]


@pytest.mark.parametrize("starts, ends, field", [
    (date(2027, 3, 20), date(2027, 3, 19), "ends_on"),
    (date(2027, 3, 1), date(2027, 3, 14), "ends_on"),  # wholly past
    (date(2027, 3, 15), date(2028, 3, 15), "ends_on"),  # 367 days
    (date(2029, 3, 16), None, "starts_on"),  # more than two years ahead
])
def test_unavailability_that_cannot_be_marked(make_expert, now, starts, ends, field):
    with pytest.raises(DomainError) as refused:
        mark_unavailable(make_expert().membership, {"starts_on": starts, "ends_on": ends}, actor=None)
    assert refused.value.field == field


def test_the_longest_stretch_and_removing_past_days(make_expert, now, clock):
    profile = make_expert()
    year = mark_unavailable(profile.membership, {"starts_on": date(2027, 3, 15), "ends_on": date(2028, 3, 14)}, actor=None)
    today = mark_unavailable(profile.membership, {"starts_on": date(2027, 3, 15)}, actor=None)
    assert today.ends_on == date(2027, 3, 15)
    remove_unavailability(today, actor=None)
    db.session.commit()
    clock.set(NOW + timedelta(days=400))
    with pytest.raises(DomainError):
        remove_unavailability(year, actor=None)


def test_a_confirmed_change_ends_the_previous_employment_the_day_before(make_expert, now):
    profile = make_expert(employer=("上海旧单位", None))
    with pytest.raises(DomainError) as refused:
        propose_employer_change(profile.membership, {"employer_name": "新单位", "started_on": date(2014, 12, 31)}, actor=None)
    assert refused.value.field == "started_on"
    change = propose_employer_change(profile.membership, {"employer_name": "上海新单位", "started_on": date(2027, 4, 1)},
                                     actor=None)
    assert profile.current_employment().employer_name == "上海旧单位"  # not until confirmed
    decide_employer_change(change, {"confirm": True}, actor=None)
    assert profile.current_employment() is change
    assert [e.ended_on for e in profile.history()] == [None, date(2027, 3, 31)]
    with pytest.raises(DomainError):
        decide_employer_change(change, {"confirm": True}, actor=None)


def test_the_profile_refuses_what_is_not_on_its_lists(make_expert, now):
    profile = make_expert()
    for data, field in (({"title": "astronaut"}, "title"), ({"districts": ["999999"]}, "districts"),
                        ({"practice_since": date(2027, 3, 16)}, "practice_since"),
                        ({"other_specialties": ["space"]}, "other_specialties")):
        with pytest.raises(DomainError) as refused:
            update_profile(profile.membership, {"title": "senior_engineer", "districts": ["310104"], **data}, actor=None)
        assert refused.value.field == field
