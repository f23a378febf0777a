"""The award stage (定标): candidate publicity, objections and complaints, the award and its notices,
filing with the district bureau, contracts, fee disclosure and the tender's whole record.

It reads the signed evaluation report (``tender.evaluation``) and the bids (``tender.bidding``);
none of the earlier stages imports it.
"""

from __future__ import annotations


def init_app(app) -> None:
    """Install the award stage: models, jobs, pages, API, page sections and demo data."""
    import core
    from core.demo import register_seeder
    from core.views import register_section
    from tender.award import cache, sections
    from tender.tenders.sections import register_tender_section

    import tender.award.models  # noqa: F401  (registers the tables)
    import tender.award.tasks  # noqa: F401  (registers the periodic jobs)

    core.register(app, blueprints=("tender.award.views:bp",), api_blueprints=("tender.award.api:blp",))
    cache.install(app)
    register_section(app, "dashboard", sections.dashboard)
    register_tender_section(app, sections.tender_page)

    from tender.award import demo

    register_seeder(app, "award", demo.seed)
