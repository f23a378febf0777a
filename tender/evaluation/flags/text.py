"""Near-duplicate technical proposals (雷同标书): shingle similarity between every pair of bids after
the tender documents' own text is removed, with the shared passages side by side, and rare strings
(likely shared errors) that only two bids contain.

Texts are folded first: compatibility forms (NFKC), lower case, and only letters and digits kept, so
line breaks, spacing and punctuation that PDF extraction scatters do not matter. A *shingle* is a run
of ``shingle_chars`` folded characters; each bid becomes the set of its shingles' 64-bit hashes (the
sets are exact, so the figures are exact up to hash collisions, about one in 10^19 per pair of
shingles). Shingles of the tender documents, and shingles found in more than the rule's share of the
bids (common phrasing), are taken out before any comparison. Two bids are compared by containment
(shared shingles over the smaller bid's) and Jaccard similarity. Comparing every pair of sets is
quadratic in bids, which is cheap at the tens of bids a tender has.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from itertools import combinations

from tender.evaluation.flags.base import Evidence, Flag, figure
from tender.evaluation.rules import FlagRule

_DROP = re.compile(r"[\W_]+")
CONTEXT_CHARS = 12


@dataclass(frozen=True)
class BidText:
    """A bid's technical text, page by page."""

    bid: str
    pages: tuple[str, ...]


