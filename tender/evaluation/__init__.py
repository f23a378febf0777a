"""The expert-evaluation stage (评标): the expert pool, conflicts, the verifiable panel draw, the blind
check of technical documents, price formulas, aggregation and ranking, and the flags engine.

Built before the bidding stage: its inputs are plain dataclasses (:class:`DrawParties`,
:class:`DrawRequest`, the flag inputs in :mod:`tender.evaluation.flags`) that the bidding wiring
fills from bids and the opening; a draw names its tender by number until the tenders stage lands.
"""

from __future__ import annotations


def init_app(app) -> None:
    """Install the expert pool pages, the public draw record, the panel commands and the demo profiles."""
    import core
    from core.demo import register_seeder
    from core.views import register_section

    import tender.evaluation.models  # noqa: F401  (registers the tables)
    from tender.evaluation import demo, views

    core.register(app, blueprints=("tender.evaluation.views:bp",), cli_groups=("tender.evaluation.cli:panel_cli",))
    register_section(app, "dashboard", views.dashboard_section)
    register_seeder(app, "evaluation", demo.seed)
