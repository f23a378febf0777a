"""Price points (报价得分): integer fen in, Decimal points out.

Rounding, exactly (also in docs/evaluation.md):

* A price above the ceiling (最高限价) is rejected and takes no part in the base price.
* Base-price method (基准价法): the base B is the mean of the valid prices, kept as an exact
  fraction. A price's deviation in whole percent is ``ceil(100 × |p − B| / B)`` computed in integers,
  so any part of a percent counts as a whole one (0.01 % above is 1 %). Points are the maximum
  minus 0.3 per percent above B, or 0.2 per percent below, never below 0.
* Lowest-price-first (最低价优先法): ``lowest ÷ p × maximum``, rounded half up to 0.01 once, at the end.
* Guidance-price fee (政府指导价): every valid bid gets 0; the block's points move to the technical part.

Every result is a Decimal with two decimal places.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


class PriceMethod(str, enum.Enum):
    BASE_PRICE = "base_price"
    LOWEST_PRICE = "lowest_price"
    GUIDANCE_FIXED = "guidance_fixed"


@dataclass(frozen=True)
class PriceRule:
    """How the price block is scored for one tender (from its procedure)."""

    method: PriceMethod = PriceMethod.BASE_PRICE
    max_points: Decimal = Decimal(15)
    per_percent_above: Decimal = Decimal("0.3")
    per_percent_below: Decimal = Decimal("0.2")
    ceiling_fen: int | None = None


@dataclass(frozen=True)
class PriceScore:
    """One bid's result: its points, or the reason it was rejected; the whole-percent deviation (base-price method)."""

    points: Decimal | None
    rejected: str | None = None
    deviation_percent: int | None = None
    above_base: bool | None = None


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def deviation_percent(price_fen: int, valid_fen: list[int]) -> tuple[int, bool]:
    """(whole percent away from the mean of ``valid_fen``, rounded up; whether above it)."""
    n, total = len(valid_fen), sum(valid_fen)
    # |p − total/n| / (total/n) = |p·n − total| / total
    return _ceil_div(100 * abs(price_fen * n - total), total), price_fen * n > total


def base_price_points(price_fen: int, valid_fen: list[int], rule: PriceRule) -> PriceScore:
    """Points by the base-price method for one valid price."""
    percent, above = deviation_percent(price_fen, valid_fen)
    rate = rule.per_percent_above if above else rule.per_percent_below
    points = max(Decimal(0), rule.max_points - rate * percent)
    return PriceScore(points.quantize(CENT, ROUND_HALF_UP), deviation_percent=percent, above_base=above)


def lowest_price_points(price_fen: int, lowest_fen: int, rule: PriceRule) -> PriceScore:
    """Points by lowest-price-first for one valid price."""
    points = Decimal(lowest_fen) * rule.max_points / Decimal(price_fen)
    return PriceScore(points.quantize(CENT, ROUND_HALF_UP))


def score_prices(prices_fen: dict[str, int], rule: PriceRule) -> dict[str, PriceScore]:
    """Every bid's price points under ``rule``; bids are keyed by their code (A, B, C…)."""
    results: dict[str, PriceScore] = {}
    valid: dict[str, int] = {}
    for code, fen in prices_fen.items():
        if not isinstance(fen, int) or fen <= 0:
            results[code] = PriceScore(None, rejected="not_positive")
        elif rule.ceiling_fen is not None and fen > rule.ceiling_fen:
            results[code] = PriceScore(None, rejected="above_ceiling")
        else:
            valid[code] = fen
    if not valid:
        return results
    if rule.method == PriceMethod.GUIDANCE_FIXED:
        results.update({code: PriceScore(Decimal("0.00")) for code in valid})
    elif rule.method == PriceMethod.LOWEST_PRICE:
        lowest = min(valid.values())
        results.update({code: lowest_price_points(fen, lowest, rule) for code, fen in valid.items()})
    else:
        values = list(valid.values())
        results.update({code: base_price_points(fen, values, rule) for code, fen in valid.items()})
    return {code: results[code] for code in prices_fen}
