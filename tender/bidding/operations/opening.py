"""The opening ceremony (开标): custodians submit their shares, and with k of them every envelope is opened.

Each custodian unwraps their share of every bid on their own device (the browser page, or the
``seal unwrap-shares`` command whose shares file the page uploads) and submits only the shares.
With k custodians in, the platform opens each envelope once, streaming, checks it against the
signed list of sealed bids, parses the price sheet with the submission page's own validator, keeps
the documents in blob storage and publishes the opening record; the file keys are forgotten and
the shares erased. Too few custodians by the set time postpone the ceremony; it is never forced.
"""

from __future__ import annotations

import base64
import hashlib
import json
import mimetypes
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as sa_orm
from flask import current_app
from flask_babel import gettext as _

from core import clock
from core.accounts.models import Membership, User
from core.audit.operations import record_event
from core.blobs import BlobStore
from core.db import DomainError, NotFound, db
from tender import sealing
from tender.bidding import opening_notices as notices
from tender.bidding.models.opening import (
    BidDocument, FailedTender, Opening, OpeningConfirmation, OpeningObjection, OpeningState,
    ShareSubmission,
)
from tender.bidding.models.submission import Bid, BidStatus, BidVersion
from tender.tenders.models import Tender, TenderCustodian, TenderState
from tender.tenders.operations import capacity, tender_values
from tender.tenders.operations.access import AGENCY, BUREAU, FIRM, MANAGER

S = TenderState
# Codes a custodian's tool reports for an envelope it cannot unwrap that come from the envelope as the
# bidder sealed it (its bytes are the ones received, checked against the signed list): the bidder's fault.
BIDDER_FAULTS = frozenset({"tampered_envelope", "malformed_envelope", "bad_share", "wrong_tender"})
MAX_OBJECTION = 2000


# --- who is at the ceremony ----------------------------------------------------------------------------------

def custodian_of(tender: Tender, user: User | None) -> TenderCustodian | None:
    """The user's place among the tender's custodians, if they hold a share."""
    if user is None or not getattr(user, "is_authenticated", True):
        return None
    return next((c for c in tender.custodians if c.user_id == user.id), None)


def bid_of_firm(tender: Tender, firm_id: int) -> Bid | None:
    return db.session.scalar(sa.select(Bid).where(Bid.tender_id == tender.id, Bid.firm_id == firm_id))


def attending_bid(tender: Tender, membership: Membership | None) -> Bid | None:
    """The bid of the firm this membership acts for, if it bid on this tender (it attends the opening)."""
    if capacity(tender, membership) != FIRM:
        return None
    bid = bid_of_firm(tender, membership.organisation_id)
    return bid if bid is not None and bid.current_version_id is not None else None


def roles_at(tender: Tender, membership: Membership | None, user: User | None) -> frozenset[str]:
    """custodian, manager (tenderer or its agency), bureau, bidder: the parts this person plays here."""
    found = set()
    if custodian_of(tender, user) is not None:
        found.add("custodian")
    who = capacity(tender, membership)
    if who in (MANAGER, AGENCY):
        found.add("manager")
    elif who == BUREAU:
        found.add("bureau")
    elif attending_bid(tender, membership) is not None:
        found.add("bidder")
    return frozenset(found)


def may_attend(tender: Tender, membership: Membership | None, user: User | None) -> bool:
    """Whether the ceremony page and its status are for this person (after the deadline only)."""
    return tender.state in (S.CLOSED, S.OPENED, S.EVALUATING, S.CANDIDATES_PUBLISHED, S.AWARDED, S.CONTRACTED,
                            S.FAILED) and bool(roles_at(tender, membership, user))


# --- the ceremony's timetable ----------------------------------------------------------------------------------

def opening_of(tender: Tender) -> Opening | None:
    return db.session.scalar(sa.select(Opening).where(Opening.tender_id == tender.id))


def _quorum_minutes(tender: Tender, now: datetime) -> int:
    return int(tender_values(tender, now)["opening_quorum_minutes"])


def ensure_opening(tender: Tender, now: datetime) -> Opening:
    """The tender's opening, made when first needed: at the announced opening time."""
    opening = opening_of(tender)
    if opening is None:
        scheduled = tender.opening_at or tender.bid_deadline
        opening = Opening(tender_id=tender.id, scheduled_at=scheduled,
                          quorum_due_at=scheduled + timedelta(minutes=_quorum_minutes(tender, now)))
        db.session.add(opening)
        db.session.flush()
    return opening


