"""Business operations of the evaluation stage: they flush and record audit events, never commit.

The bidding/evaluation wiring calls :func:`prepare_draw` (with a :class:`DrawRequest`),
:func:`perform_draw`, :func:`replace_member`, :func:`verify_draw` and :func:`record_expert_conduct`;
the pages call the profile and pool operations.
"""

from tender.evaluation.operations.draw import (
    DrawRequest,
    PanelSpec,
    Verification,
    candidates_for,
    check_panel,
    perform_draw,
    prepare_draw,
    public_record,
    replace_member,
    serving_seats,
    verify_draw,
)
from tender.evaluation.operations.pool import (
    available_on,
    decide_employer_change,
    declare_relation,
    mark_unavailable,
    profile_actions,
    profile_for,
    propose_employer_change,
    record_employment,
    remove_unavailability,
    update_profile,
    withdraw_relation,
)
from tender.evaluation.operations.rules import rule_at, rule_history, set_rule
from tender.evaluation.operations.standing import (
    bureau_actions,
    draw_weight,
    eligibility,
    pool_counts,
    pool_query,
    record_expert_conduct,
    years_of_practice,
)

__all__ = [
    "DrawRequest", "PanelSpec", "Verification", "candidates_for", "check_panel", "perform_draw", "prepare_draw",
    "public_record", "replace_member", "serving_seats", "verify_draw",
    "available_on", "decide_employer_change", "declare_relation", "mark_unavailable", "profile_actions",
    "profile_for", "propose_employer_change", "record_employment", "remove_unavailability", "update_profile",
    "withdraw_relation", "rule_at", "rule_history", "set_rule",
    "bureau_actions", "draw_weight", "eligibility", "pool_counts", "pool_query", "record_expert_conduct",
    "years_of_practice",
]
