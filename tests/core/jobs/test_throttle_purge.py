"""The periodic sweep of sign-in throttle rows: registered with `flask rq cron`, run by a real worker."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from rq.job import Job

from core.auth.models import LoginFailure
from core.auth.throttle import throttle_key
from core.db import utcnow
from core.extensions import db, rq
from core.jobs import tasks

JOB_NAME = "core.jobs.tasks.purge_login_throttle"


def _cron_job():
    scheduler = rq.make_cron_scheduler()
    [job] = [j for j in scheduler.get_jobs() if j.func_name == JOB_NAME]
    return scheduler, job


def test_the_sweep_is_registered_with_the_cron_scheduler(app_ctx):
    _scheduler, job = _cron_job()
    assert job.queue_name == "default" and job.interval == 900
    assert job.interval <= app_ctx.config["LOGIN_THROTTLE_WINDOW"]


def test_the_sweep_deletes_only_rows_past_the_window(app_ctx, run_worker):
    window = timedelta(seconds=app_ctx.config["LOGIN_THROTTLE_WINDOW"])
    now = utcnow()
    old = [
        LoginFailure(kind=kind, key=throttle_key(kind, value), occurred_at=now - window - timedelta(minutes=m))
        for kind, value, m in [("account", "a@example.com", 1), ("address", "198.51.100.7", 60), ("register", "203.0.113.9", 5)]
    ]
    fresh = [
        LoginFailure(kind="account", key=throttle_key("account", "a@example.com"), occurred_at=now - timedelta(minutes=1)),
        LoginFailure(kind="register", key=throttle_key("register", "203.0.113.9"), occurred_at=now),
    ]
    db.session.add_all(old + fresh)
    db.session.commit()
    fresh_ids = sorted(row.id for row in fresh)

    # Submitted as `flask rq cron` submits it, and run by a real worker against the test database.
    scheduler, job = _cron_job()
    job.enqueue(scheduler.connection)
    assert run_worker("default")

    assert sorted(db.session.scalars(sa.select(LoginFailure.id))) == fresh_ids
    finished = rq.get_queue("default").finished_job_registry
    [job_id] = finished.get_job_ids()
    assert Job.fetch(job_id, connection=scheduler.connection).return_value() == len(old)

    # A second run finds nothing more to delete.
    assert tasks.purge_login_throttle() == 0
    assert sorted(db.session.scalars(sa.select(LoginFailure.id))) == fresh_ids
