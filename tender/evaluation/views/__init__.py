"""Pages of the evaluation stage: the expert's own profile, the city bureau's pool, the public draw record,
the panel of a tender, the scoring page and the report."""

from flask import Blueprint, render_template

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation", template_folder="../templates",
               static_folder="../static", static_url_path="/static")


@bp.app_context_processor
def evaluation_helpers():
    """Labels of the stage's codes, also for its dashboard card on core's page."""
    from tender.evaluation import labels

    return {"eval_labels": labels, "eval_label": labels.label}


def dashboard_section(membership):
    """The dashboard's evaluation card: the expert's own standing, or the pool's counts for the city bureau."""
    from core import clock
    from core.accounts.models import MemberRole, OrgKind
    from tender.evaluation.operations import draw_weight, eligibility, pool_counts, profile_for

    if membership is None or membership.organisation.kind != OrgKind.CITY_BUREAU:
        return None
    now = clock.now()
    if membership.role == MemberRole.EXPERT:
        profile = profile_for(membership)
        return {"template": "evaluation/_dashboard.html", "expert": True, "reasons": eligibility(profile, now),
                "weight": draw_weight(profile, now) if profile else None}
    return {"template": "evaluation/_dashboard.html", "expert": False,
            "counts": pool_counts(membership.organisation_id, now)}


from tender.evaluation.views import committee, draws, pool, profile, scoring  # noqa: E402,F401

__all__ = ["bp", "dashboard_section", "render_template"]
