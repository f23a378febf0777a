"""Demo bids (演示投标): filled in later in this module; the seeder adds nothing yet."""

from __future__ import annotations


def seed(world) -> list:
    return []
