"""HTML pages of tenders: the public announcements, the tenderer's and agency's desk, the bureau's
filing desk, the firms' registration and questions, and the agency register."""

from flask import Blueprint

bp = Blueprint("tender", __name__, url_prefix="/tenders", template_folder="../templates", static_folder="../static",
               static_url_path="/static")


@bp.app_context_processor
def tender_helpers():
    from core import clock
    from tender.tenders import labels
    from tender.tenders.operations import scheme

    return {"tl": labels, "scheme_labels": scheme, "business_now": clock.now()}


from tender.tenders.views import public  # noqa: E402,F401
from tender.tenders.views import manage  # noqa: E402,F401
from tender.tenders.views import bureau  # noqa: E402,F401
from tender.tenders.views import firm  # noqa: E402,F401


@bp.app_template_filter("localdate")
def localdate(value) -> str:
    """A calendar date with its weekday, in the reader's language."""
    from flask_babel import format_date

    return format_date(value, "yyyy-MM-dd EEE") if value else ""
