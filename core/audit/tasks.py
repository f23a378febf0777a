"""The audit chain's periodic job: sign the head when the chain has grown."""

from __future__ import annotations

from core.db import db
from core.extensions import rq

SIGN_EVERY_SECONDS = 900


@rq.job(queue="default")
def sign_audit_head() -> int | None:
    """Sign the chain head if it moved since the last signed one; returns the signed event's number."""
    from core.audit.operations import sign_chain_head

    head = sign_chain_head("periodic", only_if_moved=True)
    db.session.commit()
    return head.seq if head is not None else None


sign_audit_head.cron_register(SIGN_EVERY_SECONDS)
