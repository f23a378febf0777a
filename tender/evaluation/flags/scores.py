"""Flags on the experts' scores: an item score far from the others', a ranking against the others'."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from tender.evaluation.flags.base import Flag, figure
from tender.evaluation.rules import FlagRule


@dataclass(frozen=True)
class ScoredItem:
    """One expert's score for one item of one bid, with the item's maximum."""

    expert: str
    bid: str
    item: str
    points: Decimal
    max_points: Decimal


def outlying_scores(scores: list[ScoredItem], rule: FlagRule) -> list[Flag]:
    """An item score further than the rule's share of the item's maximum from the other experts' mean."""
    share = Decimal(rule.score_deviation_share)
    grouped: dict[tuple[str, str], list[ScoredItem]] = defaultdict(list)
    for s in scores:
        grouped[(s.bid, s.item)].append(s)
    flags = []
    for (bid, item), group in sorted(grouped.items()):
        if len(group) < 2:
            continue
        total = sum((Decimal(s.points) for s in group), Decimal(0))
        for s in sorted(group, key=lambda s: s.expert):
            others = (total - Decimal(s.points)) / (len(group) - 1)
            distance = abs(Decimal(s.points) - others)
            if distance > share * Decimal(s.max_points):
                flags.append(Flag("score_outlier", (bid,), (s.expert,), {
                    "item": item, "score": figure(s.points, 2), "others_mean": figure(others, 2),
                    "distance": figure(distance, 2), "limit": figure(share * Decimal(s.max_points), 2),
                    "max_points": figure(s.max_points, 2)}))
    return flags


def _ranks(values: dict[str, Decimal]) -> dict[str, float]:
    """Ranks 1..n, highest value first; tied values share the mean of their ranks."""
    ordered = sorted(values, key=lambda k: -values[k])
    ranks, index = {}, 0
    while index < len(ordered):
        end = index
        while end + 1 < len(ordered) and values[ordered[end + 1]] == values[ordered[index]]:
            end += 1
        for k in ordered[index:end + 1]:
            ranks[k] = (index + end) / 2 + 1
        index = end + 1
    return ranks


def spearman(a: dict[str, Decimal], b: dict[str, Decimal]) -> float | None:
    """Spearman's rho of two scorings of the same bids (Pearson's r of their ranks); None when undefined."""
    keys = sorted(set(a) & set(b))
    if len(keys) < 3:
        return None
    ra, rb = _ranks({k: a[k] for k in keys}), _ranks({k: b[k] for k in keys})
    ma, mb = sum(ra.values()) / len(keys), sum(rb.values()) / len(keys)
    cov = sum((ra[k] - ma) * (rb[k] - mb) for k in keys)
    va = sum((ra[k] - ma) ** 2 for k in keys)
    vb = sum((rb[k] - mb) ** 2 for k in keys)
    if va == 0 or vb == 0:
        return None
    return cov / (va * vb) ** 0.5


def contrary_rankings(scores: list[ScoredItem], rule: FlagRule) -> list[Flag]:
    """An expert whose ranking of the bids correlates negatively with the other experts' mean ranking."""
    totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for s in scores:
        totals[s.expert][s.bid] += Decimal(s.points)
    experts = sorted(totals)
    if len(experts) < rule.min_experts_for_correlation:
        return []
    flags = []
    threshold = float(rule.correlation_below)
    for expert in experts:
        others = [e for e in experts if e != expert]
        bids = set(totals[expert]).intersection(*(totals[e] for e in others))
        mean_others = {b: sum(totals[e][b] for e in others) / len(others) for b in bids}
        rho = spearman({b: totals[expert][b] for b in bids}, mean_others)
        if rho is not None and rho < threshold:
            flags.append(Flag("ranking_contrary", tuple(sorted(bids)), (expert,), {
                "rho": figure(rho), "threshold": rule.correlation_below, "bids": len(bids)}))
    return flags
