"""The flags engine: each flag raised on a crafted case and not on a clean one."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal as D

from tender.evaluation.documents import DocumentMetadata
from tender.evaluation.flags import (
    BidFingerprint, BidPrice, BidStaff, FileFacts, FlagInputs, ScoredItem, StaffMember, price_figures, run_flags,
)
from tender.evaluation.flags.fingerprints import fingerprint_flags
from tender.evaluation.flags.prices import price_flags
from tender.evaluation.flags.scores import contrary_rankings, outlying_scores, spearman
from tender.evaluation.flags.staff import staff_overlap
from tender.evaluation.rules import FlagRule

RULE = FlagRule()
T0 = datetime(2027, 3, 1, 8, 0, tzinfo=timezone.utc)


def kinds(flags):
    return sorted((f.kind, f.bids) for f in flags)


# Scores ------------------------------------------------------------------------------------------


def sheet(table: dict[str, dict[str, str]], item="plan", maximum="10"):
    return [ScoredItem(expert, bid, item, D(points), D(maximum)) for expert, row in table.items() for bid, points in row.items()]


def test_an_item_score_more_than_30_percent_of_the_maximum_from_the_others_is_flagged():
    # others' mean for e4 on A is 7; 3.9 is 3.1 away (over 3.0); 4.0 would be exactly 3.0 (not over)
    flags = outlying_scores(sheet({"e1": {"A": "7"}, "e2": {"A": "7"}, "e3": {"A": "7"}, "e4": {"A": "3.9"}}), RULE)
    assert [(f.kind, f.experts, f.figures["distance"]) for f in flags] == [("score_outlier", ("e4",), "3.10")]
    assert outlying_scores(sheet({"e1": {"A": "7"}, "e2": {"A": "7"}, "e3": {"A": "7"}, "e4": {"A": "4"}}), RULE) == []


def test_an_expert_ranking_against_the_others_is_flagged():
    agree = {"A": "9", "B": "7", "C": "5", "D": "3"}
    table = {"e1": agree, "e2": {"A": "8", "B": "7", "C": "6", "D": "2"}, "e3": agree,
             "e4": {"A": "2", "B": "4", "C": "6", "D": "9"}}
    flags = contrary_rankings(sheet(table, maximum="100"), RULE)
    assert [(f.kind, f.experts) for f in flags] == [("ranking_contrary", ("e4",))]
    assert D(flags[0].figures["rho"]) == D("-1.000")
    assert contrary_rankings(sheet({"e1": agree, "e2": agree, "e3": agree}, maximum="100"), RULE) == []


def test_spearman_with_ties_and_too_few_bids():
    assert spearman({"A": D(1), "B": D(2), "C": D(3)}, {"A": D(1), "B": D(2), "C": D(3)}) == 1.0
    assert spearman({"A": D(1), "B": D(1), "C": D(1)}, {"A": D(1), "B": D(2), "C": D(3)}) is None
    assert spearman({"A": D(1), "B": D(2)}, {"A": D(1), "B": D(2)}) is None


# Fingerprints ------------------------------------------------------------------------------------


def meta(**values):
    return DocumentMetadata(format="pdf", **values)


def bid(code, *files, **values):
    return BidFingerprint(code, tuple(files), **values)


def test_identical_files_but_not_the_tender_s_own_forms():
    flags = fingerprint_flags([bid("A", FileFacts("a.pdf", "1" * 64), FileFacts("form.pdf", "f" * 64)),
                               bid("B", FileFacts("b.pdf", "1" * 64), FileFacts("form.pdf", "f" * 64)),
                               bid("C", FileFacts("c.pdf", "2" * 64))], RULE, frozenset({"f" * 64}))
    assert kinds(flags) == [("identical_file", ("A", "B"))]


def test_shared_authors_companies_and_document_ids_but_not_generic_names():
    flags = fingerprint_flags([
        bid("A", FileFacts("a", "a", meta(author="张三", company="某公司", document_id="ab"))),
        bid("B", FileFacts("b", "b", meta(author="张 三", document_id="ab"))),
        bid("C", FileFacts("c", "c", meta(author="Administrator", company="另一公司"))),
        bid("D", FileFacts("d", "d", meta(author="administrator"))),
    ], RULE)
    assert sorted((f.figures["field"], f.bids) for f in flags) == [("author", ("A", "B")), ("document_id", ("A", "B"))]


def test_a_tool_is_a_lead_only_when_few_bids_share_it():
    few = [bid("A", FileFacts("a", "a", meta(creator_tool="某小众排版工具 1.2"))),
           bid("B", FileFacts("b", "b", meta(creator_tool="某小众排版工具 1.2"))),
           bid("C", FileFacts("c", "c", meta(creator_tool="WPS"))), bid("D", FileFacts("d", "d", meta(creator_tool="Word")))]
    assert kinds(fingerprint_flags(few, RULE)) == [("shared_metadata", ("A", "B"))]
    common = [bid(c, FileFacts(c, c, meta(creator_tool="WPS"))) for c in "ABCD"]
    assert fingerprint_flags(common, RULE) == []


def test_creation_times_within_ten_minutes():
    def at(minutes):
        return meta(created_at=T0 + timedelta(minutes=minutes))

    flags = fingerprint_flags([bid("A", FileFacts("a", "a", at(0))), bid("B", FileFacts("b", "b", at(10))),
                               bid("C", FileFacts("c", "c", at(30))), bid("D", FileFacts("d", "d", at(40.5)))], RULE)
    assert kinds(flags) == [("creation_times_close", ("A", "B"))]
    assert flags[0].figures["minutes_apart"] == "10.0"


def test_the_same_uploader_device_address_or_security_account():
    flags = fingerprint_flags([
        bid("A", uploader_user_id=7, device_ids=("dev-1",), addresses=("10.0.0.1",), security_account="6222 0001"),
        bid("B", uploader_user_id=7, device_ids=("dev-2",), addresses=("10.0.0.1",), security_account="62220001"),
        bid("C", uploader_user_id=8, device_ids=("dev-3",), addresses=("10.0.0.2",), security_account="6222 0002"),
    ], RULE)
    assert kinds(flags) == [("same_address", ("A", "B")), ("same_security_account", ("A", "B")),
                            ("same_uploader", ("A", "B"))]
    clean = [bid(c, uploader_user_id=n, device_ids=(c,), addresses=(c,)) for n, c in enumerate("ABC")]
    assert fingerprint_flags(clean, RULE) == []


# Staff ------------------------------------------------------------------------------------------


def test_the_same_person_contact_or_project_manager_in_two_bids():
    pm = StaffMember("王小明", "project_manager", certificate_no="沪物2019-0012", phone="13912345678")
    flags = staff_overlap([
        BidStaff("A", (StaffMember("李四", id_number="310104198001011234"),), StaffMember("赵六", phone="13800000001"), pm),
        BidStaff("B", (StaffMember("李 四", id_number="310104198001011234"),), StaffMember("赵六", phone="13800000001"), pm),
        BidStaff("C", (StaffMember("钱七", id_number="310104198001015678"),), StaffMember("孙八", phone="13800000002"),
                 StaffMember("周九", certificate_no="沪物2020-0001")),
    ])
    assert kinds(flags) == [("same_contact", ("A", "B")), ("same_project_manager", ("A", "B")),
                            *[("shared_staff", ("A", "B"))] * 4]
    by = sorted(f.figures["by"] for f in flags if f.kind == "shared_staff")
    assert by == ["certificate_no", "id_number", "phone", "phone"]  # the manager's phone and the contact's
    assert next(f for f in flags if f.figures.get("by") == "id_number").figures["value"] == "…1234"


def test_different_people_raise_nothing():
    assert staff_overlap([BidStaff("A", (StaffMember("李四", phone="13900000001"),)),
                          BidStaff("B", (StaffMember("李四", phone="13900000002"),))]) == []


# Prices -----------------------------------------------------------------------------------------


def prices(*values, **extra):
    return [BidPrice(chr(65 + i), v, **extra) for i, v in enumerate(values)]


def test_identical_prices():
    assert ("identical_price", ("A", "C")) in kinds(price_flags(prices(100000, 120000, 100000, 90000), RULE))


def test_prices_in_a_regular_progression():
    flags = [f for f in price_flags(prices(100000, 110000, 120000, 130000, 95500), RULE) if f.kind == "price_progression"]
    assert [(f.bids, f.figures["progression"], f.figures["step"]) for f in flags] == [(("A", "B", "C", "D"), "arithmetic", "10000")]
    geometric = [f for f in price_flags(prices(100000, 105000, 110250, 93000), RULE) if f.kind == "price_progression"]
    assert geometric[0].figures["progression"] == "geometric" and geometric[0].bids == ("A", "B", "C")
    assert not [f for f in price_flags(prices(100000, 104000, 111000, 93000), RULE) if f.kind == "price_progression"]


def test_a_price_15_percent_below_the_others_mean_is_abnormally_low():
    # others' mean 100000: 84999 is more than 15 % below; 85000 is exactly 15 % (not flagged)
    low = [f for f in price_flags(prices(84999, 100000, 100000), RULE) if f.kind == "abnormally_low"]
    assert [(f.bids, f.figures["others_mean_fen"]) for f in low] == [(("A",), "100000")]
    assert not [f for f in price_flags(prices(85000, 100000, 100000), RULE) if f.kind == "abnormally_low"]


def test_a_total_below_the_labour_cost_of_the_bid_s_own_staffing_plan():
    flags = price_flags([BidPrice("A", 100000, period_total_fen=269000 * 120 - 1, staff_person_months=120),
                         BidPrice("B", 100000, period_total_fen=269000 * 120, staff_person_months=120)], RULE)
    assert [(f.kind, f.bids) for f in flags if f.kind == "below_labour_floor"] == [("below_labour_floor", ("A",))]


def test_low_dispersion_and_a_large_gap_between_the_two_lowest():
    tight = price_flags(prices(100000, 100500, 101000, 100200), RULE)
    assert ("low_dispersion", ("A", "B", "C", "D")) in kinds(tight)
    gap = price_flags(prices(80000, 100000, 104000, 111000), RULE)
    assert ("lowest_gap", ("A",)) in kinds(gap)
    clean = price_flags(prices(95000, 100000, 108000, 113000), RULE)
    assert clean == []
    figures = price_figures(prices(95000, 100000, 108000, 113000))
    assert figures["relative_gap"] == "0.0500" and figures["bids"] == 4


def test_run_flags_reports_progress_and_gathers_every_kind():
    steps = []
    flags = run_flags(FlagInputs(prices=prices(100000, 100000, 100000)), RULE,
                      progress=lambda step, done, total: steps.append(step))
    assert {"identical_price", "low_dispersion"} <= {f.kind for f in flags}
    assert steps == ["rare_strings", "fingerprints", "staff", "prices", "scores"]
