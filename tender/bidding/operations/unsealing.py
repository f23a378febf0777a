"""Opening every envelope once k custodians have submitted (开标解密), and publishing the record.

Each envelope is read once, streaming: its chunks are checked as they are decrypted and each
document goes into a staged blob file, placed under its digest only when the whole envelope has
verified, so an envelope that fails anywhere leaves no plaintext behind. Memory holds a few chunks
at a time, whatever the size of the bid. The envelope's SHA-256 (the check against the signed list)
and the writing of the documents run in threads beside the decryption, through a short queue. A bid
that cannot be opened is revoked when the envelope as received is at fault (the bidder sealed it so)
and lapses otherwise; the others are opened all the same. A price sheet that fails :func:`validate_price_sheet` makes its bid invalid, with the reason.
"""

from __future__ import annotations

import hashlib
import queue
import threading
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from core import clock
from core.audit.operations import record_event
from core.blobs import BlobError, StagedBlob
from core.db import db
from tender import sealing
from tender.bidding import opening_notices as notices
from tender.bidding.models.opening import BidDocument, BidPriceSheet, FailedTender, Opening, OpeningState
from tender.bidding.models.submission import Bid, BidStatus, BidVersion, SealedBidList
from tender.bidding.operations.opening import (
    BIDDER_FAULTS, _store, media_type_of, record_digest, sealed_versions,
)
from tender.bidding.price_sheet import decode, validate_price_sheet
from tender.sealing.operations import platform_key_document, receipt_log
from tender.sealing import receipts
from tender.tenders.models import Tender, TenderState
from tender.tenders.operations import tender_values, transition

S = TenderState


@dataclass
class Outcome:
    """What opening one bid gave: its new status and reason, the integrity check, the parsed sheet."""

    status: BidStatus
    reason: str | None = None
    integrity: str = "verified"  # verified | not_in_list | changed | not_opened
    sheet: dict | None = None
    documents: list = field(default_factory=list)  # (entry, StagedBlob)


def listed_envelopes(tender: Tender) -> dict[tuple[str, int], str]:
    """{(bid ref, version): envelope SHA-256} of the envelopes that stand, checked against the signed list.

    The receipt log must verify end to end and end at the head the signed checkpoint published at
    the deadline; an envelope stands if its receipt is in that log, no withdrawal entry follows it,
    and the signed list of sealed bids names its SHA-256. An unverifiable log or list lists nothing,
    so every bid lapses (the platform's fault, never a bidder's) rather than opening unchecked.
    """
    sealed = db.session.query(SealedBidList).filter_by(tender_id=tender.id).one_or_none()
    if sealed is None or not isinstance(sealed.signed, dict):
        return {}
    entries = receipt_log(tender.reference)
    keys = platform_key_document()
    try:
        payloads = receipts.verify_log(entries, keys, tender_id=tender.reference,
                                       checkpoint=sealed.signed.get("checkpoint"))
        named = None
        if "list" in sealed.signed:
            named = set(receipts.verify_sealed_list(sealed.signed["list"], keys, entries=entries)["envelopes"])
    except (sealing.ReceiptError, KeyError, TypeError):
        return {}
    standing: dict[tuple[str, int], str] = {}
    for p in payloads:
        key = (p["bid"], int(p["bid_version"]))
        if p.get("type") == receipts.RECEIPT_TYPE:
            standing[key] = p["envelope_sha256"]
        else:  # a withdrawal entry
            standing.pop(key, None)
    return {k: v for k, v in standing.items() if named is None or v in named}


def _not_opened(status: BidStatus, reason: str, integrity: str = "not_opened") -> Outcome:
    return Outcome(status, reason, integrity)


class _EnvelopeDigest(threading.Thread):
    """The stored envelope's SHA-256, read beside the decryption: hashlib and file reads release the
    GIL, so on a second core the check against the signed list costs no time of its own."""

    def __init__(self, path):
        super().__init__(name="envelope-digest", daemon=True)
        self.path, self.digest = path, None

    def run(self) -> None:
        hasher = hashlib.sha256()
        try:
            with open(self.path, "rb") as fh:
                while block := fh.read(1 << 20):
                    hasher.update(block)
        except OSError:
            return
        self.digest = hasher.hexdigest()


