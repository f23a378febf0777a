"""Evaluation fixtures: the city bureau, its supervisor, and experts with profiles."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timezone

import pytest

_n = itertools.count(1)
XUHUI, PUDONG = "310104", "310115"
# The business clock of these tests: a Monday morning in Shanghai.
NOW = datetime(2027, 3, 15, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
def now(clock, app_ctx):
    clock.set(NOW)
    return NOW


@pytest.fixture
def city(app_ctx):
    from core.accounts import operations as ops
    from core.extensions import db

    ops.ensure_bureaus()
    db.session.commit()
    return ops.bureau_for(None)


@pytest.fixture
def city_supervisor(city, make_user):
    from core.accounts.models import MemberRole

    return make_user(city.kind, role=MemberRole.ADMIN, org=city)


@pytest.fixture
def make_expert(city, now):
    """make_expert(specialty=, title=, since=, districts=, employer=(name, uscc), **profile) -> ExpertProfile."""
    from core.accounts.operations import create_expert
    from core.extensions import db
    from core.security import hash_password
    from tender.evaluation.operations import record_employment, update_profile

    def make(specialty="residential", title="senior_engineer", since=date(2010, 1, 1), districts=(XUHUI, PUDONG),
             employer=None, **profile):
        n = next(_n)
        membership, _created = create_expert(city, {"name": f"专家{n}", "email": f"expert{n}@example.com",
                                                    "specialty": specialty, "password_hash": hash_password("x")},
                                             actor=None)
        data = {"title": title, "practice_since": since, "districts": list(districts), **profile}
        result = update_profile(membership, data, actor=None)
        if employer is not None:
            name, code = employer
            record_employment(result, {"employer_name": name, "employer_uscc": code, "started_on": date(2015, 1, 1)},
                              actor=None)
        db.session.commit()
        return result

    return make


@pytest.fixture
def make_draft_tender(app_ctx, make_org, make_user):
    """make_draft_tender() -> a tender in draft, for the rows that name one (draws, conduct records)."""
    from core.accounts.models import OrgKind
    from core.extensions import db
    from tender.tenders.operations import create_tender

    def make():
        developer = make_org(OrgKind.DEVELOPER, district_code=XUHUI)
        officer = make_user(OrgKind.DEVELOPER, org=developer)
        tender = create_tender(developer, {"community_name": f"测试花园{next(_n)}"}, actor=officer)
        db.session.commit()
        return tender

    return make


@pytest.fixture
def draft_tender(make_draft_tender):
    return make_draft_tender()


from tests.tender.tenders.conftest import make_tender, people  # noqa: E402,F401  (fixtures)


@pytest.fixture
def opened(app, make_tender, make_expert, make_org, make_user, clock):
    """opened(bids=3, experts=8, scheme=None, prices=...) -> dict: an opened tender with valid bids and a pool."""
    from core.accounts.models import OrgKind
    from core.auth import totp as totp_codes
    from core.db import utcnow
    from core.extensions import db
    from tests.tender.evaluation.world import open_tender

    def make(bids: int = 3, experts: int = 8, scheme=None, prices=(1000000, 1050000, 980000), **options):
        pool = [make_expert(districts=(XUHUI,)) for _ in range(experts)]
        for profile in pool:
            user = profile.membership.user
            user.totp_secret, user.totp_enabled_at = totp_codes.new_secret(), utcnow()
        db.session.commit()
        tender, p = make_tender("published")
        if scheme is not None:
            tender.scheme = scheme(tender.scheme)
            db.session.commit()
        firms = list(p["firms"]) + [make_org(OrgKind.FIRM, name=f"上海第{n}物业服务有限公司") for n in range(bids - 2)]
        uploaders = list(p["firm_users"]) + [make_user(OrgKind.FIRM, org=f) for f in firms[2:]]
        made = open_tender(app, tender, firms[:bids], uploaders[:bids], list(prices)[:bids], clock=clock, **options)
        return {"tender": tender, "bids": made, "firms": firms[:bids], "experts": pool, "people": p}

    return make
