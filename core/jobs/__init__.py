"""Background jobs (后台任务): mail, in-app notifications and the operators' view of the queues.

Jobs run in RQ workers started with ``flask rq worker --with-scheduler`` (the scheduler moves
delayed jobs and retries with back-off onto their queues) and one ``flask rq cron`` process for the
periodic sweeps registered in :mod:`core.jobs.tasks`. Each job takes ids, reloads its rows and is
safe to run twice.
"""
