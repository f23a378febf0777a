"""Award fixtures: a tender whose bids were opened and evaluated, with its candidates published.

The standard timeline of tests/tender/tenders, then: the report signed on Tue 27 Oct 2026 at 10:00
Shanghai time and the candidates published at once, so the publicity runs to the end of Fri 30 Oct
(three calendar days) by default.
"""

from __future__ import annotations

import itertools

import pytest

from core.clock import SHANGHAI
from tests.tender.tenders.conftest import assembly_world, make_tender, people  # noqa: F401  (fixtures)

from datetime import datetime

SIGNED = datetime(2026, 10, 27, 10, 0, tzinfo=SHANGHAI)
_n = itertools.count(1)


@pytest.fixture(autouse=True)
def credit_catalogue(request):
    """The conduct catalogue, as the credit migration seeds it (the award stage opens records from it)."""
    if "app" not in request.fixturenames and "app_ctx" not in request.fixturenames:
        yield
        return
    from core.extensions import db
    from credit.operations import seed_catalogue

    with request.getfixturevalue("app").app_context():
        seed_catalogue()
        db.session.commit()
    yield


@pytest.fixture
def awarding(make_tender, make_org, make_user, clock):
    """awarding(owners=False, published_at=SIGNED, working=False) -> (tender, people, publicity, bids):
    three valid bids with securities and their firms ranked as candidates under publicity."""
    from core.accounts.models import OrgKind
    from core.extensions import db
    from tender.tenders.models import TenderState
    from tests.tender.award.helpers import add_bids, publish_rows

    def make(*, owners: bool = False, published_at=SIGNED, working: bool = False, world=None):
        tender, p = make_tender("published", owners=owners, world=world)
        third = make_org(OrgKind.FIRM, name=f"上海第三测试物业{next(_n)}有限公司")
        p["firms"].append(third)
        p["firm_users"].append(make_user(OrgKind.FIRM, org=third))
        if working:
            tender.procedure_values = {**tender.procedure_values, "award_periods_working_days": 1}
        tender.state = TenderState.EVALUATING
        bids = add_bids(tender, p["firms"])
        publicity = publish_rows(tender, p["firms"], signed_at=SIGNED, published_at=published_at, bids=bids)
        db.session.commit()
        clock.set(published_at)
        return tender, p, publicity, bids

    return make
