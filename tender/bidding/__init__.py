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

    import tender.bidding.opening_tasks  # noqa: F401  (registers the opening's periodic jobs)

    submission.install(app)
    core.register(app, blueprints=("tender.bidding.views:bp", "tender.bidding.views.opening:bp"),
                  api_blueprints=("tender.bidding.api:blp",))
    from core.views import register_section
    from tender.bidding import opening_sections

    register_section(app, "dashboard", opening_sections.openings)
    register_section(app, "dashboard", opening_sections.custody)
    register_section(app, "custodian_key", opening_sections.custody)
    from tender.tenders.sections import register_tender_section

    register_tender_section(app, opening_sections.tender_page)

    from tender.bidding import demo, demo_opening

    register_seeder(app, "bidding", demo.seed)
    register_seeder(app, "bidding_opening", demo_opening.seed)
