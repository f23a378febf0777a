"""Tenders and their lifecycle (招投标): announcement, sealed bids and opening, evaluation, award.

One sub-package per stage of a tender's life (see ``../shared/design.md`` section 8); imports run
one way down the stages, and every stage is installed here.
"""

from __future__ import annotations


def init_app(app) -> None:
    """Install every tender stage."""
    from tender import award, bidding, evaluation, sealing, tenders

    sealing.init_app(app)
    tenders.init_app(app)
    bidding.init_app(app)
    evaluation.init_app(app)
    award.init_app(app)


def provision_keys(config) -> list[str]:
    """Make the key files the tender stages need that are missing."""
    from tender import sealing

    return sealing.provision_keys(config)
