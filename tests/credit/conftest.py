"""Credit fixtures: the reference data (emptied after every test) and factories for subjects and records."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone

import pytest

from core.accounts.models import MemberRole, OrgKind
from core.accounts.uscc import make as make_uscc

_n = itertools.count(1)


@pytest.fixture(autouse=True)
def credit_reference(request):
    """Catalogue, grades and policy, as the migration seeds them."""
    if "app" not in request.fixturenames and "app_ctx" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    from core.extensions import db
    from credit.operations import seed_catalogue

    with app.app_context():
        seed_catalogue()
        db.session.commit()
    yield


@pytest.fixture
def item(app_ctx):
    """item(code) -> the active catalogue's item with that code."""
    from credit.operations.catalogue import active_version

    def get(code: str):
        return next(i for i in active_version().items if i.code == code)

    return get


@pytest.fixture
def make_firm(app_ctx):
    from core.extensions import db
    from credit.operations import register_firm

    def make(name: str | None = None, **overrides):
        n = next(_n)
        data = {"uscc": make_uscc(f"91310115MA1K{n:05d}"), "name": name or f"上海测试物业管理有限公司{n}",
                "district_code": "310115"}
        data.update(overrides)
        firm = register_firm(data, actor=None)
        db.session.commit()
        return firm

    return make


@pytest.fixture
def make_manager(app_ctx):
    from core.extensions import db
    from credit.operations import register_manager

    def make(firm, **overrides):
        n = next(_n)
        data = {"certificate_no": f"WY{n:08d}", "name": f"经理{n}"}
        data.update(overrides)
        manager = register_manager(firm, data, actor=None)
        db.session.commit()
        return manager

    return make


def ago(**kw) -> datetime:
    return datetime.now(timezone.utc) - timedelta(**kw)


@pytest.fixture
def published_record(app_ctx, item):
    """published_record(subject, code, published_at=..., points=None) -> a record taken through due process."""
    from core.extensions import db
    from credit.models import Decision, RecordSource
    from credit.operations import decide_record, notify_record, open_record, publish_record

    def make(subject, code="SH-F-18-01", published_at=None, decision=Decision.UPHELD, points=None):
        published_at = published_at or ago(days=1)
        notified = published_at - timedelta(days=20)
        record = open_record(subject, {
            "item": item(code), "source": RecordSource.INSPECTION, "facts": "Inspection found the breach on site.",
            "occurred_on": (notified - timedelta(days=5)).date(), "district_code": "310115",
        }, actor=None)
        notify_record(record, actor=None, now=notified)
        decide_record(record, {"decision": decision, "reasons": "Facts confirmed by the inspection report.",
                               "points": points}, actor=None, now=published_at - timedelta(days=1))
        publish_record(record, actor=None, now=published_at)
        db.session.commit()
        return record

    return make


@pytest.fixture
def supervisor(make_user, make_org):
    """supervisor(district_code='310115', city=False) -> a verified bureau user."""

    def make(district_code: str = "310115", city: bool = False):
        kind = OrgKind.CITY_BUREAU if city else OrgKind.DISTRICT_BUREAU
        org = make_org(kind, district_code=None if city else district_code, name=f"房管局{next(_n)}")
        return make_user(kind=kind, role=MemberRole.MEMBER, org=org)

    return make


@pytest.fixture
def firm_user(make_user, make_org):
    """firm_user(subject) -> a user of a verified firm organisation linked to ``subject``."""
    from core.extensions import db

    def make(subject):
        org = make_org(OrgKind.FIRM, uscc=subject.uscc, name=subject.name)
        subject.organisation_id = org.id
        db.session.commit()
        return make_user(kind=OrgKind.FIRM, role=MemberRole.ADMIN, org=org)

    return make


__all__ = ["ago", "date"]