class _Writer(threading.Thread):
    """Writes the decrypted pieces to their staged blobs beside the decryption, through a short queue
    (memory stays bounded: at most QUEUED pieces of one chunk each are in flight)."""

    QUEUED = 32
    SYNC, STOP = object(), object()

    def __init__(self):
        super().__init__(name="bid-document-writer", daemon=True)
        self.queue: queue.Queue = queue.Queue(self.QUEUED)
        self.error: BaseException | None = None

    def run(self) -> None:
        while True:
            blob, piece = self.queue.get()
            if piece is self.STOP:
                return
            if self.error is not None:
                continue  # drain until told to stop
            try:
                if piece is self.SYNC:
                    blob.sync()
                else:
                    blob.write(piece)
            except BaseException as exc:  # handed to the decrypting thread by finish()
                self.error = exc

    def put(self, blob: StagedBlob, piece) -> None:
        self.queue.put((blob, piece))

    def finish(self) -> None:
        self.queue.put((None, self.STOP))
        self.join()
        if self.error is not None:
            raise self.error


def open_one(tender: Tender, bid: Bid, version: BidVersion, shares: list[sealing.KeyShare], failures: list[str],
             listed: dict) -> Outcome:
    """Open one envelope, all or nothing (see the module's note on faults)."""
    store = _store()
    if listed.get((bid.ref, version.version)) != version.envelope_sha256:
        return _not_opened(BidStatus.LAPSED, _("The envelope is not the one in the signed list of sealed bids."),
                           "not_in_list")
    changed = _not_opened(BidStatus.LAPSED, _("The stored envelope is missing or was changed in storage."), "changed")
    path = store.path_for(version.envelope_blob)
    if version.envelope_blob != version.envelope_sha256 or not path.is_file():
        return changed
    digest = _EnvelopeDigest(path)
    digest.start()
    if len(shares) < (tender.custodian_threshold or 2):
        digest.join()
        if digest.digest != version.envelope_sha256:
            return changed
        if any(code in BIDDER_FAULTS for code in failures):
            return _not_opened(BidStatus.REVOKED, _("The custodians' tools could not unwrap their shares: the "
                                                    "envelope was sealed wrongly (%(codes)s).",
                                                    codes=", ".join(sorted(set(failures)))))
        return _not_opened(BidStatus.LAPSED, _("Too few custodians could unwrap a share of this envelope."))
    staged: list[StagedBlob] = []
    outcome = Outcome(BidStatus.VALID)
    writer = _Writer()
    writer.start()
    failure = None
    try:
        try:
            with path.open("rb") as fh:
                opened = sealing.open_envelope(fh, shares, tender_id=tender.reference, bid_id=bid.ref,
                                               bid_version=version.version, verify_first=False)
                try:
                    raw = opened.price_sheet()
                    for entry, pieces in opened.documents():
                        blob = store.stage()
                        staged.append(blob)
                        for piece in pieces:
                            writer.put(blob, piece)
                        writer.put(blob, _Writer.SYNC)
                        outcome.documents.append((entry, blob))
                finally:
                    opened.forget()
        finally:
            writer.finish()
    except sealing.SealError as exc:
        failure = _not_opened(BidStatus.REVOKED, _("The envelope does not open: %(why)s", why=exc.message))
    except (OSError, BlobError):
        failure = _not_opened(BidStatus.LAPSED, _("The envelope could not be read from storage."))
    except BaseException:  # the run stops (the job is stopped or fails): no staged plaintext stays behind
        for blob in staged:
            blob.discard()
        raise
    digest.join()
    if digest.digest != version.envelope_sha256:
        failure = changed  # not the bytes received: whatever else went wrong, not the bidder's doing
    if failure is not None:
        for blob in staged:
            blob.discard()
        return failure
    clean, errors = validate_price_sheet(tender, decode(raw))
    if clean is None or errors:
        outcome.status = BidStatus.INVALID
        outcome.reason = _("The price sheet is not valid: %(errors)s",
                           errors="; ".join(f"{k}: {v}" if k else v for k, v in sorted((errors or {}).items())))
    else:
        outcome.sheet = clean
    return outcome


def _keep(bid: Bid, outcome: Outcome) -> None:
    """Place the staged documents and write the price sheet and document rows."""
    for position, (entry, blob) in enumerate(outcome.documents, start=1):
        stored = blob.place()
        db.session.add(BidDocument(bid_id=bid.id, part=entry.part or "technical", name=entry.name, blob=stored.digest,
                                   sha256=stored.digest, size=stored.size, media_type=media_type_of(entry.name),
                                   position=position))
    if outcome.sheet is not None:
        sheet = outcome.sheet
        db.session.add(BidPriceSheet(
            bid_id=bid.id, schema_version=sheet["schema_version"], fee_model=sheet["fee_model"], fees=sheet["fees"],
            commission_rate_bp=sheet.get("commission_rate_bp"), commission_fixed_fen=sheet.get("commission_fixed_fen"),
            annual_total_fen=sheet["annual_total_fen"], labour_cost_monthly_fen=sheet["labour_cost_monthly_fen"],
            staffing=sheet["staffing"], project_manager=sheet["project_manager"], contact=sheet["contact"],
            key_people=sheet.get("key_people") or []))


