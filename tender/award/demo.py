"""Demo tenders of the award stage (filled in once the earlier stages' demos are merged)."""

from __future__ import annotations


def seed(world) -> list[tuple[str, str, str]]:
    """Add the award stage's demo tenders; returns no new logins."""
    return []
