"""What tenders add to the home page and to each role's dashboard (computed here, shown by core)."""

from __future__ import annotations

from core import clock
from core.accounts.models import Role


def home(membership) -> dict:
    """Tenders open for bids, nearest deadline first."""
    from tender.tenders.operations.queries import open_tenders

    now = clock.now()
    return {"template": "tenders/_home.html", "open_tenders": open_tenders(now, limit=6), "now": now}


def dashboard(membership) -> dict | None:
    """The tenderer's and agency's tenders by state, the bureau's district overview, the firm's registrations."""
    from tender.tenders.operations.queries import bureau_overview, managed_tenders, registered_tenders

    if membership is None or not membership.organisation.is_verified:
        return None
    now = clock.now()
    role = membership.platform_role
    if role in (Role.TENDERER, Role.AGENCY):
        tenders = managed_tenders(membership)
        by_state: dict[str, list] = {}
        for t in tenders:
            by_state.setdefault(t.phase(now), []).append(t)
        return {"template": "tenders/_dashboard_manager.html", "by_state": by_state, "now": now,
                "may_create": role == Role.TENDERER}
    if role == Role.SUPERVISOR:
        return {"template": "tenders/_dashboard_bureau.html", "overview": bureau_overview(membership, now), "now": now}
    if role == Role.FIRM:
        return {"template": "tenders/_dashboard_firm.html", "tenders": registered_tenders(membership)[:10], "now": now}
    return None


def register_tender_section(app, section) -> None:
    """Let a later stage add a section to a tender's page: ``section(tender, membership, now)`` returns
    None or a dict with the ``template`` to include and the values it shows."""
    app.extensions.setdefault("tender_sections", []).append(section)


def tender_sections(tender, membership, now) -> list[dict]:
    from flask import current_app

    found = (section(tender, membership, now) for section in current_app.extensions.get("tender_sections", ()))
    return [s for s in found if s]
