"""Demo bids (演示投标): sealed bids on the developer's published demo tender, and a tender whose
deadline has passed, closed with its signed list of sealed bids.

Every bid is sealed with the demo custodians' registered keys (their key files are under
``instance/demo-custodian-keys/``, passphrase ``demo-custodian-2026``, printed by the tenders
demo), so a newcomer can open them in the browser. The helpers :func:`submit_demo_bid` and
:func:`demo_tender_past_deadline` go through this stage's operations and are there for the later
stages' demos. Running the seeder again adds nothing.
"""

from __future__ import annotations

import io
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from core import clock
from core.accounts.models import User
from core.blobs import BlobStore
from core.db import db
from tender import sealing
from tender.bidding import price_sheet
from tender.bidding.models import BidVersion
from tender.bidding.operations import bid_of, close_tender, custodian_keys
from tender.bidding.operations.submission import bid_ref, next_version, take_envelope
from tender.tenders import demo as tenders_demo
from tender.tenders.models import Tender, TenderState

PUBLISHED = "徐汇滨江壹号苑"  # the tenders demo's published tender of the developer
CLOSED = "徐汇滨江望江苑"
MANAGERS = ("陈建平", "刘海燕", "马志明", "林晓东")
DEMO_CLIENT = {"address": "127.0.0.1", "user_agent": "demo seed", "device": None}


def demo_sheet(tender: Tender, fee_fen: int, manager: str, **changes) -> dict:
    """A plausible price sheet for the tender at ``fee_fen`` per m² and month, checked."""
    fees = {a.property_type.value: fee_fen for a in tender.areas}
    data = {
        "schema_version": price_sheet.SCHEMA_VERSION, "fee_model": tender.fee_model.value,
        "fees": [{"property_type": k, "fee_fen_per_m2_month": v} for k, v in fees.items()],
        "commission_rate_bp": 1000 if tender.fee_model.value == "commission" else None, "commission_fixed_fen": None,
        "annual_total_fen": price_sheet.annual_total(tender, fees), "labour_cost_monthly_fen": 33_600_000,
        "staffing": [{"post": "项目经理", "headcount": 1, "monthly_cost_fen": 1_800_000},
                     {"post": "秩序维护", "headcount": 18, "monthly_cost_fen": 14_400_000},
                     {"post": "保洁", "headcount": 14, "monthly_cost_fen": 8_400_000},
                     {"post": "绿化", "headcount": 4, "monthly_cost_fen": 2_800_000},
                     {"post": "工程维修", "headcount": 6, "monthly_cost_fen": 6_200_000}],
        "project_manager": {"name": manager, "certificate_no": f"SHWY-PM-{secrets.randbelow(9000) + 1000}",
                            "phone": "13800138000"},
        "contact": {"name": manager, "phone": "021-64001234"},
        "key_people": [],
    }
    data.update(changes)
    clean, errors = price_sheet.validate_price_sheet(tender, data)
    if errors:
        raise ValueError(f"demo price sheet: {errors}")
    return clean


def _documents(firm_name: str) -> list[sealing.Document]:
    pdf = tenders_demo.PDF
    return [
        sealing.Document.from_bytes("技术方案.pdf", pdf, "technical"),
        sealing.Document.from_bytes("商务文件.pdf", pdf, "business"),
        sealing.Document.from_bytes(f"{firm_name}营业执照.pdf", pdf, "qualification"),
    ]