def run_opening(opening_id: int, *, now: datetime | None = None) -> bool:
    """The opening job's work: open the envelopes of an opening in progress; False if there is nothing to do.

    The opening's row is locked for the run (a second run waits, then finds it opened). Documents go
    under their digests as each envelope verifies; a run that stops half way leaves such blobs
    unreferenced, and the next run places the same bytes under the same digests again. Rows are only
    added to the session, which the job commits once at the end.
    """
    opening = db.session.scalar(sa.select(Opening).where(Opening.id == opening_id).with_for_update())
    if opening is None or opening.state != OpeningState.IN_PROGRESS:
        return False
    actor = opening.submissions[-1].user if opening.submissions else None
    open_bids(opening, actor=actor, now=now or clock.now())
    return True


def open_bids(opening: Opening, *, actor, now: datetime) -> Opening:
    """With k custodians in: open every envelope, publish the record, forget keys and erase the shares."""
    tender = db.session.get(Tender, opening.tender_id)
    opening.state = OpeningState.IN_PROGRESS
    opening.started_at = opening.started_at or now
    listed = listed_envelopes(tender)
    rows = []
    with force_locale("zh_CN"):  # the record and the reasons are in the official language of the ceremony
        for bid, version in sealed_versions(tender):
            key = str(version.id)
            shares = [sealing.KeyShare.decode(s.shares[key]) for s in opening.submissions if s.shares and key in s.shares]
            failures = [s.failures[key] for s in opening.submissions if key in (s.failures or {})]
            outcome = open_one(tender, bid, version, shares, failures, listed)
            del shares
            bid.status, bid.status_reason = outcome.status, outcome.reason
            _keep(bid, outcome)
            rows.append(_row(bid, version, outcome))
    for submission in opening.submissions:
        submission.shares, submission.erased_at = None, now
    valid = sum(1 for r in rows if r["status"] == BidStatus.VALID.value)
    opening.received, opening.valid, opening.invalid = len(rows), valid, len(rows) - valid
    opening.record = {
        "type": "tender-opening-record", "v": 1, "tender": tender.reference, "community": tender.community_name,
        "scheduled_at": opening.scheduled_at.isoformat(), "opened_at": now.isoformat(),
        "threshold": tender.custodian_threshold,
        "custodians": [s.user.name for s in opening.submissions],
        "statistics": {"received": opening.received, "valid": valid, "invalid": opening.invalid},
        "bids": rows,
    }
    opening.record_sha256 = record_digest(opening.record)
    opening.state, opening.completed_at = OpeningState.OPENED, now
    db.session.flush()
    record_event("bidding.opened", tender, actor=actor, district=tender.district_code,
                 details={"reference": tender.reference, "record_sha256": opening.record_sha256,
                          "received": opening.received, "valid": valid, "invalid": opening.invalid})
    minimum = int(tender_values(tender, now)["min_valid_bids"])
    if valid >= minimum:
        transition(tender, S.OPENED, actor=actor, details={"valid": valid})
        notices.tell_everyone(tender, notices.OPENED, {"valid": valid, "received": opening.received}, actor=actor)
    else:
        transition(tender, S.FAILED, actor=actor, details={"valid": valid, "minimum": minimum})
        db.session.add(FailedTender(tender_id=tender.id, valid_bids=valid, minimum=minimum, failed_at=now))
        db.session.flush()
        notices.tell_everyone(tender, notices.FAILED, {"valid": valid, "minimum": minimum}, actor=actor)
    return opening


def _row(bid: Bid, version: BidVersion, outcome: Outcome) -> dict:
    sheet = outcome.sheet or {}
    return {
        "bid": bid.ref, "bidder": bid.firm.name, "uscc": bid.firm.uscc, "version": version.version,
        "envelope_sha256": version.envelope_sha256, "integrity": outcome.integrity,
        "status": outcome.status.value, "reason": outcome.reason,
        "fee_model": sheet.get("fee_model"), "annual_total_fen": sheet.get("annual_total_fen"),
        "fees": sheet.get("fees"), "commission_rate_bp": sheet.get("commission_rate_bp"),
        "commission_fixed_fen": sheet.get("commission_fixed_fen"),
        "project_manager": (sheet.get("project_manager") or {}).get("name"),
        "documents": len(outcome.documents),
    }
