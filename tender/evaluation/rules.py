"""Rule values of the evaluation stage (评标规则参数), as dated data.

Each topic has a dataclass whose defaults are the values in force when no dated row says
otherwise (national practice and the issue's figures). The city bureau adds a row with a
``valid_from`` instant; a question about an instant uses the newest row in force then
(:func:`tender.evaluation.operations.rules.rule_at`). A row holds only the values it changes; the
others come from the rule in force before it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

# Professional titles (职称) an expert may hold; the senior ones are listed by the pool rule.
TITLES = ("professor_engineer", "senior_engineer", "senior_economist", "senior_accountant",
          "engineer", "economist", "accountant", "other")
CONDUCT_KINDS = ("late_locking", "absent_after_accepting", "flagged_scoring_upheld", "evaluation_misconduct",
                 "other")


@dataclass(frozen=True)
class PoolRule:
    """Who may sit in the pool, what counts as a conflict, and how conduct lowers the draw weight."""

    min_years: int = 8  # years of practice
    senior_titles: tuple[str, ...] = ("professor_engineer", "senior_engineer", "senior_economist", "senior_accountant")
    conflict_years: int = 3  # worked for a party of the tender within this many years
    misconduct_years: int = 5  # a penalty for evaluation misconduct excludes for this long
    conduct_years: int = 3  # conduct records lower the weight for this long
    min_weight: int = 100  # thousandths: the lowest draw weight
    # Thousandths taken off the weight by one record of each kind, unless the record says otherwise.
    conduct_effects: dict = field(default_factory=lambda: {
        "late_locking": 100, "absent_after_accepting": 300, "flagged_scoring_upheld": 200,
        "evaluation_misconduct": 500, "other": 0,
    })


@dataclass(frozen=True)
class DrawRule:
    """Panel make-up and when the draw may be held."""

    min_size: int = 5
    expert_share: tuple[int, int] = (2, 3)  # experts make at least this fraction of the panel
    min_reserves: int = 2
    max_tenderer_representatives: int = 1
    window_hours: int = 48  # the draw is held at most this long before the evaluation starts


@dataclass(frozen=True)
class FlagRule:
    """Thresholds of the flags engine (every flag is a lead for the bureau, never a verdict)."""

    score_deviation_share: str = "0.30"  # of the item's maximum, from the other experts' mean
    min_experts_for_correlation: int = 3
    correlation_below: str = "0"  # Spearman's rho of an expert's ranking against the others'
    creation_minutes: int = 10  # documents of two bids created within this many minutes
    common_tool_max_share: str = "0.5"  # a tool used by more bids than this share is not a lead
    generic_metadata: tuple[str, ...] = ("administrator", "admin", "user", "微软用户", "微软中国", "windows 用户",
                                         "unknown", "作者", "author", "")
    shingle_chars: int = 8
    common_shingle_share: str = "0.5"  # a shingle in more of the bids than this is common phrasing
    similarity_min: str = "0.50"  # containment of the smaller bid's shingles in the other's
    passage_min_chars: int = 60
    max_passages: int = 10
    rare_chars: int = 2
    rare_min_count: int = 4
    low_price_share: str = "0.15"  # below the mean of the other prices by this share
    # Labour cost per person and month under which a staffing plan cannot be paid: Shanghai's
    # minimum monthly wage from 1 July 2023 (2,690 yuan); the bureau sets its own floor.
    labour_floor_fen: int = 269000
    progression_tolerance: str = "0.002"  # of the mean step, for prices in a regular progression
    progression_min_bids: int = 3
    dispersion_cv_below: str = "0.01"
    lowest_gap_above: str = "0.10"  # (second lowest − lowest) / second lowest


@dataclass(frozen=True)
class ScoringRule:
    """Invitations, scoring and locking of one evaluation."""

    answer_hours: int = 4  # an invited expert accepts or declines within this many hours
    lock_hours: int = 8  # sheets locked later than this after the evaluation starts count as late
    step_tenths: int = 5  # scores between the anchors in steps of this many tenths of a point
    # A score at either end of an item's range (0 or the maximum) needs a written reason of at least this length.
    reason_min_chars: int = 10
    reason_max_chars: int = 2000
    min_candidates: int = 1
    max_candidates: int = 3


TOPICS = {"pool": PoolRule, "draw": DrawRule, "flags": FlagRule, "scoring": ScoringRule}


class RuleValueError(ValueError):
    """A dated rule row names a value the topic does not have, or gives the wrong kind of value."""

    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.name = name


def _coerce(name: str, default, value):
    if isinstance(default, bool) or isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise RuleValueError(name, "a whole number")
        if value < 0:
            raise RuleValueError(name, "not negative")
        return value
    if isinstance(default, str):
        from decimal import Decimal, InvalidOperation

        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise RuleValueError(name, "a decimal number") from None
        if not number.is_finite() or number < -1 or number > 1000:
            raise RuleValueError(name, "a decimal number in range")
        return str(number)
    if isinstance(default, tuple):
        if not isinstance(value, (list, tuple)):
            raise RuleValueError(name, "a list")
        if len(default) == 2 and all(isinstance(v, int) for v in default):
            if len(value) != 2 or not all(isinstance(v, int) and v > 0 for v in value) or value[0] > value[1]:
                raise RuleValueError(name, "a fraction [numerator, denominator]")
            return tuple(value)
        return tuple(str(v) for v in value)
    if isinstance(default, dict):
        if not isinstance(value, dict) or not all(isinstance(v, int) and 0 <= v <= 1000 for v in value.values()):
            raise RuleValueError(name, "thousandths from 0 to 1000 by kind")
        return {**default, **value}
    raise RuleValueError(name, "unsupported")


def build(topic: str, layers: list[dict]):
    """The topic's rule: its defaults, then each layer of changed values, oldest first."""
    cls = TOPICS[topic]
    rule = cls()
    for values in layers:
        known = {f.name for f in dataclasses.fields(cls)}
        changes = {}
        for name, value in values.items():
            if name not in known:
                raise RuleValueError(name, "not a value of this rule")
            changes[name] = _coerce(name, getattr(rule, name), value)
        rule = dataclasses.replace(rule, **changes)
    return rule


def as_values(rule) -> dict:
    """A rule as plain JSON values (for the rules page and the published draw filters)."""
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in dataclasses.asdict(rule).items()}
