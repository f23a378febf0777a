"""Submitting, replacing and withdrawing sealed bids (递交、修改与撤回投标文件), and the bid security.

A bid exists only once its first envelope has arrived whole, inspected correctly and been stored:
the envelope comes through the resumable upload protocol (purpose ``bid``, :func:`accept_envelope`
is what runs when its last byte arrives), and the bid, its version, the stored blob key and the
signed receipt are written in that one transaction. The server's business clock at that moment
decides whether the bid is on time; no job needs to have run.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from core import clock
from core.accounts.models import Membership, User
from core.audit.operations import record_event
from core.blobs import BlobStore
from core.db import DomainError, NotFound, db
from core.jobs.queueing import call_after_commit
from core.uploads import Purpose
from tender import sealing
from tender.bidding.models import Bid, BidSecurity, BidStatus, BidVersion
from tender.sealing import receipts
from tender.sealing.models import CustodianKey
from tender.sealing.operations import custodian_list, issue_receipt
from tender.tenders.models import Tender, TenderState
from tender.tenders.operations.access import FIRM, capacity, membership_of, registration_of

PURPOSE = "bid"


class BidRefused(DomainError):
    """An envelope that is not a bid for this tender, bid and version (422: nothing was kept)."""

    status = 422


# --- who may do what, now ---------------------------------------------------------------------------

def bid_of(tender: Tender, firm_id: int) -> Bid | None:
    """The firm's bid for the tender, if it has sent one."""
    return db.session.scalar(sa.select(Bid).where(Bid.tender_id == tender.id, Bid.firm_id == firm_id))


def open_for_bids(tender: Tender, now: datetime) -> bool:
    return tender.state == TenderState.PUBLISHED and tender.phase(now) == "open_for_bids"


_UNREAD = object()


def bidding_actions(tender: Tender, membership: Membership | None, now: datetime, *, bid=_UNREAD) -> frozenset[str]:
    """What the bid page offers this membership at ``now``: submit, replace, withdraw, declare_security,
    see_receipts. ``bid`` is the firm's bid when the caller has read it already."""
    if capacity(tender, membership) != FIRM or registration_of(tender, membership) is None:
        return frozenset()
    if bid is _UNREAD:
        bid = bid_of(tender, membership.organisation_id)
    actions = {"see_receipts"} if bid is not None else set()
    if open_for_bids(tender, now):
        standing = bid is not None and bid.status == BidStatus.SUBMITTED
        actions.add("replace" if standing else "submit")
        if standing:
            actions.add("withdraw")
            if tender.bid_security_fen:
                actions.add("declare_security")
    return frozenset(actions)


REFUSALS = {
    "submit": lambda: _("Only a firm registered for this tender may send a bid, until the bid deadline."),
    "replace": lambda: _("Only a firm registered for this tender may replace its bid, until the bid deadline."),
    "withdraw": lambda: _("A bid can be withdrawn only by its firm, before the bid deadline."),
    "declare_security": lambda: _("The bid security is declared for a bid sent, before the bid deadline."),
}


def require(tender: Tender, membership: Membership | None, action: str, now: datetime, *, bid=_UNREAD) -> None:
    """Refuse (409, with the reason) an action the bid page would not have offered."""
    allowed = bidding_actions(tender, membership, now, bid=bid)
    if action in allowed or (action == "submit" and "replace" in allowed):
        return
    if tender.state == TenderState.PUBLISHED and not open_for_bids(tender, now) and tender.bid_deadline \
            and now >= tender.bid_deadline:
        raise DomainError(_("The bid deadline has passed: no bid is taken after %(deadline)s.",
                            deadline=clock.format_business(tender.bid_deadline)), code="deadline_passed")
    raise DomainError(REFUSALS.get(action, REFUSALS["submit"])(), code=f"{action}_not_allowed")


# --- what a firm seals to -------------------------------------------------------------------------