@dataclass(frozen=True)
class Timetable:
    state: str
    scheduled_at: datetime | None
    quorum_due_at: datetime | None


def timetable(tender: Tender, opening: Opening | None, now: datetime) -> Timetable:
    """Where the ceremony stands, from the stored facts (a GET writes nothing, so a missing row is computed)."""
    if opening is None:
        scheduled = tender.opening_at or tender.bid_deadline
        due = scheduled + timedelta(minutes=_quorum_minutes(tender, now)) if scheduled else None
        return Timetable(OpeningState.WAITING.value, scheduled, due)
    return Timetable(opening.state.value, opening.scheduled_at, opening.quorum_due_at)


def accepting_shares(tender: Tender, opening: Opening | None, now: datetime) -> bool:
    plan = timetable(tender, opening, now)
    return (tender.state == S.CLOSED and plan.state in (OpeningState.WAITING.value, OpeningState.POSTPONED.value)
            and plan.scheduled_at is not None and now >= plan.scheduled_at)


def allowed_opening_actions(tender: Tender, membership: Membership | None, user: User | None,
                            now: datetime) -> frozenset[str]:
    """What the ceremony page offers this person now."""
    from tender.tenders.operations.access import membership_of

    membership = membership_of(user, membership)
    roles = roles_at(tender, membership, user)
    opening = opening_of(tender)
    actions = set()
    if "custodian" in roles and accepting_shares(tender, opening, now):
        submitted = opening is not None and any(s.user_id == user.id for s in opening.submissions)
        if not submitted:
            actions.add("submit_shares")
    plan = timetable(tender, opening, now)
    ongoing = tender.state in (S.CLOSED, S.OPENED, S.FAILED) and plan.state != OpeningState.POSTPONED.value \
        and plan.scheduled_at is not None and now >= plan.scheduled_at
    failure = failure_of(tender)
    if failure is not None and failure.path is not None:
        ongoing = False
    if "bidder" in roles:
        if ongoing:
            actions.add("object")
        if opening is not None and opening.state == OpeningState.OPENED:
            bid = attending_bid(tender, membership)
            if not any(c.firm_id == bid.firm_id for c in opening.confirmations):
                actions.add("confirm")
            actions.add("read_record")
    if "manager" in roles:
        if opening is not None and any(o.answer is None for o in opening.objections):
            actions.add("answer")
        if opening is not None and opening.state == OpeningState.OPENED:
            actions.add("read_record")
        if tender.state == S.FAILED and failure is not None and failure.path is None:
            actions |= {"retender", "request_negotiation"}
    if "bureau" in roles:
        if opening is not None and opening.state == OpeningState.OPENED:
            actions.add("read_record")
        if failure is not None and failure.negotiation_state is not None \
                and failure.negotiation_state.value == "requested":
            actions.add("decide_negotiation")
    if "custodian" in roles and opening is not None and opening.state == OpeningState.OPENED:
        actions.add("read_record")
    return frozenset(actions)


def require_opening_action(tender: Tender, membership, user, action: str, now: datetime) -> None:
    if action not in allowed_opening_actions(tender, membership, user, now):
        raise DomainError(REFUSALS.get(action, lambda: _("This is not possible at this stage of the opening."))(),
                          code=f"{action}_not_allowed")


REFUSALS = {
    "submit_shares": lambda: _("Shares are taken only from this tender's custodians, once each, from the opening "
                               "time until the bids are opened."),
    "object": lambda: _("Only a bidder may object, during the opening ceremony."),
    "confirm": lambda: _("Only a bidder may confirm the opening record, once, after the opening."),
    "answer": lambda: _("Only the tenderer or its agency answers objections at the opening."),
}


# --- what a custodian unwraps ---------------------------------------------------------------------------------

def sealed_versions(tender: Tender) -> list[tuple[Bid, BidVersion]]:
    """Every bid still standing with its final envelope, by bid id (what the opening opens)."""
    rows = db.session.execute(
        sa.select(Bid, BidVersion).join(BidVersion, Bid.current_version_id == BidVersion.id)
        .where(Bid.tender_id == tender.id, BidVersion.withdrawn_at.is_(None),
               Bid.status.in_([BidStatus.SUBMITTED, BidStatus.VALID, BidStatus.INVALID, BidStatus.REVOKED,
                               BidStatus.LAPSED]))
        .order_by(Bid.id).options(sa_orm.joinedload(Bid.firm))
    ).all()
    return [(bid, version) for bid, version in rows]


