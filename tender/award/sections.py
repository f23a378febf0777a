"""What the award stage adds to the dashboards and to a tender's page (computed here, shown there)."""

from __future__ import annotations

from core import clock
from core.accounts.models import Role


def dashboard(membership) -> dict | None:
    """The bureau's award overview; the firm's results and awards."""
    from tender.award.operations.queries import bureau_overview, firm_results

    if membership is None or not membership.organisation.is_verified:
        return None
    now = clock.now()
    role = membership.platform_role
    if role == Role.SUPERVISOR:
        return {"template": "award/_dashboard_bureau.html", "overview": bureau_overview(membership, now), "now": now}
    if role == Role.FIRM:
        return {"template": "award/_dashboard_firm.html", "results": firm_results(membership.organisation_id),
                "now": now}
    return None


def tender_page(tender, membership, now) -> dict | None:
    """The publicity and award on the tender's own page, once the candidates are published."""
    from tender.award import cache
    from tender.award.operations import allowed_actions, award_capacity, state

    publicities = state.publicities(tender)
    who = award_capacity(tender, membership)
    if not publicities:
        if tender.state.value == "evaluating" and who in ("tenderer", "agency", "bureau") \
                and state.unpublished_report(tender) is not None:
            return {"template": "award/_tender_section.html", "publicity": None, "offers": [], "who": who,
                    "award_actions": allowed_actions(tender, membership, now), "now": now}
        return None
    if publicities[-1].running(now):
        cache.hold_until(publicities[-1].ends_at)  # the page says "running" until then
    return {"template": "award/_tender_section.html", "publicity": publicities[-1], "offers": state.offers(tender),
            "award_actions": allowed_actions(tender, membership, now), "who": who, "now": now}
