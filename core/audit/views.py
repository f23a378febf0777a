"""The audit trail, readable by supervisors for their district (the city bureau reads all)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template, request

from core.accounts.models import OrgKind, Role, User
from core.audit.models import AuditEvent
from core.authz import access, active_membership, roles
from core.extensions import db
from core.web import int_arg

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 50


def visible_events(membership):
    """Events a supervisor may read: their district's, or all for the city bureau and the operator."""
    query = sa.select(AuditEvent)
    org = membership.organisation
    if org.kind == OrgKind.DISTRICT_BUREAU:
        query = query.where(AuditEvent.district_code == org.district_code)
    return query


@bp.get("/")
@access(roles(Role.SUPERVISOR, Role.OPERATOR))
def trail():
    membership = active_membership()
    query = visible_events(membership)
    subject_type = request.args.get("subject_type", "").strip()[:64]
    subject_id = request.args.get("subject_id", "").strip()[:64]
    action = request.args.get("action", "").strip()[:64]
    if subject_type:
        query = query.where(AuditEvent.subject_type == subject_type)
    if subject_id:
        query = query.where(AuditEvent.subject_id == subject_id)
    if action:
        query = query.where(AuditEvent.action.startswith(action))
    before = int_arg("before")
    if before:
        query = query.where(AuditEvent.seq < before)
    events = db.session.scalars(query.order_by(AuditEvent.seq.desc()).limit(PAGE_SIZE)).all()
    actor_ids = {e.actor_user_id for e in events if e.actor_user_id}
    actors = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(actor_ids)))} if actor_ids else {}
    return render_template(
        "audit/trail.html",
        events=events,
        actors=actors,
        filters={"subject_type": subject_type, "subject_id": subject_id, "action": action},
        next_before=events[-1].seq if len(events) == PAGE_SIZE else None,
        scope_all=membership.organisation.kind != OrgKind.DISTRICT_BUREAU,
    )
