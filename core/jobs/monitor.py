"""What the queues hold, read from RQ's registries for the operators' jobs page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from rq.job import Job
from rq.queue import Queue

from core.extensions import rq

# The lists shown per queue, in the order a job passes through them.
STATES = ("scheduled", "deferred", "queued", "started", "failed")
PAGE = 50


@dataclass
class JobRow:
    id: str
    function: str
    args: str
    state: str
    enqueued_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    scheduled_for: datetime | None = None
    error: str | None = None


@dataclass
class QueueState:
    name: str
    counts: dict[str, int] = field(default_factory=dict)
    jobs: dict[str, list[JobRow]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _registry(queue: Queue, state: str):
    return {
        "scheduled": queue.scheduled_job_registry,
        "deferred": queue.deferred_job_registry,
        "started": queue.started_job_registry,
        "failed": queue.failed_job_registry,
    }[state]


def _ids(queue: Queue, state: str) -> tuple[int, list[str]]:
    if state == "queued":
        return queue.count, queue.get_job_ids(0, PAGE)
    registry = _registry(queue, state)
    return registry.count, registry.get_job_ids(0, PAGE - 1, desc=state == "failed")


def error_text(job: Job) -> str | None:
    """The traceback of the job's last failed run, if it failed."""
    result = job.latest_result()
    return result.exc_string if result is not None and result.type == result.Type.FAILED else None


def _error_summary(job: Job) -> str | None:
    text = error_text(job)
    if not text:
        return None
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else None


def _row(job: Job, state: str, queue: Queue) -> JobRow:
    row = JobRow(
        id=job.id,
        function=(job.func_name or "?").rsplit(".", 1)[-1],
        # Jobs take ids and primitives only, so their arguments are safe to show.
        args=", ".join(repr(a) for a in job.args)[:120],
        state=state,
        enqueued_at=job.enqueued_at,
        started_at=job.started_at,
        ended_at=job.ended_at,
    )
    if state == "scheduled":
        row.scheduled_for = queue.scheduled_job_registry.get_scheduled_time(job)
    if state == "failed":
        row.error = _error_summary(job)
    return row


def queue_states() -> list[QueueState]:
    """Counts and the first jobs of each list, for every configured queue."""
    result = []
    for queue in rq.queues.values():
        state_of_queue = QueueState(queue.name)
        for state in STATES:
            total, ids = _ids(queue, state)
            jobs = [j for j in Job.fetch_many(ids, connection=queue.connection) if j is not None]
            state_of_queue.counts[state] = total
            state_of_queue.jobs[state] = [_row(j, state, queue) for j in jobs]
        result.append(state_of_queue)
    return result


def failed_job(queue_name: str, job_id: str) -> Job | None:
    """The job with this id if it sits in that queue's failed list."""
    queue = rq.queues.get(queue_name)
    if queue is None or job_id not in queue.failed_job_registry:
        return None
    return Job.fetch(job_id, connection=queue.connection)


def job_detail(queue_name: str, job_id: str) -> Job | None:
    """A job that was submitted to this queue, or None."""
    queue = rq.queues.get(queue_name)
    if queue is None or not Job.exists(job_id, connection=queue.connection):
        return None
    job = Job.fetch(job_id, connection=queue.connection)
    return job if job.origin == queue_name else None