def _store() -> BlobStore:
    return BlobStore.from_config(current_app.config)


def _header(version: BidVersion):
    with _store().path_for(version.envelope_blob).open("rb") as fh:
        return sealing.inspect(fh)


def envelope_headers(tender: Tender) -> list[dict]:
    """The headers (no secret in them) a custodian's tool unwraps its shares from, one per bid."""
    out = []
    for bid, version in sealed_versions(tender):
        try:
            raw = _header(version).raw
        except (OSError, sealing.SealError):
            raw = None
        out.append({"version_id": version.id, "bid": bid.ref, "bid_version": version.version,
                    "envelope_sha256": version.envelope_sha256,
                    "header": base64.b64encode(raw).decode() if raw is not None else None})
    return out


# --- submitting shares ------------------------------------------------------------------------------------------

def submit_shares(tender: Tender, data: dict, *, actor: User, membership=None, now: datetime | None = None,
                  via: str = "browser") -> ShareSubmission:
    """Take a custodian's shares ({version id: share hex}) and reports ({version id: error code}); the k-th opens."""
    now = now or clock.now()
    if not actor.has_second_factor:
        raise DomainError(_("Custodians take part in the opening only after signing in with a second factor."),
                          code="second_factor_required")
    require_opening_action(tender, membership, actor, "submit_shares", now)
    custodian = custodian_of(tender, actor)
    shares_in, failures_in = data.get("shares") or {}, data.get("failures") or {}
    if not isinstance(shares_in, dict) or not isinstance(failures_in, dict):
        raise DomainError(_("Send the shares as an object of bid version ids."), code="bad_shares")
    versions = {str(v.id): v for _b, v in sealed_versions(tender)}
    unknown = (set(shares_in) | set(failures_in)) - set(versions)
    if unknown:
        raise DomainError(_("These are not bids of this tender: %(ids)s.", ids=", ".join(sorted(unknown))),
                          code="unknown_bid")
    key_id = bytes.fromhex(custodian.key_id) if custodian.key_id else None
    shares = {}
    for vid, text in shares_in.items():
        try:
            share = sealing.KeyShare.decode(text)
        except sealing.BadShare as exc:
            raise DomainError(exc.message, code="bad_share") from None
        try:
            header = _header(versions[vid])
        except (OSError, sealing.SealError):
            failures_in.setdefault(vid, "unreadable")
            continue
        if not sealing.share_matches(header, share, key_id):
            raise DomainError(_("The share for bid %(bid)s is not your share of that envelope; unwrap it again with "
                                "your key file.", bid=versions[vid].bid.ref), code="wrong_share")
        shares[vid] = share.encode()
    missing = set(versions) - set(shares) - set(failures_in)
    if missing:
        raise DomainError(_("Give a share, or the reason your tool could not unwrap it, for every bid."),
                          code="shares_missing")
    opening = ensure_opening(tender, now)
    if opening.state == OpeningState.POSTPONED:
        opening.state = OpeningState.WAITING
    failures = {vid: str(code)[:40] for vid, code in failures_in.items()}
    submission = ShareSubmission(opening_id=opening.id, opening=opening, custodian_id=custodian.id,
                                 user_id=actor.id, key_id=custodian.key_id or "", shares=shares, failures=failures,
                                 via=via if via in ("browser", "cli") else "browser", submitted_at=now)
    db.session.add(submission)
    db.session.flush()
    record_event("bidding.shares_submitted", tender, actor=actor, district=tender.district_code,
                 details={"reference": tender.reference, "position": custodian.position, "via": submission.via,
                          "shares": len(shares), "failures": failures})
    if len(opening.submissions) >= (tender.custodian_threshold or 2):
        start_opening(opening, tender, actor=actor, now=now)
    return submission


