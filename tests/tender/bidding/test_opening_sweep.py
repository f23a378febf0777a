"""The sweep of stalled openings: an opening whose job never reached Redis is queued again and opens
once; a run that keeps failing stops after a few runs and is reported; staged plaintext left by a
killed run is removed once older than the job's timeout, a fresh staged file is kept."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from core.audit.models import AuditEvent
from core.extensions import db, rq
from tender.bidding import opening_tasks
from tender.bidding.models import BidDocument, BidPriceSheet, OpeningState
from tender.bidding.operations import opening as ops
from tests.tender.bidding.opening_helpers import run_jobs
from tests.tender.bidding.test_opening import sealed, submit_without_worker  # noqa: F401  (fixture)


def opening_jobs():
    return [j for j in rq.get_queue("default").jobs if j.func_name.endswith("open_bids")]


def lose_the_job(opening):
    """Redis lost the job (it was unreachable at the commit of the k-th share): nothing is queued."""
    for job in opening_jobs():
        job.delete()
    assert opening_jobs() == []


def test_a_lost_opening_job_is_queued_again_by_the_sweep_and_opens_once(sealed, clock):  # noqa: F811
    world = sealed()
    opening = submit_without_worker(world, world.custodians[:2])
    lose_the_job(opening)
    assert ops.resume_stalled_openings() == 0  # just started: its job may still be on its way
    clock.advance(ops.STALL_AFTER + timedelta(seconds=1))
    assert ops.resume_stalled_openings() == 1
    db.session.commit()
    assert [j.id for j in opening_jobs()] == [ops.opening_job_id(opening)]
    assert ops.resume_stalled_openings() == 0  # queued: not queued twice
    [job] = [j for j in run_jobs() if j.func_name.endswith("open_bids")]
    assert job.is_finished and job.return_value() is True
    opening = ops.opening_of(world.tender)
    assert opening.state == OpeningState.OPENED and opening.valid == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BidDocument)) == 6
    assert ops.resume_stalled_openings() == 0  # opened: left alone


def test_a_failing_opening_stops_after_the_cap_and_is_reported(sealed, clock):  # noqa: F811
    world = sealed()
    opening = submit_without_worker(world, world.custodians[:2])
    last = world.bids[-1]
    db.session.add(BidPriceSheet(bid_id=last.id, schema_version=1, fee_model="lump_sum", fees=[], annual_total_fen=0,
                                 labour_cost_monthly_fen=0, staffing=[], project_manager={}, contact={},
                                 key_people=[]))
    db.session.commit()
    [job] = [j for j in run_jobs() if j.func_name.endswith("open_bids")]
    assert job.is_failed
    clock.advance(ops.STALL_AFTER + timedelta(seconds=1))
    retried = 0
    for _ in range(ops.MAX_OPENING_RUNS + 2):
        retried += ops.resume_stalled_openings()
        db.session.commit()
        ran = [j for j in run_jobs() if j.func_name.endswith("open_bids")]
        assert all(j.is_failed for j in ran)
    assert retried == ops.MAX_OPENING_RUNS - 1  # the first run, then two more, then it stops
    assert opening_jobs() == []
    job = rq.get_queue("default").fetch_job(ops.opening_job_id(opening))
    assert job.is_failed and job.id in rq.get_queue("default").failed_job_registry  # on the operators' page
    assert ops.opening_of(world.tender).state == OpeningState.IN_PROGRESS
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "bidding.opening_stalled")).all()
    assert len(events) == 1 and events[0].details["runs"] == ops.MAX_OPENING_RUNS


def test_the_sweep_removes_staged_files_older_than_the_job_timeout(app, app_ctx):
    tmp = Path(app.config["BLOB_DIR"]) / "tmp"
    old, fresh = tmp / "stage-old-test", tmp / "stage-fresh-test"
    other = tmp / "upload-old-test"
    for path in (old, fresh, other):
        path.write_bytes(b"decrypted technical proposal")
    past = time.time() - int(app.config["OPENING_JOB_TIMEOUT"]) - 60
    os.utime(old, (past, past))
    os.utime(other, (past, past))
    assert opening_tasks.resume_stalled_openings() == 0
    assert not old.exists()
    assert fresh.exists() and other.exists()  # a run in progress keeps its files; uploads are not ours
    fresh.unlink()
    other.unlink()
