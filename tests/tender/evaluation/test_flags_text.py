"""Near-duplicate proposals and shared rare strings, on generated Chinese text."""

from __future__ import annotations

import sys
from pathlib import Path

from tender.evaluation.flags import BidText
from tender.evaluation.flags.text import fold, rare_strings, similar_texts
from tender.evaluation.rules import FlagRule

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
from evaluation_text import near_copy, proposal  # noqa: E402

RULE = FlagRule()


def bids(count=5, pages=12):
    return [BidText(chr(65 + n), tuple(proposal(100 + n, pages))) for n in range(count)]


def test_folding_ignores_spacing_punctuation_and_full_width_forms():
    assert fold("保洁 服务，\n每日２次！") == fold("保洁服务每日2次") == "保洁服务每日2次"


def test_a_reworded_copy_is_flagged_with_its_passages_side_by_side():
    texts = bids()
    texts.append(BidText("F", tuple(near_copy(list(texts[1].pages), seed=7, changed=0.2))))
    flags = similar_texts(texts, (), RULE)
    assert [f.bids for f in flags] == [("B", "F")]
    flag = flags[0]
    assert float(flag.figures["containment"]) > 0.6 and flag.evidence
    passage = flag.evidence[0]
    assert passage.left_ref.startswith("B p. ") and passage.right_ref.startswith("F p. ")
    assert fold(passage.left)[:60] == fold(passage.right)[:60] and len(fold(passage.left)) >= RULE.passage_min_chars


def test_independent_proposals_are_not_flagged():
    assert similar_texts(bids(), (), RULE) == []


def test_text_copied_from_the_tender_documents_does_not_count():
    tender = tuple(proposal(999, 6))
    texts = [BidText(t.bid, tender + t.pages[:4]) for t in bids(2)]
    assert [f.bids for f in similar_texts(texts, (), RULE)]  # without the tender documents they look alike
    assert similar_texts(texts, tender, RULE) == []


def test_progress_is_reported_pair_by_pair():
    seen = []
    similar_texts(bids(4, 2), (), RULE, progress=lambda step, done, total: seen.append((step, done, total)))
    assert seen[-1] == ("similar_text", 6, 6) and len(seen) == 6


def with_errors(text: BidText, errors: list[str]) -> BidText:
    pages = list(text.pages)
    for n, error in enumerate(errors):
        pages[n] = pages[n] + f"\n{error}。"
    return BidText(text.bid, tuple(pages))


ERRORS = ["物业管里处负责", "做好消访巡检", "电悌每月保养", "绿话养护到位"]


def test_the_same_rare_errors_in_two_proposals_are_flagged():
    texts = bids(15, 100)  # long enough that chance leaves few strings to two bids alone
    assert rare_strings(texts, (), RULE) == []
    texts[0], texts[3] = with_errors(texts[0], ERRORS), with_errors(texts[3], ERRORS)
    flags = rare_strings(texts, (), RULE)
    assert [f.bids for f in flags] == [("A", "D")] and flags[0].figures["places"] >= 4
    assert any("管里" in e.left and "管里" in e.right for e in flags[0].evidence)
    assert rare_strings(texts, (), RULE, skip_pairs={("A", "D")}) == []  # already flagged as similar text


def test_rare_strings_need_enough_places_and_ignore_numbers():
    texts = bids(15, 100)
    numbers = ["XQ-7781", "9917-2", "QZ-3310", "WX-0042"]
    texts[0], texts[3] = with_errors(texts[0], ERRORS[:2] + numbers), with_errors(texts[3], ERRORS[:2] + numbers)
    assert rare_strings(texts, (), RULE) == []


def test_in_short_texts_chance_raises_the_bar():
    texts = bids(5, 12)
    texts[0], texts[3] = with_errors(texts[0], ERRORS), with_errors(texts[3], ERRORS)
    assert rare_strings(texts, (), RULE) == []  # four typos are lost among the strings short texts share by chance