def bid_ref(tender: Tender, firm_id: int) -> str:
    """The bid id sealed in the firm's envelopes: its bid's, or (before the first) one derived from
    the platform's secret, so no row exists until a whole envelope has arrived."""
    existing = bid_of(tender, firm_id)
    if existing is not None:
        return existing.ref
    mac = hmac.new(current_app.config["SECRET_KEY"].encode(), f"bid:{tender.id}:{firm_id}".encode(), hashlib.sha256)
    return f"B{tender.id}-{mac.hexdigest()[:20]}"


def next_version(bid: Bid | None) -> int:
    return 1 if bid is None else max((v.version for v in bid.versions), default=0) + 1


def custodian_keys(tender: Tender) -> list[CustodianKey]:
    """The custodian keys the tender's bids are sealed to, in custodian order (noted at filing)."""
    from tender.tenders.models import TenderCustodian

    # One statement for the custodians and their keys (an unsettled custodian has no key).
    rows = db.session.execute(
        sa.select(TenderCustodian.key_id, CustodianKey)
        .outerjoin(CustodianKey, CustodianKey.key_id == TenderCustodian.key_id)
        .where(TenderCustodian.tender_id == tender.id).order_by(TenderCustodian.position)).all()
    if not rows or any(key is None for _key_id, key in rows):
        raise DomainError(_("This tender's custodian keys are not settled; bids cannot be sealed yet."),
                          code="keys_not_settled")
    return [key for _key_id, key in rows]


def upload_target(tender: Tender, version: int) -> str:
    return f"{tender.reference}/{version}"


def sealing_parameters(tender: Tender, membership: Membership) -> dict:
    """Everything the bid page (or ``flask seal``) needs to seal the firm's next version."""
    from tender.bidding import price_sheet

    bid = bid_of(tender, membership.organisation_id)
    version = next_version(bid)
    keys = custodian_keys(tender)
    return {
        "tender_id": tender.reference, "bid_id": bid_ref(tender, membership.organisation_id), "bid_version": version,
        "deadline": int(tender.bid_deadline.timestamp()), "threshold": tender.custodian_threshold,
        "custodians": custodian_list(tender.reference, tender.bid_deadline, tender.custodian_threshold, keys),
        "upload": {"purpose": PURPOSE, "target": upload_target(tender, version),
                   "max_bytes": current_app.config["BID_ENVELOPE_MAX_BYTES"]},
        "price_sheet": price_sheet.rules(tender),
        "bid_security_fen": tender.bid_security_fen,
    }


# --- the upload purpose ---------------------------------------------------------------------------

def _target(target: str) -> tuple[Tender, int]:
    ref, _sep, version = (target or "").rpartition("/")
    tender = _tender_by_reference(ref) if ref else None
    if tender is None or not version.isascii() or not version.isdigit():
        raise NotFound(_("No such tender."))
    return tender, int(version)


def _tender_by_reference(ref: str) -> Tender | None:
    """The tender, looked up once per request (a part asks for it several times)."""
    from flask import g, has_request_context

    cache = g.setdefault("bid_tenders", {}) if has_request_context() else {}
    if ref not in cache:
        cache[ref] = db.session.scalar(sa.select(Tender).where(Tender.reference == ref))
    return cache[ref]


def _authorise(user: User, target: str) -> None:
    tender, version = _target(target)
    membership = membership_of(user)
    bid = bid_of(tender, membership.organisation_id) if membership is not None else None
    require(tender, membership, "submit", clock.now(), bid=bid)
    expected = next_version(bid)
    if version != expected:
        raise BidRefused(_("Your next bid version is %(n)s: seal it again for that version.", n=expected),
                         code="wrong_version")


def _check_open(target: str, now: datetime) -> None:
    tender, _version = _target(target)
    if not open_for_bids(tender, now):
        if tender.bid_deadline is not None and now >= tender.bid_deadline:
            raise DomainError(_("The bid deadline has passed: no bid is taken after %(deadline)s.",
                                deadline=clock.format_business(tender.bid_deadline)), code="deadline_passed")
        raise DomainError(_("This tender takes no bids now."), code="not_open_for_bids")


