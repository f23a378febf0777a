"""What every flag is: a lead for the bureau (线索), never a verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Evidence:
    """A passage or a fact behind a flag; two sides when it compares two bids."""

    label: str
    left: str
    right: str | None = None
    left_ref: str | None = None  # e.g. "A p. 12"
    right_ref: str | None = None


@dataclass(frozen=True)
class Flag:
    """A lead: its kind, the bids and experts involved, the figures, and the evidence."""

    kind: str
    bids: tuple[str, ...] = ()
    experts: tuple[str, ...] = ()
    figures: dict = field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()


def figure(value, places: int = 3) -> str:
    """A figure as shown: a decimal string with ``places`` digits."""
    return str(Decimal(value).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))


def groups_sharing(values: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    """For each value held by two or more bids, the bids holding it (bid codes sorted)."""
    holders: dict[str, set[str]] = {}
    for bid, items in values.items():
        for item in items:
            holders.setdefault(item, set()).add(bid)
    return {value: tuple(sorted(bids)) for value, bids in holders.items() if len(bids) >= 2}
