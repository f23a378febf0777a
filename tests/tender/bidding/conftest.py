"""Bidding fixtures: the tender fixtures (a published tender with three custodians, k = 2), plus
registered firms and helpers that seal a bid with the custodians' keys."""

from __future__ import annotations

from tests.tender.tenders.conftest import make_tender, people  # noqa: F401  (fixtures)
