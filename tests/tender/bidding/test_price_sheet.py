"""The price sheet check shared by the bid page and the opening."""

from __future__ import annotations

import copy

from tender.bidding.price_sheet import annual_total, decode, encode, id_number_ok, rules, validate_price_sheet


def sheet(tender, fee=250, **changes):
    fees = {a.property_type.value: fee for a in tender.areas}
    data = {
        "schema_version": 1, "fee_model": "lump_sum",
        "fees": [{"property_type": k, "fee_fen_per_m2_month": v} for k, v in fees.items()],
        "commission_rate_bp": None, "commission_fixed_fen": None,
        "annual_total_fen": annual_total(tender, fees),
        "labour_cost_monthly_fen": 9_000_000,
        "staffing": [{"post": "秩序维护", "headcount": 12, "monthly_cost_fen": 6_000_000},
                     {"post": "保洁", "headcount": 8, "monthly_cost_fen": 3_000_000}],
        "project_manager": {"name": "王经理", "certificate_no": "PM-2020-0001", "phone": "13800000000"},
        "contact": {"name": "李联系", "phone": "021-64000000"},
        "key_people": [{"name": "张工", "post": "工程主管", "certificate_no": "", "id_number": "11010519491231002X",
                        "phone": "13900000000"}],
    }
    data.update(changes)
    return data


def test_a_complete_sheet_is_clean_and_encodes_canonically(make_tender):
    tender, _ = make_tender("published")
    clean, errors = validate_price_sheet(tender, sheet(tender))
    assert errors == {}
    # 250 fen × (85000 + 3000) m² × 12
    assert clean["annual_total_fen"] == 250 * 88000 * 12
    assert decode(encode(clean)) == clean
    assert rules(tender)["areas"] == [{"property_type": "residential", "floor_area_m2": 85000},
                                      {"property_type": "commercial", "floor_area_m2": 3000}]


def test_each_rule_names_its_field(make_tender):
    tender, _ = make_tender("published")
    good = sheet(tender)
    cases = {
        "schema_version": dict(schema_version=2),
        "fee_model": dict(fee_model="commission", commission_rate_bp=800),
        "annual_total_fen": dict(annual_total_fen=good["annual_total_fen"] + 1),
        "labour_cost_monthly_fen": dict(labour_cost_monthly_fen=1),
        "commission": dict(commission_rate_bp=500),
        "fees.commercial": dict(fees=good["fees"][:1]),
        "fees[0].fee_fen_per_m2_month": dict(fees=[{"property_type": "residential", "fee_fen_per_m2_month": "2.5"},
                                                   good["fees"][1]]),
        "staffing": dict(staffing=[]),
        "project_manager.phone": dict(project_manager={"name": "王", "certificate_no": "x", "phone": "call me"}),
        "key_people[0].id_number": dict(key_people=[dict(good["key_people"][0], id_number="110105194912310021")]),
    }
    for field, change in cases.items():
        clean, errors = validate_price_sheet(tender, sheet(tender, **copy.deepcopy(change)))
        assert clean is None and field in errors, (field, errors)
    assert validate_price_sheet(tender, "not a sheet")[0] is None


def test_a_commission_tender_takes_a_rate_or_a_fixed_amount(make_tender):
    tender, _ = make_tender("published", fee_model="commission")
    assert validate_price_sheet(tender, sheet(tender, fee_model="commission", commission_rate_bp=800))[1] == {}
    assert validate_price_sheet(tender, sheet(tender, fee_model="commission",
                                              commission_fixed_fen=1_200_000))[1] == {}
    both = sheet(tender, fee_model="commission", commission_rate_bp=800, commission_fixed_fen=1)
    assert "commission" in validate_price_sheet(tender, both)[1]


def test_identity_numbers_carry_their_check_character():
    assert id_number_ok("11010519491231002X")
    assert not id_number_ok("110105194912310021")
