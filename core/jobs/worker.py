"""The worker: each job runs in a fork of a process that has already built the application.

flask-rq's stock worker starts a fresh ``flask`` process per job, which pays the whole start-up of
the application (seconds) for every mail. Forking a worker that built the app once keeps the
isolation of a separate process per job and costs milliseconds. The job gets its application
context here, never from an import-time push.
"""

from __future__ import annotations

from flask_rq import RQ
from rq import Worker

from core.db import db


class AppForkWorker(Worker):
    """An RQ worker whose work horse runs the job inside the application context."""

    app = None  # set per instance by PlatformRQ.make_worker

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
