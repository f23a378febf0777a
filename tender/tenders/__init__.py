"""Tenders from draft to the eve of the bid deadline (招标): procedure values, drafting, bureau filing,
announcement, registration, clarifications and amendments, agency appointments and the agency register.

Later stages (``tender.bidding``, ``tender.evaluation``, ``tender.award``) build on this package
and call :func:`tender.tenders.operations.transition`; this package imports none of them.
"""

from __future__ import annotations


def init_app(app) -> None:
    """Install tenders: models, jobs, pages, API, page sections and demo data."""
    import core
    from core.demo import register_seeder
    from core.views import register_section
    from tender.tenders import cache, sections

    import tender.tenders.models  # noqa: F401  (registers the tables)
    import tender.tenders.tasks  # noqa: F401  (registers the periodic jobs)

    core.register(app, blueprints=("tender.tenders.views:bp",), api_blueprints=("tender.tenders.api:blp",))
    cache.install(app)
    register_section(app, "home", sections.home)
    register_section(app, "dashboard", sections.dashboard)

    from tender.tenders import demo

    register_seeder(app, "tenders", demo.seed)