def _max_bytes(_target_text: str) -> int:
    return current_app.config["BID_ENVELOPE_MAX_BYTES"]


def install(app) -> None:
    """Register the ``bid`` upload purpose."""
    from core.uploads import register_purpose

    register_purpose(app, Purpose(name=PURPOSE, authorise=_authorise, max_bytes=_max_bytes, check_open=_check_open,
                                  complete=lambda upload, path, *, actor: accept_envelope(upload, path, actor=actor)))


def lock_tender(tender: Tender) -> None:
    """Serialise receipts and closing of one tender: the signed list holds exactly the receipts
    before it. The tender's row is read again under the lock (its state may have moved)."""
    db.session.execute(sa.select(Tender).where(Tender.id == tender.id).with_for_update()
                       .execution_options(populate_existing=True))


def accept_envelope(upload, path, *, actor: User) -> dict:
    """The ``bid`` upload purpose's last step: take the whole uploaded envelope as the firm's next
    version (:func:`take_envelope`), at the server's clock now."""
    tender, version = _target(upload.target)
    row = take_envelope(tender, path, version, upload.client or {}, actor=actor)
    call_after_commit(path.unlink, missing_ok=True)  # the upload's own file; the envelope is stored
    return {"bid": row.bid.ref, "version": version, "envelope_sha256": row.envelope_sha256, "receipt": row.receipt}


def take_envelope(tender: Tender, path, version: int, client: dict, *, actor: User,
                  membership: Membership | None = None, now: datetime | None = None) -> BidVersion:
    """Take an envelope (a file in the blob store's temporary folder) as the firm's bid version
    ``version``, or refuse it with the reason.

    The envelope must inspect correctly for this tender, bid and version, the tender's custodians,
    threshold and deadline, and arrive before the deadline; then it is stored, the earlier version
    superseded, and the signed receipt appended to the tender's log. A refusal keeps nothing.
    """
    membership = membership_of(actor, membership)
    firm_id = membership.organisation_id
    ref = bid_ref(tender, firm_id)
    keys = custodian_keys(tender)
    try:
        with open(path, "rb") as fh:
            _header, sha = sealing.check_upload(
                fh, tender_id=tender.reference, bid_id=ref, bid_version=version, deadline=tender.bid_deadline,
                key_ids=[k.key_id for k in keys], threshold=tender.custodian_threshold)
    except sealing.SealError as exc:
        raise BidRefused(_("This is not a sealed bid for this tender: %(why)s", why=exc.message),
                         code="envelope_refused") from None

    # Stored before the lock, which receipts and closing share, so the lock is held briefly.
    stored = _store(path, sha)
    try:
        lock_tender(tender)
        now = now or clock.now()
        if not open_for_bids(tender, now):  # again, under the lock: the tender may have closed meanwhile
            _check_open(upload_target(tender, version), now)
        bid = bid_of(tender, firm_id)
        if next_version(bid) != version:
            raise BidRefused(_("This version was sent already; seal the next one."), code="wrong_version")
    except DomainError:
        if stored.created and not _referenced(stored.digest):
            BlobStore.from_config(current_app.config).path_for(stored.digest).unlink(missing_ok=True)
        raise
    previous = None
    if bid is None:
        bid = Bid(tender_id=tender.id, firm_id=firm_id, ref=ref, status=BidStatus.SUBMITTED, created_at=now)
        db.session.add(bid)
    else:
        previous = bid.current_version
    receipt = issue_receipt(tender.reference, ref, ref, version, sha, actor=actor, at=now)
    row = BidVersion(bid=bid, version=version, envelope_blob=stored.digest, envelope_sha256=sha,
                     envelope_size=stored.size, received_at=now, receipt=receipt, uploader_id=actor.id,
                     remote_addr=client.get("address") or "", user_agent=client.get("user_agent") or "",
                     device_id=client.get("device"))
    if previous is not None:
        previous.superseded_at = now
    # One flush: the bid (if new), the version, then the bid's current version (post_update).
    bid.current_version = row
    bid.status = BidStatus.SUBMITTED  # a withdrawn bid sent again before the deadline stands again
    db.session.flush()
    record_event("bid.replaced" if previous is not None else "bid.submitted", bid, actor=actor,
                 district=tender.district_code,
                 details={"tender": tender.reference, "version": version, "envelope_sha256": sha})
    return row


