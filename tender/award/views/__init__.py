"""HTML pages of the award stage: the public candidates and fee notices, the award desk of the tenderer,
the bureau and the bidders, the notices, and the tender's whole record."""

from flask import Blueprint

bp = Blueprint("award", __name__, url_prefix="/tenders", template_folder="../templates")

from tender.award.views import public  # noqa: E402,F401
from tender.award.views import desk  # noqa: E402,F401


@bp.app_context_processor
def award_helpers():
    from tender.award import labels

    return {"award_labels": labels}
