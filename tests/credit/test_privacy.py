"""Privacy scan: every public credit page and API answer over the demo data shows no ID number, no
complainant, no unpublished, expired or corrected record, and no text of facts or reasons."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from core.db import db, utcnow
from credit import pii
from credit.models import Complaint, CreditRecord, CreditSubject, ProjectManager

ID_NUMBER = re.compile(r"(?<![0-9A-Z])\d{17}[\dXx](?![0-9A-Z])")


@pytest.fixture
def demo_world(app_ctx):
    from core.demo import seed

    seed()
    db.session.commit()


def public_urls(client) -> list[str]:
    urls = ["/credit/", "/credit/verify", "/credit/complaint", "/credit/complaint/track", "/credit/untrustworthy"]
    for firm in db.session.scalars(sa.select(CreditSubject)):
        page = "agencies" if firm.is_agency else "firms"
        urls += [f"/credit/{page}/{firm.uscc}", f"/api/v1/credit/firms/{firm.uscc}",
                 f"/api/v1/credit/firms/{firm.uscc}/score", f"/api/v1/credit/firms/{firm.uscc}/eligibility",
                 f"/credit/?q={firm.name[2:4]}", f"/api/v1/credit/lookup?q={firm.name[2:5]}"]
    for manager in db.session.scalars(sa.select(ProjectManager)):
        urls += [f"/credit/managers/{manager.certificate_no}", f"/api/v1/credit/managers/{manager.certificate_no}"]
    for complaint in db.session.scalars(sa.select(Complaint)):
        urls.append(f"/credit/complaint/track?tracking_number={complaint.tracking_number}")
    return urls


def test_public_pages_and_api_reveal_nothing_private(app, client, demo_world):
    app.config["CREDIT_LOOKUP_PER_MINUTE"] = 0
    try:
        now = utcnow()
        records = db.session.scalars(sa.select(CreditRecord)).all()
        hidden = [r for r in records if not r.in_force(now)]
        shown = [r for r in records if r.in_force(now)]
        stages = {r.stage(now) for r in hidden}
        # The demo data holds every stage the scan must prove hidden.
        assert {"draft", "objection_window", "awaiting_decision", "decided", "dismissed", "corrected", "expired"} <= stages
        assert shown, "the demo data must publish something"
        secrets = [pii.decrypt_id(m.national_id_enc, m.certificate_no)
                   for m in db.session.scalars(sa.select(ProjectManager)) if m.national_id_enc]
        complaints = db.session.scalars(sa.select(Complaint)).all()
        people = [c.complainant_name for c in complaints] + [c.complainant_phone for c in complaints if c.complainant_phone]
        texts = [r.facts for r in records] + [r.decision_reasons for r in records if r.decision_reasons]
        texts += [c.description for c in complaints]
        bodies = []
        for url in public_urls(client):
            response = client.get(url)
            assert response.status_code in (200, 302), url
            bodies.append((url, response.get_data(as_text=True)))
        # A printable report of every firm, and its verification.
        for firm in db.session.scalars(sa.select(CreditSubject)):
            issued = client.post(f"/credit/firms/{firm.uscc}/report")
            report = client.get(issued.headers["Location"])
            bodies.append((issued.headers["Location"], report.get_data(as_text=True)))
        seen_refs = set()
        for url, body in bodies:
            assert not ID_NUMBER.search(body), f"{url} shows an ID-like number"
            for value in secrets + people + texts:
                assert value not in body, f"{url} shows private text {value[:12]!r}"
            seen_refs |= set(re.findall(r"CR\d{8}", body))
            for record in hidden:
                assert record.reference not in body and f'"{record.item.code}"' not in body or any(
                    r.item.code == record.item.code for r in shown), f"{url} shows hidden {record.reference}"
        assert {r.reference for r in shown} <= seen_refs
        assert not seen_refs & {r.reference for r in hidden}
    finally:
        app.config["CREDIT_LOOKUP_PER_MINUTE"] = 60