def _store(path, sha256: str):
    """Store the envelope under its digest, from a link to the upload's file: should the process
    die before the commit, the upload's own file is still there and the last part can be sent again."""
    import os
    import secrets

    blobs = BlobStore.from_config(current_app.config)
    link = path.parent / f"{path.stem}-{secrets.token_hex(4)}.envelope"
    os.link(path, link)
    try:
        return blobs.adopt(link, max_bytes=current_app.config["BID_ENVELOPE_MAX_BYTES"], sha256=sha256)
    finally:
        link.unlink(missing_ok=True)


def _referenced(digest: str) -> bool:
    return db.session.scalar(sa.select(BidVersion.id).where(BidVersion.envelope_blob == digest).limit(1)) is not None


# --- withdrawing, the security, the receipts ------------------------------------------------------

def withdraw_bid(tender: Tender, *, actor: User, membership: Membership | None = None,
                 now: datetime | None = None) -> Bid:
    """Withdraw the firm's bid before the deadline, with a signed withdrawal entry in the tender's log."""
    now = now or clock.now()
    membership = membership_of(actor, membership)
    require(tender, membership, "withdraw", now)
    lock_tender(tender)
    bid = bid_of(tender, membership.organisation_id)
    version = bid.current_version
    entry = issue_receipt(tender.reference, bid.ref, bid.ref, version.version, version.envelope_sha256, actor=actor,
                          entry_type=receipts.WITHDRAWAL_TYPE, at=now)
    version.withdrawn_at = now
    version.withdrawal_receipt = entry
    bid.status = BidStatus.WITHDRAWN
    db.session.flush()
    record_event("bid.withdrawn", bid, actor=actor, district=tender.district_code,
                 details={"tender": tender.reference, "version": version.version})
    return bid


def declare_security(tender: Tender, data: dict, *, actor: User, membership: Membership | None = None,
                     now: datetime | None = None) -> BidSecurity:
    """Record the bid security the firm paid (投标保证金): the tender's amount, the payer account and name."""
    now = now or clock.now()
    membership = membership_of(actor, membership)
    require(tender, membership, "declare_security", now)
    bid = bid_of(tender, membership.organisation_id)
    account = (data.get("payer_account") or "").strip()
    name = (data.get("payer_name") or "").strip()
    if not 6 <= len(account) <= 64 or not all(c.isascii() and (c.isdigit() or c in " -") for c in account):
        raise DomainError(_("Give the account the security was paid from (digits, 6 to 64)."), code="bad_account",
                          field="payer_account")
    if not 1 <= len(name) <= 200:
        raise DomainError(_("Give the account holder's name."), code="bad_name", field="payer_name")
    security = bid.security or BidSecurity(bid_id=bid.id)
    security.amount_fen, security.payer_account, security.payer_name = tender.bid_security_fen, account, name
    security.declared_at = now
    db.session.add(security)
    db.session.flush()
    record_event("bid.security_declared", bid, actor=actor, district=tender.district_code,
                 details={"tender": tender.reference, "amount_fen": tender.bid_security_fen})
    return security


def receipts_of(bid: Bid | None) -> list[dict]:
    """The firm's signed log entries for its bid, oldest first: a receipt per version, and withdrawals."""
    if bid is None:
        return []
    out = []
    for v in bid.versions:
        out.append({"kind": "receipt", "version": v.version, "signed": v.receipt, "at": v.received_at,
                    "envelope_sha256": v.envelope_sha256, "superseded_at": v.superseded_at})
        if v.withdrawal_receipt:
            out.append({"kind": "withdrawal", "version": v.version, "signed": v.withdrawal_receipt,
                        "at": v.withdrawn_at, "envelope_sha256": v.envelope_sha256, "superseded_at": None})
    return out