def start_opening(opening: Opening, tender: Tender, *, actor: User, now: datetime) -> Opening:
    """k shares are in: the ceremony is in progress and a job opens the envelopes after this commit.

    Opening a large tender takes longer than a request may; the job (:func:`tender.bidding.opening_tasks.open_bids`)
    takes the opening's id, and the pages polling the status show the progress, then the record.
    """
    from core.jobs.queueing import enqueue_after_commit
    from tender.bidding import opening_tasks

    opening.state, opening.started_at = OpeningState.IN_PROGRESS, now
    db.session.flush()
    record_event("bidding.opening_started", tender, actor=actor, district=tender.district_code,
                 details={"reference": tender.reference, "submitted": len(opening.submissions)})
    enqueue_after_commit(opening_tasks.open_bids, opening.id, job_id=opening_job_id(opening),
                         job_timeout=int(current_app.config["OPENING_JOB_TIMEOUT"]))
    return opening


def opening_job_id(opening: Opening) -> str:
    """One job id per opening, so a resubmission while a run is queued is not queued twice."""
    return f"bid-opening-{opening.id}"


# An opening in progress this long with no opening job queued or running lost its job (Redis was away
# when the k-th share was committed, or the run failed); the sweep queues it again, at most this many times.
STALL_AFTER = timedelta(minutes=5)
MAX_OPENING_RUNS = 3
RUNS_META = "opening_runs"  # job meta: how many runs of this opening's job were queued
ALIVE = frozenset({"queued", "started", "scheduled", "deferred"})


def resume_stalled_openings(now: datetime | None = None) -> int:
    """Queue the opening job again for openings stuck in progress; returns how many were queued.

    The job is looked up by its fixed id. Queued, started or scheduled: left alone. Absent (never reached
    Redis), finished while the opening is still in progress, or failed (a failed run rolled back, so a new
    run is safe): queued again, counting the runs in the job's meta. After :data:`MAX_OPENING_RUNS` runs
    the failed job is left in the failed list (the operators' job pages show it and can retry it) and an
    audit event tells operators and the bureau once. Also removes staged files older than the job's timeout:
    they were left by a killed run and may hold decrypted documents.
    """
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    from core.extensions import rq
    from tender.bidding import opening_tasks

    now = now or clock.now()
    timeout = int(current_app.config["OPENING_JOB_TIMEOUT"])
    _store().remove_stale_staged(timeout)
    stuck = db.session.scalars(
        sa.select(Opening).where(Opening.state == OpeningState.IN_PROGRESS, Opening.started_at < now - STALL_AFTER)
        .order_by(Opening.id)
    ).all()
    queue = rq.get_queue(opening_tasks.open_bids.queue)
    count = 0
    for opening in stuck:
        job_id = opening_job_id(opening)
        try:
            job = Job.fetch(job_id, connection=queue.connection)
        except NoSuchJobError:
            job = None
        if job is not None and job.get_status(refresh=True).value in ALIVE:
            continue
        runs = int(job.meta.get(RUNS_META, 1)) if job is not None else 0
        if runs >= MAX_OPENING_RUNS:
            if job is not None and not job.meta.get("stalled_reported"):
                tender = db.session.get(Tender, opening.tender_id)
                record_event("bidding.opening_stalled", tender, district=tender.district_code,
                             details={"reference": tender.reference, "job_id": job_id, "runs": runs})
                job.meta["stalled_reported"] = True
                job.save_meta()
                current_app.logger.error("opening %s failed %s runs; left for an operator", opening.id, runs)
            continue
        if job is not None:
            job.delete()  # off the failed or finished registry, so the id can be queued again
        opening_tasks.open_bids.enqueue(opening.id, job_id=job_id, job_timeout=timeout, meta={RUNS_META: runs + 1})
        count += 1
    return count


def status(tender: Tender, now: datetime, *, with_names: bool = True) -> dict:
    """The ceremony's k-of-n progress, counts and what happened (polled by every page at the ceremony)."""
    opening = opening_of(tender)
    plan = timetable(tender, opening, now)
    done = {s.custodian_id: s for s in (opening.submissions if opening else [])}
    custodians = [{"position": c.position, "name": c.user.name if with_names else None,
                   "submitted": c.id in done, "submitted_at": done[c.id].submitted_at.isoformat() if c.id in done else None}
                  for c in tender.custodians]
    answer = {
        "tender": tender.reference, "tender_state": tender.state.value, "state": plan.state,
        "scheduled_at": plan.scheduled_at.isoformat() if plan.scheduled_at else None,
        "quorum_due_at": plan.quorum_due_at.isoformat() if plan.quorum_due_at else None,
        "postponed_until": opening.postponed_until.isoformat() if opening and opening.postponed_until else None,
        "threshold": tender.custodian_threshold, "custodians_total": len(tender.custodians),
        "submitted": len(done), "custodians": custodians,
        "received": opening.received if opening and opening.state == OpeningState.OPENED else None,
        "valid": opening.valid if opening and opening.state == OpeningState.OPENED else None,
        "invalid": opening.invalid if opening and opening.state == OpeningState.OPENED else None,
        "record_sha256": opening.record_sha256 if opening else None,
        "objections": len(opening.objections) if opening else 0,
        "server_time": now.isoformat(),
    }
    return answer


