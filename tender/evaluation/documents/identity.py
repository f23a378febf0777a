"""The blind check (暗标检查), text part: where a technical document names its bidder.

Technical parts are scored blind, so a proposal that shows the firm's name, its USCC, its managers'
names or certificate numbers, or its phone numbers is reported to the bureau (never to experts).
Texts taken from PDFs break lines and space characters freely, so matching ignores white space,
and codes and numbers are matched on their letters and digits alone (``021-5555 0100`` matches
``02155550100``). Compatibility forms (full-width digits) are folded first.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

SNIPPET_CHARS = 20
# A firm's name without its city and its legal form, plus 物业, is how a proposal often names it.
CITY_PREFIX = re.compile(r"^(上海市|上海)")
LEGAL_FORM = re.compile(r"(物业管理|物业服务|物业)?(股份)?(有限责任公司|有限公司|公司)$")


@dataclass(frozen=True)
class Person:
    """Someone whose name or numbers would identify the bidder: a manager in the staffing plan."""

    name: str
    certificate_no: str | None = None
    phone: str | None = None
    id_number: str | None = None


@dataclass(frozen=True)
class BidderIdentity:
    firm_name: str
    uscc: str | None = None
    people: tuple[Person, ...] = ()
    phones: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    """One place a document names its bidder."""

    page: int  # 1-based
    kind: str  # firm_name, uscc, person_name, certificate, phone, id_number
    snippet: str  # the text around the place, white space folded
    matched: str  # the identifying value that was found


class _View:
    """A page folded for matching, with the position in the original text of every kept character."""

    def __init__(self, text: str, keep):
        chars, where = [], []
        for index, ch in enumerate(text):
            for folded in unicodedata.normalize("NFKC", ch):
                if keep(folded):
                    chars.append(folded.casefold())
                    where.append(index)
        self.text, self.where = "".join(chars), where

    def find_all(self, needle: str):
        start = self.text.find(needle)
        while start >= 0:
            yield self.where[start], self.where[start + len(needle) - 1] + 1
            start = self.text.find(needle, start + len(needle))


def _fold(value: str, keep) -> str:
    return "".join(c.casefold() for c in unicodedata.normalize("NFKC", value) if keep(c))


def _not_space(ch: str) -> bool:
    return not ch.isspace()


def _alnum(ch: str) -> bool:
    return ch.isalnum()


def name_variants(firm_name: str) -> list[str]:
    """The firm's full name, without the city, and its short form (the distinctive part and 物业)."""
    full = _fold(firm_name, _not_space)
    variants = [full]
    no_city = CITY_PREFIX.sub("", full)
    core = LEGAL_FORM.sub("", no_city)
    if no_city != full:
        variants.append(no_city)
    if len(core) >= 2:
        variants.append(core + "物业")
    return list(dict.fromkeys(v for v in variants if len(v) >= 4))


def _needles(identity: BidderIdentity) -> list[tuple[str, str, bool]]:
    """(kind, folded needle, matched on letters and digits only)."""
    needles = [("firm_name", v, False) for v in name_variants(identity.firm_name)]
    if identity.uscc:
        needles.append(("uscc", _fold(identity.uscc, _alnum), True))
    phones = list(identity.phones)
    for person in identity.people:
        if len(_fold(person.name, _not_space)) >= 2:
            needles.append(("person_name", _fold(person.name, _not_space), False))
        if person.certificate_no:
            needles.append(("certificate", _fold(person.certificate_no, _alnum), True))
        if person.id_number:
            needles.append(("id_number", _fold(person.id_number, _alnum), True))
        if person.phone:
            phones.append(person.phone)
    needles += [("phone", _fold(p, _alnum), True) for p in phones]
    # Numbers shorter than 6 characters match too much text to mean anything.
    return [(k, n, a) for k, n, a in dict.fromkeys(needles) if len(n) >= (6 if a else 2)]


def _snippet(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start - SNIPPET_CHARS):end + SNIPPET_CHARS].split())


def scan_identity(pages: list[str], identity: BidderIdentity) -> list[Hit]:
    """Every place in the pages that names the bidder, in page order."""
    needles = _needles(identity)
    hits: list[Hit] = []
    for number, text in enumerate(pages, start=1):
        views = {False: _View(text, _not_space), True: _View(text, _alnum)}
        taken: list[tuple[int, int]] = []
        found = []
        # Longer needles first, so a short name inside a full name is not reported twice.
        for kind, needle, alnum in sorted(needles, key=lambda n: -len(n[1])):
            for start, end in views[alnum].find_all(needle):
                if any(s <= start and end <= e for s, e in taken):
                    continue
                taken.append((start, end))
                found.append((start, Hit(number, kind, _snippet(text, start, end), text[start:end])))
        hits += [hit for _start, hit in sorted(found, key=lambda f: f[0])]
    return hits
