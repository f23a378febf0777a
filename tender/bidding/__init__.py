"""Bids and the deadline (投标与开标): the price sheet, sealed submission and its receipt log,
replacing and withdrawing, the bid security, closing at the deadline and the signed list of
sealed bids; the opening ceremony builds on these.

Uses ``tender.tenders`` (the tender, its custodians, ``transition``) and ``tender.sealing`` (the
envelope and receipts); later stages read bids through :mod:`tender.bidding.operations`.
"""

from __future__ import annotations


def init_app(app) -> None:
    """Install bidding: models, the bid upload purpose, jobs, pages, API and demo data."""
    import core
    from core.demo import register_seeder

    import tender.bidding.models  # noqa: F401  (registers the tables)
    import tender.bidding.tasks  # noqa: F401  (registers the periodic jobs)
    from tender.bidding.operations import submission

    submission.install(app)
    core.register(app, blueprints=("tender.bidding.views:bp",), api_blueprints=("tender.bidding.api:blp",))

    from tender.bidding import demo

    register_seeder(app, "bidding", demo.seed)
