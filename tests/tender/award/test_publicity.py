"""Candidate publicity: its periods at their boundaries, in calendar and in working days, and the
publicity page, the tender page's section and the timeline."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.clock import SHANGHAI
from tender.award.operations.periods import period_end
from tests.tender.award.conftest import SIGNED

US = timedelta(microseconds=1)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_calendar_days_end_at_the_end_of_the_third_day(app_ctx):
    values = {"award_periods_working_days": 0}
    # Tue 27 Oct 2026 10:00 + 3 days: to the end of Fri 30 Oct; a Friday + 3 runs over the weekend.
    assert period_end(SIGNED, 3, values) == local(2026, 10, 30, 23, 59, 59, 999999)
    assert period_end(local(2026, 10, 30, 9, 0), 3, values) == local(2026, 11, 2, 23, 59, 59, 999999)
    # An instant just after midnight counts from its own Shanghai day.
    assert period_end(local(2026, 10, 31, 0, 0), 3, values) == local(2026, 11, 3, 23, 59, 59, 999999)


def test_working_days_skip_weekends_and_the_national_day_holiday(app_ctx):
    values = {"award_periods_working_days": 1}
    # Fri 30 Oct + 3 working days: Mon 2, Tue 3, Wed 4 Nov.
    assert period_end(local(2026, 10, 30, 9, 0), 3, values) == local(2026, 11, 4, 23, 59, 59, 999999)
    # Wed 30 Sep 2026 + 3 working days passes the National Day holiday (1–7 Oct) and its make-up days.
    from core.calendar import add_working_days

    assert period_end(local(2026, 9, 30, 9, 0), 3, values).astimezone(SHANGHAI).date() == \
        add_working_days(local(2026, 9, 30).date(), 3)
    assert add_working_days(local(2026, 9, 30).date(), 3) > local(2026, 10, 7).date()


def test_publicity_window_boundaries_in_calendar_days(awarding, clock):
    tender, p, publicity, _bids = awarding()
    assert publicity.ends_at == local(2026, 10, 30, 23, 59, 59, 999999)
    assert publicity.due_at == local(2026, 10, 30, 23, 59, 59, 999999) and not publicity.late
    assert publicity.running(publicity.ends_at) and not publicity.ended(publicity.ends_at)
    assert publicity.ended(publicity.ends_at + US) and not publicity.running(publicity.ends_at + US)


def test_publicity_window_boundaries_in_working_days(awarding):
    # Published on Fri 30 Oct: three working days run to the end of Wed 4 Nov.
    tender, p, publicity, _bids = awarding(published_at=local(2026, 10, 30, 9, 0), working=True)
    assert publicity.ends_at == local(2026, 11, 4, 23, 59, 59, 999999)
    # The report was signed on Tue 27 Oct: three working days end on Fri 30 Oct, so this is on time.
    assert publicity.due_at == local(2026, 10, 30, 23, 59, 59, 999999) and not publicity.late


def test_a_late_publication_is_marked_and_on_the_bureaus_dashboard(awarding, login, client):
    tender, p, publicity, _bids = awarding(published_at=local(2026, 10, 31, 0, 0))
    assert publicity.late  # due at the end of Fri 30 Oct
    login(p["supervisor"])
    page = client.get("/dashboard").get_data(as_text=True)
    assert "award-title" in page and tender.community_name in page


def test_the_public_page_and_the_tender_page_show_the_candidates(awarding, client):
    tender, p, publicity, _bids = awarding()
    page = client.get(f"/tenders/{tender.id}/candidates?lang=en").get_data(as_text=True)
    for firm in p["firms"]:
        assert firm.name in page
    assert "项目经理1" in page and "PM-0001" in page and "2510000.00" in page and "89.50" in page
    detail = client.get(f"/tenders/{tender.id}?lang=en").get_data(as_text=True)
    assert 'id="award"' in detail and "Candidates published" in detail and "Publicity until" in detail
    assert "The project" in detail  # the page's own sections are still there
    api = client.get(f"/api/v1/tenders/{tender.id}/candidates").get_json()
    assert [c["rank"] for c in api["candidates"]] == [1, 2, 3] and api["late"] is False
