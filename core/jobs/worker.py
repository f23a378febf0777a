"""The worker: each job runs in a fork of a process that has already built the application.

flask-rq's stock worker starts a fresh ``flask`` process per job, which pays the whole start-up of
the application (seconds) for every mail. Forking a worker that built the app once keeps the
isolation of a separate process per job and costs milliseconds. The job gets its application
context here, never from an import-time push.
"""

from __future__ import annotations

from datetime import timedelta

import redis
from flask_rq import RQ
from rq import Worker

from core.db import db

# A row this young may still be on its way to Redis from the request that wrote it; older rows
# without a job were lost while Redis was away.
LOST_AFTER = timedelta(seconds=5)


class AppForkWorker(Worker):
    """An RQ worker whose work horse runs the job inside the application context.

    When it starts, and whenever it gets Redis back after losing it, it resubmits the mail and
    notifications whose jobs never reached Redis (written while Redis was down), so they go out at
    once instead of waiting for the periodic sweep.
    """

    app = None  # set per instance by PlatformRQ.make_worker
    _lost_redis = False

    def bootstrap(self, *args, **kwargs):
        super().bootstrap(*args, **kwargs)
        self.resubmit_lost_jobs()

    def heartbeat(self, *args, **kwargs):
        try:
            result = super().heartbeat(*args, **kwargs)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
            self._lost_redis = True
            raise
        if self._lost_redis:
            self._lost_redis = False
            self.log.info("Redis is back: resubmitting jobs written while it was away")
            self.resubmit_lost_jobs()
        return result

    def resubmit_lost_jobs(self) -> int:
        from core.jobs.tasks import resubmit_lost

        with self.app.app_context():
            try:
                return resubmit_lost(older_than=LOST_AFTER)
            finally:
                db.session.remove()

    def main_work_horse(self, job, queue):
        with self.app.app_context():
            # Connections inherited from the parent must not be shared with it: start a new pool.
            db.engine.dispose(close=False)
            super().main_work_horse(job, queue)


class PlatformRQ(RQ):
    """flask-rq with the forking worker; ``flask rq worker`` and tests both get it."""

    def make_worker(self, queues=None, **kwargs):
        app = self._get_current_app()
        known = self.queues
        chosen = tuple(known.values()) if not queues else tuple(known[name] for name in queues)
        worker = AppForkWorker(chosen, connection=chosen[0].connection, job_class=chosen[0].job_class, **kwargs)
        worker.app = app
        return worker
