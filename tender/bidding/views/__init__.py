"""HTML pages of bidding: the firm's bid page, its receipts, and the public sealed-bid list."""

from flask import Blueprint, current_app

bp = Blueprint("bidding", __name__, url_prefix="/tenders", template_folder="../templates", static_folder="../static",
               static_url_path="/bidding-static")


def closing_hint(tender, now) -> bool:
    """A page that finds a tender past its deadline but not closed asks for the closing job at once
    (the request itself writes nothing); True while the list is not published yet."""
    from tender.bidding.operations.closing import due

    if not due(tender, now):
        return False
    from tender.bidding.tasks import close_tender

    try:
        close_tender.enqueue(tender.id, job_id=f"close-tender-{tender.id}")
    except Exception:  # the periodic job closes it anyway
        current_app.logger.warning("could not ask for closing tender %s now", tender.id, exc_info=True)
    return True


from tender.bidding.views import firm  # noqa: E402,F401
from tender.bidding.views import public  # noqa: E402,F401
