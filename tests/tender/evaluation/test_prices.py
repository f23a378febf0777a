"""Price points, checked against figures worked out by hand."""

from decimal import Decimal

from tender.evaluation.prices import PriceMethod, PriceRule, deviation_percent, score_prices

BASE = PriceRule()


def points(prices, rule=BASE):
    return {code: (s.points, s.rejected) for code, s in score_prices(prices, rule).items()}


def test_base_price_at_the_mean_keeps_every_point():
    # prices 90, 100, 110 (yuan, in fen): mean 100
    result = score_prices({"A": 9000, "B": 10000, "C": 11000}, BASE)
    assert result["B"].points == Decimal("15.00") and result["B"].deviation_percent == 0


def test_base_price_whole_percents_above_and_below():
    # mean 100: A is 10 % below (−0.2 × 10), C is 10 % above (−0.3 × 10)
    assert points({"A": 9000, "B": 10000, "C": 11000}) == {
        "A": (Decimal("13.00"), None), "B": (Decimal("15.00"), None), "C": (Decimal("12.00"), None)}


def test_a_part_percent_counts_as_a_whole_percent():
    # mean of 100.00 and 100.02 yuan is 100.01; each is 0.009999 % away: counted as 1 %
    assert deviation_percent(10000, [10000, 10002]) == (1, False)
    assert points({"A": 10000, "B": 10002}) == {"A": (Decimal("14.80"), None), "B": (Decimal("14.70"), None)}
    # 1 % exactly stays 1 %; 1 % plus one fen becomes 2 %
    assert deviation_percent(10100, [10100, 9900]) == (1, True)
    assert deviation_percent(10101, [10101, 9899]) == (2, True)


def test_base_price_points_never_go_below_zero():
    # mean (10000 + 30000) / 2 = 20000: 30000 is 50 % above → 15 − 15 = 0; 10000 is 50 % below → 15 − 10 = 5
    assert points({"A": 10000, "B": 30000}) == {"A": (Decimal("5.00"), None), "B": (Decimal("0.00"), None)}
    # 100 % above would be −15: floored at 0
    assert points({"A": 10000, "B": 10000, "C": 40000})["C"] == (Decimal("0.00"), None)


def test_a_price_above_the_ceiling_is_rejected_and_left_out_of_the_base():
    rule = PriceRule(ceiling_fen=12000)
    result = score_prices({"A": 9000, "B": 11000, "C": 12000, "D": 12001}, rule)
    assert result["D"].rejected == "above_ceiling" and result["D"].points is None
    assert result["C"].rejected is None  # at the ceiling is allowed
    # base of A, B, C = 32000 / 3 = 10666.67; A is 15.625 % below → 16 % → 15 − 3.2
    assert result["A"].deviation_percent == 16 and result["A"].points == Decimal("11.80")


def test_lowest_price_first():
    rule = PriceRule(method=PriceMethod.LOWEST_PRICE)
    # 9000 / 11000 × 15 = 12.2727… → 12.27; 9000 / 9000 × 15 = 15
    assert points({"A": 9000, "B": 11000}, rule) == {"A": (Decimal("15.00"), None), "B": (Decimal("12.27"), None)}
    # rounded half up once: 2000 / 2400 × 15 = 12.5 exactly; 1 / 8 × 15 = 1.875 → 1.88
    assert points({"A": 2000, "B": 2400, "C": 16000}, rule)["C"] == (Decimal("1.88"), None)


def test_guidance_price_gives_zero_but_still_rejects_above_the_ceiling():
    rule = PriceRule(method=PriceMethod.GUIDANCE_FIXED, ceiling_fen=10000)
    assert points({"A": 9000, "B": 10001}, rule) == {"A": (Decimal("0.00"), None), "B": (None, "above_ceiling")}


def test_a_price_that_is_not_positive_is_rejected():
    assert points({"A": 0, "B": 10000})["A"] == (None, "not_positive")
