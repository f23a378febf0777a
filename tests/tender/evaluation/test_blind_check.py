"""The blind check after the opening: technical PDFs scanned once for the bidder's identity, hits to the
bureau, who decides; clean bids need no decision."""

from __future__ import annotations

import pytest

from core.db import DomainError
from core.extensions import db
from tests.tender.evaluation.world import TECHNICAL


def test_a_proposal_naming_its_firm_goes_to_the_bureau_who_decides(opened, clock):
    from tender.evaluation.models import BlindCheck, BlindDecision
    from tender.evaluation.operations import blind

    def texts(index, firm):
        return TECHNICAL[index] + (f"\n本方案由{firm.name}编制。" if index == 1 else "")

    world = opened(texts=texts)
    assert blind.check_opened_tenders() == 3
    db.session.commit()
    assert blind.check_opened_tenders() == 0  # each bid is checked once
    checks = {c.bid_id: c for c in db.session.scalars(db.select(BlindCheck))}
    named = checks[world["bids"][1].id]
    assert named.decision == BlindDecision.PENDING and named.hits
    assert all(checks[b.id].decision == BlindDecision.NO_BREACH for b in (world["bids"][0], world["bids"][2]))
    firm_user = world["people"]["firm_users"][0]
    with pytest.raises(DomainError):
        blind.decide_blind_check(named, {"decision": "breach", "note": "x"}, actor=firm_user,
                                 membership=firm_user.memberships[0])
    supervisor = world["people"]["supervisor"]
    blind.decide_blind_check(named, {"decision": "breach", "note": "技术标中出现投标人名称和电话。"}, actor=supervisor,
                             membership=supervisor.memberships[0])
    db.session.commit()
    assert named.decision == BlindDecision.BREACH and named.decided_by_id == supervisor.id
    with pytest.raises(DomainError):
        blind.decide_blind_check(named, {"decision": "no_breach", "note": "again"}, actor=supervisor,
                                 membership=supervisor.memberships[0])


def test_the_bureau_sees_the_hits_on_the_panel_page_and_the_tenderer_does_not(client, login, logout, opened, clock):
    from tender.evaluation.operations import blind

    world = opened(texts=lambda index, firm: TECHNICAL[index] + (f"\n{firm.name}" if index == 0 else ""))
    blind.check_opened_tenders()
    db.session.commit()
    url = f"/evaluation/tenders/{world['tender'].id}/panel"
    login(world["people"]["supervisor"])
    assert world["bids"][0].firm.name in client.get(url).get_data(as_text=True)
    logout()
    login(world["people"]["officer"])
    assert world["bids"][0].firm.name not in client.get(url).get_data(as_text=True)
