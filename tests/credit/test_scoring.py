"""Scores and grades at past instants, branch → head office, manager weighting, eligibility."""

from __future__ import annotations

from datetime import timedelta

from core.db import db
from credit.operations import add_managed_project, credit_factor, eligibility, score_at

from .conftest import ago


def test_score_at_past_instants(make_firm, published_record):
    firm = make_firm()
    record = published_record(firm, "EX-F-06-01", published_at=ago(days=100))
    assert score_at(firm, ago(days=101)).score == 100
    assert score_at(firm, ago(days=99)).score == 94
    assert score_at(firm, ago(days=99)).grade == "B"
    # After its 12-month period the record no longer counts.
    assert score_at(firm, record.expires_at + timedelta(seconds=1)).score == 100


def test_branch_records_count_against_head_office(make_firm, published_record):
    head = make_firm("上海总部物业有限公司")
    branch = make_firm("上海总部物业有限公司浦东分公司", head_office_id=head.id)
    published_record(branch, "EX-F-03-01", published_at=ago(days=5))
    assert score_at(head).score == 97
    assert score_at(branch).score == 97


def test_manager_points_weighted_by_floor_area(make_firm, make_manager, published_record):
    firm = make_firm()
    a, b = make_manager(firm), make_manager(firm)
    since = ago(days=400)
    add_managed_project(firm, {"community": "甲小区", "floor_area_m2": 30000, "started_at": since, "manager_id": a.id}, actor=None)
    add_managed_project(firm, {"community": "乙小区", "floor_area_m2": 10000, "started_at": since, "manager_id": b.id}, actor=None)
    db.session.commit()
    published_record(a, "SH-P-06-01", published_at=ago(days=3))  # 6 points × 30000/40000 = 4.5
    standing = score_at(firm)
    assert standing.manager_points == -4.5
    assert standing.score == 95.5
    assert score_at(a).own_points == -6


def test_serious_record_lists_firm_and_blocks_bidding(make_firm, published_record):
    firm = make_firm()
    published_record(firm, "SH-F-18-04", published_at=ago(days=10))
    result = eligibility(firm, ago(days=1))
    assert not result.eligible and "seriously_untrustworthy_list" in result.reasons
    assert credit_factor(firm, ago(days=1)) == 0.0
    # At an instant before publication (a tender's deadline) the firm was eligible.
    before = eligibility(firm, ago(days=11))
    assert before.eligible and credit_factor(firm, ago(days=11)) == 1.0


def test_reduced_points_and_good_conduct(make_firm, published_record):
    from credit.models import Decision

    firm = make_firm()
    published_record(firm, "EX-F-06-01", published_at=ago(days=3), decision=Decision.REDUCED, points=2)
    published_record(firm, "EX-F-G-01", published_at=ago(days=2))
    assert score_at(firm).score == 100


def test_eligibility_accepts_platform_organisation(make_org, make_firm, published_record):
    from core.accounts.models import OrgKind

    firm = make_firm()
    org = make_org(OrgKind.FIRM, uscc=firm.uscc)
    published_record(firm, "EX-F-06-01", published_at=ago(days=2))
    assert eligibility(org, ago(hours=1)).standing.score == 94
    newcomer = make_org(OrgKind.FIRM)
    assert eligibility(newcomer, ago(hours=1)).eligible


def test_grade_thresholds_are_data(make_firm, published_record):
    from credit.operations.rules import set_grade, set_policy

    firm = make_firm()
    published_record(firm, "EX-F-06-01", published_at=ago(days=2))
    assert score_at(firm).grade == "B"
    set_grade({"grade": "A", "min_score": 90, "may_bid": True, "factor": 1.0}, actor=None)
    assert score_at(firm).grade == "A"
    set_grade({"grade": "A", "min_score": 95, "may_bid": True, "factor": 1.0}, actor=None)
    set_policy({"base_score": 110}, actor=None)
    assert score_at(firm).score == 104 and score_at(firm).grade == "A"
    set_policy({"base_score": 100}, actor=None)
