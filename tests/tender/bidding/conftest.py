"""Bidding fixtures: the tender fixtures (a published tender with three custodians, k = 2), firms
registered for it with API tokens, and helpers that seal a bid with the custodians' keys and send
it through the resumable upload API."""

from __future__ import annotations

import io
import json

import pytest

from core.accounts.models import OrgKind
from tests.conftest import IsolatedClient
from tests.core.api.conftest import make_token  # noqa: F401  (fixture)
from tests.tender.tenders.conftest import make_tender, people  # noqa: F401  (fixtures)

PART = "application/offset+octet-stream"
MARKER = "MARKER-7f3c9e51-报价"


def price_sheet(tender, fee=250, **changes) -> dict:
    from tender.bidding.price_sheet import annual_total

    fees = {a.property_type.value: fee for a in tender.areas}
    data = {
        "schema_version": 1, "fee_model": tender.fee_model.value,
        "fees": [{"property_type": k, "fee_fen_per_m2_month": v} for k, v in fees.items()],
        "commission_rate_bp": None, "commission_fixed_fen": None, "annual_total_fen": annual_total(tender, fees),
        "labour_cost_monthly_fen": 9_000_000,
        "staffing": [{"post": "秩序维护", "headcount": 12, "monthly_cost_fen": 6_000_000},
                     {"post": "保洁", "headcount": 8, "monthly_cost_fen": 3_000_000}],
        "project_manager": {"name": "王经理", "certificate_no": "PM-2020-0001", "phone": "13800000000"},
        "contact": {"name": "李联系", "phone": "021-64000000"},
        "key_people": [],
    }
    data.update(changes)
    return data


def seal_bid(tender, bid_id: str, version: int = 1, *, sheet: dict | None = None, documents=None,
             keys: list[bytes] | None = None, tender_id: str | None = None, deadline=None, threshold=None) -> bytes:
    """An envelope sealed for the tender's custodians (or what is given instead)."""
    from tender import sealing
    from tender.bidding.operations import custodian_keys
    from tender.bidding.price_sheet import encode

    out = io.BytesIO()
    documents = documents if documents is not None else [
        sealing.Document.from_bytes("技术方案.pdf", b"%PDF-1.7 technical " + b"t" * 3000, "technical"),
        sealing.Document.from_bytes("营业执照.pdf", b"%PDF-1.7 licence " + b"q" * 1000, "qualification"),
    ]
    sealing.seal(out, tender_id=tender_id or tender.reference, bid_id=bid_id, bid_version=version,
                 deadline=deadline or tender.bid_deadline,
                 custodian_keys=keys or [k.public_key for k in custodian_keys(tender)],
                 threshold=threshold or tender.custodian_threshold,
                 price_sheet=encode(sheet or price_sheet(tender)), documents=documents)
    return out.getvalue()


class Bidder:
    """A registered firm's user with a bearer token, sending through the upload API."""

    def __init__(self, client, tender, user, token):
        self.client, self.tender, self.user = client, tender, user
        self.auth = {"Authorization": f"Bearer {token}", "X-Device-Id": f"device-{user.id:012d}-test"}

    @property
    def ref(self) -> str:
        from tender.bidding.operations import bid_ref

        return bid_ref(self.tender, self.user.active_memberships()[0].organisation_id)

    def parameters(self) -> dict:
        answer = self.client.get(f"/api/v1/tenders/{self.tender.id}/bid/parameters", headers=self.auth)
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()

    def start(self, length: int, version: int = 1, **headers):
        return self.client.post("/api/v1/uploads", headers={**self.auth, **headers}, json={
            "purpose": "bid", "target": f"{self.tender.reference}/{version}", "length": length})

    def patch(self, location: str, offset: int, data: bytes):
        return self.client.patch(location, data=data, content_type=PART,
                                 headers={**self.auth, "Upload-Offset": str(offset)})

    def send(self, envelope: bytes, version: int = 1, part: int = 1 << 20):
        """Send the envelope in parts; the last answer (200 with the receipt, or the refusal)."""
        started = self.start(len(envelope), version)
        if started.status_code != 201:
            return started
        location = started.headers["Location"]
        offset = 0
        while True:
            answer = self.patch(location, offset, envelope[offset:offset + part])
            if answer.status_code != 204:
                return answer
            offset = int(answer.headers["Upload-Offset"])


@pytest.fixture
def bidding(make_tender, make_org, make_user, make_token, app):  # noqa: F811
    """bidding(firms=3, **tender overrides) -> (tender, people, [Bidder]): a published tender and registered firms."""
    from core.extensions import db
    from tender.tenders import operations as tops

    def make(firms: int = 3, **overrides):
        tender, p = make_tender("published", **overrides)
        users = list(p["firm_users"])
        while len(users) < firms:
            users.append(make_user(OrgKind.FIRM, org=make_org(OrgKind.FIRM)))
        bidders = []
        for user in users[:firms]:
            tops.register_for_tender(tender, {}, actor=user)
            db.session.commit()
            # Each bidder's API client is its own: a page session in the test's client needs CSRF tokens.
            bidders.append(Bidder(IsolatedClient(app, app.response_class, use_cookies=True), tender, user, make_token(user, scopes=("tender:read", "tender:write"))))
        return tender, p, bidders

    return make


def receipt_payload(signed: dict) -> dict:
    import base64

    return json.loads(base64.b64decode(signed["payload"]))
