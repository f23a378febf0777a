"""Price flags: identical prices, prices in a regular progression, abnormally low prices, and the
spread of the prices (coefficient of variation, the gap between the two lowest) shown as figures."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tender.evaluation.flags.base import Flag, figure, groups_sharing
from tender.evaluation.rules import FlagRule


@dataclass(frozen=True)
class BidPrice:
    """A bid's price, and for the labour check its total for the contract period and its staffing plan."""

    bid: str
    price_fen: int
    period_total_fen: int | None = None
    staff_person_months: int | None = None


def identical_prices(prices: list[BidPrice]) -> list[Flag]:
    """The same price, to the fen, in two or more bids."""
    shared = groups_sharing({p.bid: [str(p.price_fen)] for p in prices})
    return [Flag("identical_price", holders, figures={"price_fen": int(value)}) for value, holders in sorted(shared.items())]


def progression(prices: list[BidPrice], rule: FlagRule) -> list[Flag]:
    """Runs of at least the rule's number of sorted, distinct prices with equal steps or equal ratios."""
    tolerance = Decimal(rule.progression_tolerance)
    ordered = sorted({p.price_fen: p for p in prices}.values(), key=lambda p: p.price_fen)
    flags = []
    for kind, step_of in (("arithmetic", lambda a, b: Decimal(b - a)), ("geometric", lambda a, b: Decimal(b) / Decimal(a))):
        start = 0
        while start + rule.progression_min_bids <= len(ordered):
            end = start + 1
            base = step_of(ordered[start].price_fen, ordered[start + 1].price_fen)
            limit = tolerance * (base if kind == "arithmetic" else base - 1)
            while end + 1 < len(ordered) and abs(step_of(ordered[end].price_fen, ordered[end + 1].price_fen) - base) <= limit:
                end += 1
            run = ordered[start:end + 1]
            if len(run) >= rule.progression_min_bids and (kind == "geometric" or base > 0):
                step = figure(base, 0 if kind == "arithmetic" else 5)
                flags.append(Flag("price_progression", tuple(p.bid for p in run),
                                  figures={"progression": kind, "step": step, "prices_fen": [p.price_fen for p in run]}))
                start = end
            else:
                start += 1
    # A run found as arithmetic is not reported again as geometric.
    seen, unique = set(), []
    for flag in flags:
        if flag.bids not in seen:
            seen.add(flag.bids)
            unique.append(flag)
    return unique


def abnormally_low(prices: list[BidPrice], rule: FlagRule) -> list[Flag]:
    """A price below the mean of the other prices by the rule's share, or below its own staffing plan's labour floor."""
    share = Decimal(rule.low_price_share)
    flags = []
    if len(prices) >= 2:
        total = sum(p.price_fen for p in prices)
        for p in prices:
            others = Decimal(total - p.price_fen) / (len(prices) - 1)
            if Decimal(p.price_fen) < others * (1 - share):
                flags.append(Flag("abnormally_low", (p.bid,), figures={
                    "price_fen": p.price_fen, "others_mean_fen": figure(others, 0),
                    "below_by": figure(1 - Decimal(p.price_fen) / others), "limit": rule.low_price_share}))
    for p in prices:
        if p.period_total_fen is not None and p.staff_person_months:
            floor = p.staff_person_months * rule.labour_floor_fen
            if p.period_total_fen < floor:
                flags.append(Flag("below_labour_floor", (p.bid,), figures={
                    "period_total_fen": p.period_total_fen, "staff_person_months": p.staff_person_months,
                    "labour_floor_fen": floor, "floor_per_person_month_fen": rule.labour_floor_fen}))
    return flags


def price_figures(prices: list[BidPrice]) -> dict:
    """The spread of the prices, shown to the bureau whether or not a flag is raised."""
    values = sorted(Decimal(p.price_fen) for p in prices)
    figures: dict = {"bids": len(values)}
    if len(values) >= 2:
        mean = sum(values) / len(values)
        variance = sum((v - mean) ** 2 for v in values) / len(values)
        figures.update(mean_fen=figure(mean, 0), coefficient_of_variation=figure(variance.sqrt() / mean, 4),
                       lowest_fen=int(values[0]), second_lowest_fen=int(values[1]),
                       relative_gap=figure((values[1] - values[0]) / values[1], 4))
    return figures


def spread(prices: list[BidPrice], rule: FlagRule) -> list[Flag]:
    """Low dispersion (coefficient of variation under the rule's value) and a large gap between the two lowest."""
    figures = price_figures(prices)
    flags = []
    if len(prices) >= 3 and Decimal(figures["coefficient_of_variation"]) < Decimal(rule.dispersion_cv_below):
        flags.append(Flag("low_dispersion", tuple(sorted(p.bid for p in prices)), figures={
            "coefficient_of_variation": figures["coefficient_of_variation"], "threshold": rule.dispersion_cv_below,
            "mean_fen": figures["mean_fen"]}))
    if len(prices) >= 2 and Decimal(figures["relative_gap"]) > Decimal(rule.lowest_gap_above):
        low_bids = tuple(sorted(p.bid for p in prices if p.price_fen == figures["lowest_fen"]))
        flags.append(Flag("lowest_gap", low_bids, figures={
            "relative_gap": figures["relative_gap"], "threshold": rule.lowest_gap_above,
            "lowest_fen": figures["lowest_fen"], "second_lowest_fen": figures["second_lowest_fen"]}))
    return flags


def price_flags(prices: list[BidPrice], rule: FlagRule) -> list[Flag]:
    """Every price flag."""
    return identical_prices(prices) + progression(prices, rule) + abnormally_low(prices, rule) + spread(prices, rule)