def statistics(tender: Tender) -> dict:
    """What the public sees of an opening: how many bids were received, valid and invalid."""
    opening = opening_of(tender)
    if opening is None or opening.state != OpeningState.OPENED:
        return {"tender": tender.reference, "opened": False}
    return {"tender": tender.reference, "opened": True, "opened_at": opening.completed_at.isoformat(),
            "received": opening.received, "valid": opening.valid, "invalid": opening.invalid}


# --- postponement ---------------------------------------------------------------------------------------------

def postpone_overdue_openings(now: datetime | None = None) -> int:
    """Postpone every ceremony whose custodians did not reach k by the set time, with notice to everyone."""
    now = now or clock.now()
    tenders = db.session.scalars(sa.select(Tender).where(Tender.state == S.CLOSED)).all()
    count = 0
    for tender in tenders:
        opening = ensure_opening(tender, now)
        if opening.state == OpeningState.WAITING and now > opening.quorum_due_at \
                and len(opening.submissions) < (tender.custodian_threshold or 2):
            postpone_opening(opening, tender, now=now)
            count += 1
    return count


def postpone_opening(opening: Opening, tender: Tender, *, now: datetime) -> Opening:
    """Move the ceremony to a new time after too few custodians came (shares already given are kept)."""
    values = tender_values(tender, now)
    new_time = opening.scheduled_at + timedelta(days=int(values["opening_postpone_days"]))
    while new_time <= now:
        new_time += timedelta(days=1)
    opening.state = OpeningState.POSTPONED
    opening.postponed_until = new_time
    opening.scheduled_at = new_time
    opening.quorum_due_at = new_time + timedelta(minutes=int(values["opening_quorum_minutes"]))
    opening.postponements += 1
    db.session.flush()
    record_event("bidding.opening_postponed", tender, actor=None, district=tender.district_code,
                 details={"reference": tender.reference, "until": new_time.isoformat(),
                          "submitted": len(opening.submissions), "threshold": tender.custodian_threshold})
    notices.tell_everyone(tender, notices.POSTPONED, {"until": notices.at(new_time),
                                                      "submitted": len(opening.submissions),
                                                      "threshold": tender.custodian_threshold or 2}, actor=None)
    return opening


# --- objections and confirmations -------------------------------------------------------------------------------

def raise_objection(tender: Tender, data: dict, *, actor: User, membership=None, now: datetime | None = None):
    """A bidder objects to the opening, during the ceremony (实施条例第四十四条)."""
    from tender.tenders.operations.access import membership_of

    now = now or clock.now()
    membership = membership_of(actor, membership)
    require_opening_action(tender, membership, actor, "object", now)
    text = (data.get("text") or "").strip()
    if len(text) < 5 or len(text) > MAX_OBJECTION:
        raise DomainError(_("Write the objection in 5 to %(num)s characters.", num=MAX_OBJECTION), code="text",
                          field="text")
    opening = ensure_opening(tender, now)
    objection = OpeningObjection(opening_id=opening.id, firm_id=membership.organisation_id, raised_by_id=actor.id,
                                 text=text, raised_at=now)
    opening.objections.append(objection)
    db.session.flush()
    record_event("bidding.opening_objection", tender, actor=actor, district=tender.district_code,
                 details={"reference": tender.reference, "objection": objection.id})
    notices.tell_managers(tender, notices.OBJECTION, {}, actor=actor)
    return objection


