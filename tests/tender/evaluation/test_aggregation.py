"""Aggregation and ranking, on a small case worked out by hand."""

from decimal import Decimal as D

import pytest

from tender.evaluation.aggregation import ItemScore, RankEntry, item_mean, rank, totals, unresolved_ties


def test_five_experts_drop_the_highest_and_the_lowest():
    mean, kept, dropped = item_mean([D("6"), D("8"), D("7"), D("3"), D("7.5")])
    assert dropped == (D("3"), D("8")) and kept == (D("6"), D("7"), D("7.5"))
    assert mean == D("6.83")  # 20.5 / 3 = 6.8333…


def test_four_experts_keep_every_score():
    mean, _kept, dropped = item_mean([D("6"), D("8"), D("7"), D("3")])
    assert dropped == () and mean == D("6.00")


def test_means_round_half_up_per_item():
    assert item_mean([D("6.5"), D("6.5"), D("6.5"), D("6.52")])[0] == D("6.51")  # 6.505 → 6.51
    with pytest.raises(ValueError):
        item_mean([])


def test_totals_add_item_means_and_formula_points():
    scores = []
    for expert, a, b in (("e1", "8", "6"), ("e2", "7", "6"), ("e3", "7", "7"), ("e4", "6", "5"), ("e5", "5", "8")):
        scores += [ItemScore(expert, "A", "plan", D(a)), ItemScore(expert, "B", "plan", D(b))]
        scores += [ItemScore(expert, "A", "similar", D("3")), ItemScore(expert, "B", "similar", D("4"))]
    result = totals(scores, {"A": D("14.7"), "B": D("13")}, technical_items={"plan"})
    # A plan: drop 8 and 5 → (7 + 7 + 6) / 3 = 6.67; B plan: drop 8 and 5 → (6 + 6 + 7) / 3 = 6.33
    assert result["A"].items == {"plan": D("6.67"), "similar": D("3.00")}
    assert result["B"].items == {"plan": D("6.33"), "similar": D("4.00")}
    assert result["A"].total == D("24.37") and result["B"].total == D("23.33")
    assert result["A"].technical == D("6.67")


def test_ties_go_to_the_lower_price_then_the_higher_technical_score_then_the_lot():
    entries = [
        RankEntry("A", D("88.50"), 100000, D("50"), lot=2),
        RankEntry("B", D("88.50"), 99000, D("48"), lot=3),  # same total, lower price: before A
        RankEntry("C", D("90.00"), 120000, D("52"), lot=1),
        RankEntry("D", D("88.50"), 100000, D("51"), lot=4),  # same total and price as A, higher technical
        RankEntry("E", D("70.00"), 100000, D("40"), lot=6),
        RankEntry("F", D("70.00"), 100000, D("40"), lot=5),  # only the lot separates E and F
    ]
    places = rank(entries)
    assert [(p, e.bid) for p, e in places] == [(1, "C"), (2, "B"), (3, "D"), (4, "A"), (5, "F"), (6, "E")]
    assert unresolved_ties(places) == []


def test_without_a_lot_equal_bids_share_a_place():
    entries = [RankEntry("A", D("80"), 100, D("40")), RankEntry("B", D("80"), 100, D("40")), RankEntry("C", D("79"), 90, D("45"))]
    places = rank(entries, tie_breakers=("price", "technical"))
    assert [(p, e.bid) for p, e in places] == [(1, "A"), (1, "B"), (3, "C")]
    assert unresolved_ties(places) == [("A", "B")]
