"""Credit registry (信用档案): subjects, conduct catalogue, records and their due process, scores,
public lookup and exchange with the city public credit platform.

``credit`` uses ``core`` and never imports ``tender``; the tendering side calls the public
operations in :mod:`credit.operations` (eligibility, credit factor, score, tender violations).
"""

from __future__ import annotations


def init_app(app) -> None:
    """Install the credit registry: models, jobs, pages, API, commands, session hooks, demo data."""
    import core
    from core.demo import register_seeder
    from credit import cache, fastpath, search

    import credit.models  # noqa: F401  (registers the tables)
    import credit.tasks  # noqa: F401  (registers the periodic jobs)

    core.register(app, blueprints=("credit.views:bp",), api_blueprints=("credit.api:blp",),
                  cli_groups=("credit.cli:credit_cli",))
    search.install()
    cache.install()
    fastpath.install(app)

    from credit import demo

    register_seeder(app, "credit", demo.seed)