def answer_objection(tender: Tender, objection_id: int, data: dict, *, actor: User, membership=None,
                     now: datetime | None = None) -> OpeningObjection:
    """The tenderer (or its agency) answers an objection at the opening; the answer is recorded beside it."""
    from tender.tenders.operations.access import membership_of

    now = now or clock.now()
    membership = membership_of(actor, membership)
    require_opening_action(tender, membership, actor, "answer", now)
    opening = opening_of(tender)
    objection = next((o for o in opening.objections if o.id == objection_id), None)
    if objection is None:
        raise NotFound(_("There is no such objection at this opening."))
    if objection.answer is not None:
        raise DomainError(_("This objection was answered already."), code="answered")
    text = (data.get("answer") or "").strip()
    if len(text) < 5 or len(text) > MAX_OBJECTION:
        raise DomainError(_("Write the answer in 5 to %(num)s characters.", num=MAX_OBJECTION), code="answer",
                          field="answer")
    objection.answer, objection.answered_by_id, objection.answered_at = text, actor.id, now
    db.session.flush()
    record_event("bidding.opening_objection_answered", tender, actor=actor, district=tender.district_code,
                 details={"reference": tender.reference, "objection": objection.id})
    from core.jobs.operations import tell_organisation

    tell_organisation(objection.firm, notices.OBJECTION_ANSWERED, notices.params(tender),
                      link=f"/tenders/{tender.id}/opening", kind="tender", actor=actor)
    return objection


def confirm_record(tender: Tender, *, actor: User, membership=None, now: datetime | None = None):
    """A bidder confirms the opening record it was shown (its digest is kept with the confirmation)."""
    from tender.tenders.operations.access import membership_of

    now = now or clock.now()
    membership = membership_of(actor, membership)
    require_opening_action(tender, membership, actor, "confirm", now)
    opening = opening_of(tender)
    confirmation = OpeningConfirmation(opening_id=opening.id, firm_id=membership.organisation_id,
                                       confirmed_by_id=actor.id, record_sha256=opening.record_sha256,
                                       confirmed_at=now)
    opening.confirmations.append(confirmation)
    db.session.flush()
    record_event("bidding.opening_record_confirmed", tender, actor=actor, district=tender.district_code,
                 details={"reference": tender.reference, "record_sha256": opening.record_sha256})
    return confirmation


def failure_of(tender: Tender) -> FailedTender | None:
    return db.session.scalar(sa.select(FailedTender).where(FailedTender.tender_id == tender.id))


# --- after the opening ------------------------------------------------------------------------------------------

def opened_bids(tender: Tender) -> list[Bid]:
    """The valid bids of an opened tender, by id, with their price sheets and documents loaded."""
    return list(db.session.scalars(
        sa.select(Bid).where(Bid.tender_id == tender.id, Bid.status == BidStatus.VALID).order_by(Bid.id)
        .options(sa_orm.selectinload(Bid.price_sheet), sa_orm.selectinload(Bid.documents))
    ))


def read_document(doc: BidDocument):
    """A binary file object over a decrypted bid document (the caller checks who may read it)."""
    return _store().open(doc.blob)


def attended_openings(membership: Membership | None, user: User) -> list[Tender]:
    """The tenders at or after their opening where this person plays a part (custodian, tenderer, bureau, bidder)."""
    tenders = db.session.scalars(sa.select(Tender).where(Tender.state.in_([S.CLOSED, S.OPENED, S.FAILED]))
                                 .order_by(Tender.bid_deadline.desc()).limit(200))
    return [t for t in tenders if roles_at(t, membership, user)][:10]


def custody_of(user: User) -> list[dict]:
    """The tenders the user holds a share for, with each opening's time and state, soonest first."""
    rows = db.session.execute(
        sa.select(TenderCustodian, Tender).join(Tender, Tender.id == TenderCustodian.tender_id)
        .where(TenderCustodian.user_id == user.id, Tender.state.notin_([S.DRAFT, S.CANCELLED]))
    ).all()
    out = []
    for custodian, tender in rows:
        opening = opening_of(tender)
        when = opening.scheduled_at if opening else (tender.opening_at or tender.bid_deadline)
        out.append({"tender": tender, "position": custodian.position, "opening_at": when,
                    "opening_state": opening.state.value if opening else None,
                    "submitted": bool(opening and any(s.user_id == user.id for s in opening.submissions))})
    far = datetime.max.replace(tzinfo=clock.SHANGHAI)
    return sorted(out, key=lambda r: (r["opening_at"] or far, r["tender"].id))


def record_digest(record: dict) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
                          .encode("utf-8")).hexdigest()


def media_type_of(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"
