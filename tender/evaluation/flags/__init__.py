"""The flags engine (异常线索): pure functions over input dataclasses that the bidding wiring fills.

Every flag is a lead for the bureau, never a verdict: it has a kind, the bids and experts involved,
the figures and the evidence. Thresholds are the dated ``flags`` rule
(:class:`tender.evaluation.rules.FlagRule`). :func:`run_flags` runs them all and reports progress,
for the job that will run it after the opening and again when scores are locked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tender.evaluation.flags.base import Evidence, Flag
from tender.evaluation.flags.fingerprints import BidFingerprint, FileFacts, fingerprint_flags
from tender.evaluation.flags.prices import BidPrice, price_figures, price_flags
from tender.evaluation.flags.scores import ScoredItem, contrary_rankings, outlying_scores
from tender.evaluation.flags.staff import BidStaff, StaffMember, staff_overlap
from tender.evaluation.flags.text import BidText, rare_strings, similar_texts
from tender.evaluation.rules import FlagRule

__all__ = [
    "BidFingerprint", "BidPrice", "BidStaff", "BidText", "Evidence", "FileFacts", "Flag", "FlagInputs",
    "ScoredItem", "StaffMember", "price_figures", "run_flags",
]


@dataclass
class FlagInputs:
    """Everything the flags look at for one tender; any part may be empty (scores come later than bids)."""

    texts: list[BidText] = field(default_factory=list)
    tender_pages: tuple[str, ...] = ()
    fingerprints: list[BidFingerprint] = field(default_factory=list)
    tender_file_sha256s: frozenset[str] = frozenset()
    staff: list[BidStaff] = field(default_factory=list)
    prices: list[BidPrice] = field(default_factory=list)
    scores: list[ScoredItem] = field(default_factory=list)


def run_flags(inputs: FlagInputs, rule: FlagRule, progress=None) -> list[Flag]:
    """Every flag for one tender; ``progress(step, done, total)`` is called as the work goes on."""
    def report(step: str, done: int = 1, total: int = 1) -> None:
        if progress is not None:
            progress(step, done, total)

    flags = similar_texts(inputs.texts, inputs.tender_pages, rule, progress=progress)
    similar = {f.bids for f in flags}
    flags += rare_strings(inputs.texts, inputs.tender_pages, rule, skip_pairs=similar)
    report("rare_strings")
    flags += fingerprint_flags(inputs.fingerprints, rule, inputs.tender_file_sha256s)
    report("fingerprints")
    flags += staff_overlap(inputs.staff)
    report("staff")
    flags += price_flags(inputs.prices, rule)
    report("prices")
    flags += outlying_scores(inputs.scores, rule) + contrary_rankings(inputs.scores, rule)
    report("scores")
    return flags
