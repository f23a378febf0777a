"""Background jobs of the evaluation stage: they take ids, call operations and are safe to run twice."""

from __future__ import annotations

from core.db import db
from core.extensions import rq


@rq.job(queue="default")
def send_invitation(invitation_id: int) -> bool:
    """Send one invitation to a drawn expert (once)."""
    from tender.evaluation.models import PanelInvitation
    from tender.evaluation.operations.committee import send_invitation as send

    invitation = db.session.get(PanelInvitation, invitation_id)
    sent = invitation is not None and send(invitation)
    db.session.commit()
    return sent


@rq.job(queue="default")
def expire_invitations() -> int:
    """Unanswered invitations past their time call the next reserve."""
    from tender.evaluation.operations.committee import expire_invitations as expire

    done = expire()
    db.session.commit()
    return done


@rq.job(queue="default")
def run_blind_checks() -> int:
    """Scan the technical documents of tenders opened since the last run (the bureau decides on hits)."""
    from tender.evaluation.operations.blind import check_opened_tenders

    checked = check_opened_tenders()
    db.session.commit()
    return checked


@rq.job(queue="default")
def compute_flags(panel_id: int) -> int:
    """Run the flags engine on a locked panel's bids and scores, with progress on the panel."""
    from tender.evaluation.models import EvaluationPanel
    from tender.evaluation.operations.results import compute_flags as compute

    panel = db.session.get(EvaluationPanel, panel_id)
    if panel is None or panel.flags_done_at is not None:
        return 0

    def progress(step: str, done: int, total: int) -> None:
        # Progress is written in its own short transaction, so the page can show it while the job runs.
        share = 90 * done // max(total, 1) if step == "documents" else 95
        db.session.execute(db.update(EvaluationPanel).where(EvaluationPanel.id == panel_id)
                           .values(flags_progress=max(1, min(share, 99))))
        db.session.commit()

    rows = compute(db.session.get(EvaluationPanel, panel_id), progress=progress)
    db.session.commit()
    return len(rows)


# Periodic work for ``flask rq cron``: both only move things forward and are idempotent.
expire_invitations.cron_register(60)
run_blind_checks.cron_register(120)