def fold(text: str) -> str:
    """Text as compared: NFKC, lower case, letters and digits only."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text)).casefold()


class Folded:
    """A bid's folded text, where each page starts in it, and its shingle hashes."""

    def __init__(self, bid: str, pages: tuple[str, ...], k: int):
        self.bid, self.pages, self.k = bid, pages, k
        parts = [fold(p) for p in pages]
        self.starts, position = [], 0
        for part in parts:
            self.starts.append(position)
            position += len(part)
        self.text = "".join(parts)
        self.shingles = {hash(self.text[i:i + k]) for i in range(len(self.text) - k + 1)}

    @property
    def hashes(self) -> list[int]:
        """The shingle hashes in text order (made again when asked: only pairs that are flagged need them)."""
        text, k = self.text, self.k
        return [hash(text[i:i + k]) for i in range(len(text) - k + 1)]

    def page_of(self, position: int) -> int:
        low, high = 0, len(self.starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self.starts[middle] <= position:
                low = middle
            else:
                high = middle - 1
        return low

    def original(self, start: int, end: int) -> tuple[str, str]:
        """The original text (white space folded) of a folded span, and where it is ("A p. 3")."""
        page = self.page_of(start)
        text = self.pages[page]
        offset = self.starts[page]
        where, count = [], 0
        for index, ch in enumerate(text):
            if fold(ch):
                where.extend([index] * len(fold(ch)))
                count += 1
        first = where[min(start - offset, len(where) - 1)] if where else 0
        last = where[min(end - offset, len(where)) - 1] + 1 if where else 0
        return " ".join(text[first:last].split()), f"{self.bid} p. {page + 1}"


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """Maximal runs of True as (first index, last index)."""
    runs, start = [], None
    for index, value in enumerate(flags):
        if value and start is None:
            start = index
        elif not value and start is not None:
            runs.append((start, index - 1))
            start = None
    if start is not None:
        runs.append((start, len(flags) - 1))
    return runs


def _locate(passage: str, text: str, k: int) -> int:
    """Where in ``text`` the passage starts: the place of its longest prefix found there."""
    low, high = k, len(passage)
    if text.find(passage) >= 0:
        return text.find(passage)
    while low < high:  # the longest prefix (at least one shingle long) that ``text`` contains
        middle = (low + high + 1) // 2
        if text.find(passage[:middle]) >= 0:
            low = middle
        else:
            high = middle - 1
    return max(0, text.find(passage[:low]))


def shared_passages(a: Folded, b: Folded, usable: set[int], rule: FlagRule) -> list[Evidence]:
    """The longest passages of ``a`` found in ``b``, side by side, longest first."""
    a_hashes = a.hashes
    in_b = [h in usable for h in a_hashes]
    passages = []
    for start, last in _runs(in_b):
        length = last - start + a.k
        if length < rule.passage_min_chars:
            continue
        passages.append((length, start, _locate(a.text[start:start + length], b.text, a.k)))
    passages.sort(key=lambda p: (-p[0], p[1]))
    evidence = []
    for length, start, where_b in passages[:rule.max_passages]:
        left, left_ref = a.original(start, start + length)
        right, right_ref = b.original(where_b, where_b + length)
        evidence.append(Evidence("passage", left, right, left_ref, right_ref))
    return evidence


def _common(folded: list[Folded], tender: set[int], share: float) -> set[int]:
    counts = Counter()
    for f in folded:
        counts.update(f.shingles)
    limit = max(2, share * len(folded))
    return tender | {h for h, n in counts.items() if n > limit}


def similar_texts(texts: list[BidText], tender_pages: tuple[str, ...], rule: FlagRule, progress=None) -> list[Flag]:
    """Every pair of bids whose texts share more than the rule's containment, with the passages."""
    k = rule.shingle_chars
    folded = [Folded(t.bid, t.pages, k) for t in texts]
    tender = Folded("tender", tender_pages, k).shingles if tender_pages else set()
    removed = _common(folded, tender, float(rule.common_shingle_share))
    own = {f.bid: f.shingles - removed for f in folded}
    # Passages run over common phrasing too, but never over the tender documents' own text.
    outside_tender = {f.bid: f.shingles - tender for f in folded}
    flags = []
    pairs = list(combinations(folded, 2))
    for done, (a, b) in enumerate(pairs, start=1):
        sa, sb = own[a.bid], own[b.bid]
        if sa and sb:
            shared = len(sa & sb)
            containment = shared / min(len(sa), len(sb))
            if containment >= float(rule.similarity_min):
                jaccard = shared / (len(sa) + len(sb) - shared)
                flags.append(Flag("similar_text", (a.bid, b.bid), figures={
                    "containment": figure(containment), "jaccard": figure(jaccard), "shared_shingles": shared,
                    "shingle_chars": k, "threshold": rule.similarity_min},
                    evidence=tuple(shared_passages(a, b, outside_tender[a.bid] & outside_tender[b.bid], rule))))
        if progress is not None:
            progress("similar_text", done, len(pairs))
    return flags


def _cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _places(positions: list[int], k: int) -> list[tuple[int, int]]:
    """Positions of rare strings merged into places (strings that overlap or touch make one)."""
    merged: list[tuple[int, int]] = []
    for p in positions:
        if merged and p <= merged[-1][1] + k:
            merged[-1] = (merged[-1][0], p)
        else:
            merged.append((p, p))
    return merged


def rare_strings(texts: list[BidText], tender_pages: tuple[str, ...], rule: FlagRule,
                 skip_pairs: set[tuple[str, str]] = frozenset()) -> list[Flag]:
    """Pairs of bids sharing more short strings that no other bid and not the tender documents contain
    than pairs of bids usually do.

    Copied text carries its errors along: an odd word or a typo found in exactly two proposals is a
    lead even when the rest was reworded. Any two texts share a few such strings by chance (fewer the
    longer the texts are), so a pair is flagged when its places reach the rule's count plus three
    times the median of all pairs. Only Chinese strings count: numbers and codes are rare by nature.
    Pairs already flagged as similar text are left out.
    """
    k = rule.rare_chars
    folded = [Folded(t.bid, t.pages, k) for t in texts]
    tender = Folded("tender", tender_pages, k).shingles if tender_pages else set()
    counts = Counter()
    for f in folded:
        counts.update(f.shingles)
    twice = {h for h, n in counts.items() if n == 2} - tender
    holders: dict[int, list[str]] = {}
    for f in folded:
        for h in f.shingles & twice:
            holders.setdefault(h, []).append(f.bid)
    # Each string is looked up from the first of its two bids (in the order the bids were given).
    partner: dict[str, dict[int, str]] = {}
    for h, (first, second) in holders.items():
        partner.setdefault(first, {})[h] = second
    found: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for a in folded:
        mine = partner.get(a.bid)
        if not mine:
            continue
        positions: dict[str, list[int]] = {}
        text = a.text
        for i in range(len(text) - k + 1):
            piece = text[i:i + k]
            other = mine.get(hash(piece))
            if other is not None and all(_cjk(ch) for ch in piece):
                positions.setdefault(other, []).append(i)
        for other, where in positions.items():
            found[(a.bid, other)] = _places(where, k)
    pairs = len(folded) * (len(folded) - 1) // 2
    sizes = sorted(len(v) for v in found.values())
    sizes = [0] * (pairs - len(sizes)) + sizes
    median = (sizes[(len(sizes) - 1) // 2] + sizes[len(sizes) // 2]) / 2 if sizes else 0
    threshold = rule.rare_min_count + 3 * median
    index = {f.bid: f for f in folded}
    flags = []
    for (left, right), places in sorted(found.items()):
        if (left, right) in skip_pairs or len(places) < threshold:
            continue
        a, b = index[left], index[right]
        evidence = []
        for first, last in places[:rule.max_passages]:
            end = last + k
            where_b = b.text.find(a.text[first:end])
            l_text, l_ref = a.original(max(0, first - CONTEXT_CHARS), end + CONTEXT_CHARS)
            r_text, r_ref = b.original(max(0, where_b - CONTEXT_CHARS), where_b + (end - first) + CONTEXT_CHARS)
            evidence.append(Evidence("rare_string", l_text, r_text, l_ref, r_ref))
        flags.append(Flag("shared_rare_strings", (left, right), figures={
            "places": len(places), "chars": k, "median_of_pairs": figure(median, 1), "threshold": figure(threshold, 1)},
            evidence=tuple(evidence)))
    return flags