def submit_demo_bid(tender: Tender, user: User, *, fee_fen: int, manager: str, now: datetime,
                    sheet: dict | None = None, documents: list[sealing.Document] | None = None,
                    envelope: bytes | None = None, client: dict | None = None) -> BidVersion:
    """Seal a bid for ``user``'s firm with the tender's custodian keys and take it through
    :func:`tender.bidding.operations.submission.take_envelope` at ``now``; the version received.

    ``envelope`` replaces the sealed bytes (a later stage's demo may send a bad envelope on purpose;
    it is refused unless it inspects correctly, as any upload would be); ``client`` replaces the
    address, user agent and device id recorded with the upload.
    """
    membership = user.active_memberships()[0]
    firm = membership.organisation
    version = next_version(bid_of(tender, firm.id))
    if envelope is None:
        out = io.BytesIO()
        sealing.seal(out, tender_id=tender.reference, bid_id=bid_ref(tender, firm.id), bid_version=version,
                     deadline=tender.bid_deadline, custodian_keys=[k.public_key for k in custodian_keys(tender)],
                     threshold=tender.custodian_threshold,
                     price_sheet=price_sheet.encode(sheet or demo_sheet(tender, fee_fen, manager)),
                     documents=documents if documents is not None else _documents(firm.name))
        envelope = out.getvalue()
    store = BlobStore.from_config(current_app.config)
    folder = store.root / "tmp" / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_hex(8)}.envelope"
    path.write_bytes(envelope)
    try:
        return take_envelope(tender, path, version, client or DEMO_CLIENT, actor=user, membership=membership, now=now)
    finally:
        path.unlink(missing_ok=True)


def demo_tender_past_deadline(world, name: str, *, days_ago: int = 10) -> tuple[Tender, list[User]]:
    """A developer's tender announced in the past whose bid deadline was ``days_ago`` days ago, with
    up to three registered firms (their users returned), built with the tenders stage's demo steps."""
    now = clock.now().replace(microsecond=0)
    started = now - timedelta(days=15 + days_ago)  # the deadline falls 30 days after the announcement
    officer = world.developer.memberships[0].user
    xuhui = world.supervisors[world.developer.district_code][0]
    custodians = [officer, world.city_supervisor, xuhui]
    announced_on = (started - timedelta(days=15)).astimezone(clock.SHANGHAI).date()
    tender = tenders_demo._draft(world.developer, officer, name, custodians, now=started, announced_on=announced_on)
    tenders_demo._take(tender, "published", officer, xuhui, world.firms, [f.memberships[0].user for f in world.firms],
                       now=started)
    db.session.flush()
    return tender, _registered_users(tender)


def _registered_users(tender: Tender) -> list[User]:
    from tender.tenders.models import Registration

    rows = db.session.scalars(sa.select(Registration).where(Registration.tender_id == tender.id)
                              .order_by(Registration.id))
    return [r.firm.memberships[0].user for r in rows]


def seed(world) -> list[tuple[str, str, str]]:
    """Add the demo bids and the closed tender; returns no new logins."""
    now = clock.now().replace(microsecond=0)
    by_name = {t.community_name: t for t in db.session.scalars(sa.select(Tender))}

    published = by_name.get(PUBLISHED)
    if published is not None and published.state == TenderState.PUBLISHED:
        users = _registered_users(published)
        # Two of the registered firms have sent bids; the third is left to try the bid page.
        for i, user in enumerate(users[:2]):
            if bid_of(published, user.active_memberships()[0].organisation_id) is None:
                submit_demo_bid(published, user, fee_fen=265 + 10 * i, manager=MANAGERS[i],
                                now=now - timedelta(hours=5 - i))

    if CLOSED not in by_name:
        tender, _ = demo_tender_past_deadline(world, CLOSED)
        deadline = tender.bid_deadline
        for i, user in enumerate(_registered_users(tender)):
            submit_demo_bid(tender, user, fee_fen=255 + 12 * i, manager=MANAGERS[i], now=deadline - timedelta(days=3))
        users = _registered_users(tender)
        if users:  # the first firm replaced its bid the day before the deadline
            submit_demo_bid(tender, users[0], fee_fen=249, manager=MANAGERS[0], now=deadline - timedelta(days=1))
        close_tender(tender, now=deadline)
        db.session.flush()
        print(f"Demo closed tender {tender.reference} ({CLOSED}): sealed list at "
              f"/tenders/{tender.id}/sealed-bids; open it with the custodian key files above.")
    return []


__all__ = ["demo_sheet", "demo_tender_past_deadline", "submit_demo_bid"]
