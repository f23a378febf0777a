"""The shared working-day calendar: package years, the override table, a year loaded from a file,
provisional years, and the warning before the data runs out."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from core import calendar
from core.calendar.operations import declare_year, load_schedule, set_day
from core.db import DomainError, db
from tests.factories import csrf_token


def test_2027_needs_the_override_table(app_ctx):
    # Chinese calendar data ends with 2026: a deadline reaching into 2027 is an error, not a guess.
    with pytest.raises(calendar.NoCalendarData):
        calendar.add_working_days(date(2026, 12, 28), 5)
    assert calendar.add_working_days(date(2026, 12, 21), 5) == date(2026, 12, 28)
    set_day({"day": date(2027, 1, 1), "is_workday": False, "note": "New Year's Day"}, actor=None)
    declare_year({"year": 2027, "source": "entered by the city bureau for the test"}, actor=None)
    # 2026-12-31 is a Thursday; Fri 1 Jan 2027 is a holiday, so 5 working days end on Fri 8 Jan.
    assert calendar.add_working_days(date(2026, 12, 31), 5) == date(2027, 1, 8)


def test_override_wins_over_the_package(app_ctx):
    set_day({"day": date(2026, 11, 30), "is_workday": False, "note": "Typhoon closure"}, actor=None)
    assert calendar.add_working_days(date(2026, 11, 27), 1) == date(2026, 12, 1)


def test_national_day_2026_and_its_make_up_saturday(app_ctx):
    # 1-7 October 2026 are holidays; Saturday 10 October is a make-up working day.
    assert not calendar.is_workday(date(2026, 10, 1))
    assert calendar.is_workday(date(2026, 10, 10))
    # From Wed 30 Sep: 8 Oct (Thu), 9 Oct (Fri), 10 Oct (Sat, make-up) are the first three working days.
    assert calendar.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert calendar.working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3


def test_a_deadline_runs_to_the_very_end_of_its_day(app_ctx):
    end = calendar.end_of_day(date(2026, 12, 2))
    half_second_before_midnight = datetime(2026, 12, 2, 15, 59, 59, 500000, tzinfo=timezone.utc)  # 23:59:59.5 in Shanghai
    assert half_second_before_midnight <= end
    assert calendar.start_of_day(date(2026, 12, 3)) > end


SCHEDULE = """date,kind,note
2027-01-01,holiday,New Year's Day
2027-02-05,holiday,Spring Festival
2027-02-14,workday,Spring Festival make-up day
"""


def test_a_year_loaded_from_a_file(app_ctx):
    load_schedule({"year": 2027, "text": SCHEDULE, "source": "test notice"}, actor=None)
    db.session.commit()
    assert not calendar.is_workday(date(2027, 2, 5))
    assert calendar.is_workday(date(2027, 2, 14))  # a Sunday made a working day
    assert calendar.is_workday(date(2027, 2, 8))


@pytest.mark.parametrize("text, code, line", [
    ("day,kind,note\n2027-01-01,holiday,x\n", "schedule_header", None),
    ("date,kind,note\n2026-01-01,holiday,x\n", "schedule_rows", 2),
    ("date,kind,note\n2027-13-01,holiday,x\n", "schedule_rows", 2),
    ("date,kind,note\n2027-01-01,vacation,x\n", "schedule_rows", 2),
    ("date,kind,note\n2027-01-01,holiday,x\n2027-01-01,holiday,y\n", "schedule_rows", 3),
    ("date,kind,note\n", "schedule_empty", None),
])
def test_a_bad_schedule_file_is_refused_whole(app_ctx, text, code, line):
    with pytest.raises(DomainError) as refused:
        load_schedule({"year": 2027, "text": text, "source": "test"}, actor=None)
    assert refused.value.code == code
    if line:
        assert f"第 {line} 行" in refused.value.message
    db.session.rollback()
    with pytest.raises(calendar.NoCalendarData):
        calendar.is_workday(date(2027, 1, 4))


def test_warning_from_60_days_before_the_data_ends(app_ctx):
    assert calendar.coverage_warning(date(2026, 10, 31)) is None
    warning = calendar.coverage_warning(date(2026, 11, 2))
    assert warning["soon"] and warning["ends"] == date(2026, 12, 31) and warning["days_left"] == 59
    load_schedule({"year": 2027, "text": SCHEDULE, "source": "demo", "provisional": True}, actor=None)
    warning = calendar.coverage_warning(date(2026, 12, 1))
    assert not warning["soon"] and warning["provisional"] == [2027]


def _city_operator(make_user):
    from core.accounts import operations as ops
    from core.accounts.models import MemberRole, OrgKind

    ops.ensure_bureaus()
    db.session.commit()
    return make_user(OrgKind.CITY_BUREAU, role=MemberRole.ADMIN, org=ops.bureau_for(None))


def test_city_bureau_dashboard_warns_and_the_page_loads_a_file(client, login, make_user, clock):
    clock.set(datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc))
    login(_city_operator(make_user))
    page = client.get("/dashboard").get_data(as_text=True)
    assert "The working-day calendar ends on 2026-12-31" in page or "工作日历将于 2026-12-31 结束" in page
    form = client.get("/calendar/?lang=en").get_data(as_text=True)
    from io import BytesIO

    answer = client.post("/calendar/schedule", data={
        "csrf_token": csrf_token(form), "file-year": "2027", "file-source": "State Council notice (test)",
        "file-file": (BytesIO(SCHEDULE.encode()), "2027.csv"),
    }, content_type="multipart/form-data")
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    assert "ends on 2026-12-31" not in client.get("/dashboard?lang=en").get_data(as_text=True)
    bad = client.post("/calendar/schedule?lang=en", data={
        "csrf_token": csrf_token(form), "file-year": "2028", "file-source": "x",
        "file-file": (BytesIO(SCHEDULE.encode()), "2027.csv"),
    }, content_type="multipart/form-data")
    assert bad.status_code == 422 and "is not in 2028" in bad.get_data(as_text=True)


def test_district_bureau_may_not_edit_the_calendar(client, login, make_user):
    from core.accounts import operations as ops
    from core.accounts.models import MemberRole, OrgKind

    ops.ensure_bureaus()
    db.session.commit()
    login(make_user(OrgKind.DISTRICT_BUREAU, role=MemberRole.ADMIN, org=ops.bureau_for("310104")))
    assert client.get("/calendar/").status_code == 403
