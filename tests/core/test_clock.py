"""The business clock: one "now" for rules, shared by every process, moved forward in the demo and
set freely by tests; never moved in production; security clocks ignore it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from core import clock
from core.clock.operations import advance_clock
from core.db import DomainError, db, utcnow
from tests.factories import csrf_token


def test_follows_the_real_time_until_moved(app_ctx):
    assert abs(clock.now() - utcnow()) < timedelta(seconds=2)


def test_tests_freeze_it_at_an_instant(app_ctx, clock):
    instant = datetime(2026, 9, 30, 1, 0, tzinfo=timezone.utc)
    clock.set(instant)
    assert clock_now() == instant
    clock.advance(timedelta(days=2))
    assert clock_now() == instant + timedelta(days=2)


def clock_now():
    from core import clock as business

    business.forget()
    return business.now()


def test_advance_only_forward(app_ctx):
    before = clock.now()
    after = advance_clock({"by": timedelta(days=3)}, actor=None)
    db.session.commit()
    assert after - before >= timedelta(days=3) - timedelta(seconds=1)
    with pytest.raises(DomainError):
        advance_clock({"to": before}, actor=None)


def test_production_refuses_to_move_it(app):
    app.config["BUSINESS_CLOCK_MOVABLE"] = False
    try:
        with app.app_context():
            with pytest.raises(DomainError):
                advance_clock({"by": timedelta(days=1)}, actor=None)
    finally:
        app.config["BUSINESS_CLOCK_MOVABLE"] = True


def test_operator_moves_it_from_the_page_and_other_roles_cannot(client, login, make_user):
    from core.accounts.models import OrgKind

    operator = make_user(OrgKind.OPERATOR)
    login(operator)
    page = client.get("/operator/clock/?lang=en")
    assert page.status_code == 200 and "Business time" in page.get_data(as_text=True)
    moved = client.post("/operator/clock/advance", data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                                         "amount": "2", "unit": "days"})
    assert moved.status_code == 302
    with client.application.app_context():
        assert clock.offset() > timedelta(days=1, hours=23)
    refused = client.post("/operator/clock/advance", data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                                           "amount": "0", "unit": "days"})
    assert refused.status_code == 422


def test_sign_in_codes_ignore_the_business_clock(client, login, make_user, clock):
    from core.accounts.models import OrgKind

    clock.set(utcnow() + timedelta(days=30))
    login(make_user(OrgKind.OPERATOR))  # a real-time TOTP code is accepted
    assert client.get("/dashboard").status_code == 200
