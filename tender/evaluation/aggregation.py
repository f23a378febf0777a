"""Aggregating the panel's scores and ranking the bids (汇总与排序): pure functions.

Per scoring item and bid, the experts' scores are averaged; with five or more experts scoring the
item, one highest and one lowest score are dropped first. The mean is rounded half up to 0.01 per
item, and a bid's total is the sum of its rounded item means plus the points computed by formula
(price, credit). Bids are ranked by total, ties broken in the order the procedure names: by default
the lower price, then the higher technical score, then the lot drawn at the evaluation.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
# Dropping the extremes needs at least this many scores for an item.
TRIM_FROM = 5
DEFAULT_TIE_BREAKERS = ("price", "technical", "lot")


@dataclass(frozen=True)
class ItemScore:
    """One expert's score for one item of one bid."""

    expert: str
    bid: str
    item: str
    points: Decimal


@dataclass(frozen=True)
class ItemResult:
    bid: str
    item: str
    mean: Decimal  # rounded to 0.01
    kept: tuple[Decimal, ...]
    dropped: tuple[Decimal, ...]


@dataclass
class BidTotal:
    """A bid's aggregated result; ``technical`` is the part of the total from ``technical_items``."""

    bid: str
    items: dict[str, Decimal] = field(default_factory=dict)
    formula_points: Decimal = Decimal("0.00")
    technical: Decimal = Decimal("0.00")
    total: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class RankEntry:
    """What the ranking looks at for one bid."""

    bid: str
    total: Decimal
    price_fen: int
    technical: Decimal
    lot: int | None = None  # the number drawn by lot (lower ranks first), when drawn


def item_mean(points: list[Decimal]) -> tuple[Decimal, tuple[Decimal, ...], tuple[Decimal, ...]]:
    """(mean rounded half up to 0.01, the scores kept, the scores dropped)."""
    if not points:
        raise ValueError("an item needs at least one score")
    ordered = sorted(points)
    if len(ordered) >= TRIM_FROM:
        kept, dropped = ordered[1:-1], (ordered[0], ordered[-1])
    else:
        kept, dropped = ordered, ()
    mean = (sum(kept, Decimal(0)) / Decimal(len(kept))).quantize(CENT, ROUND_HALF_UP)
    return mean, tuple(kept), tuple(dropped)


def aggregate_items(scores: list[ItemScore]) -> list[ItemResult]:
    """The mean of every (bid, item) that has scores."""
    grouped: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    for s in scores:
        grouped[(s.bid, s.item)].append(Decimal(s.points))
    results = []
    for (bid, item), points in sorted(grouped.items()):
        mean, kept, dropped = item_mean(points)
        results.append(ItemResult(bid, item, mean, kept, dropped))
    return results


def totals(scores: list[ItemScore], formula_points: dict[str, Decimal] | None = None,
           technical_items: frozenset[str] | set[str] = frozenset()) -> dict[str, BidTotal]:
    """Every bid's total: its item means plus its formula points (price, credit)."""
    formula_points = formula_points or {}
    result: dict[str, BidTotal] = {}
    for r in aggregate_items(scores):
        entry = result.setdefault(r.bid, BidTotal(r.bid))
        entry.items[r.item] = r.mean
    for bid in formula_points:
        result.setdefault(bid, BidTotal(bid))
    for bid, entry in result.items():
        entry.formula_points = Decimal(formula_points.get(bid, 0)).quantize(CENT, ROUND_HALF_UP)
        entry.technical = sum((m for i, m in entry.items.items() if i in technical_items), Decimal("0.00"))
        entry.total = sum(entry.items.values(), Decimal("0.00")) + entry.formula_points
    return dict(sorted(result.items()))


def _tie_value(entry: RankEntry, breaker: str):
    if breaker == "price":
        return entry.price_fen  # lower first
    if breaker == "technical":
        return -entry.technical  # higher first
    if breaker == "lot":
        return entry.lot if entry.lot is not None else float("inf")
    raise ValueError(f"unknown tie-breaker {breaker!r}")


def rank(entries: list[RankEntry], tie_breakers: tuple[str, ...] = DEFAULT_TIE_BREAKERS) -> list[tuple[int, RankEntry]]:
    """(place, entry) by total, highest first; equal entries on every tie-breaker share a place."""
    def sort_key(e: RankEntry):
        return (-e.total, *(_tie_value(e, b) for b in tie_breakers))

    ordered = sorted(entries, key=lambda e: (sort_key(e), e.bid))
    places: list[tuple[int, RankEntry]] = []
    for index, entry in enumerate(ordered):
        if index and sort_key(entry) == sort_key(ordered[index - 1]):
            places.append((places[-1][0], entry))
        else:
            places.append((index + 1, entry))
    return places


def unresolved_ties(places: list[tuple[int, RankEntry]]) -> list[tuple[str, ...]]:
    """Groups of bids still sharing a place (the procedure then draws lots among them)."""
    groups: dict[int, list[str]] = defaultdict(list)
    for place, entry in places:
        groups[place].append(entry.bid)
    return [tuple(bids) for bids in groups.values() if len(bids) > 1]
