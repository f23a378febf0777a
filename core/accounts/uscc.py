"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters: registration authority (1), organisation kind (1), division code (6), organisation
code (9, with its own GB 11714 check character) and the check character (1) computed here.
"""

from __future__ import annotations

import re
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# ASCII only: in Python patterns \d matches every script's digits, and a USCC has only 0-9 and A-Z.
SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$", re.ASCII)


def normalise(code: str) -> str:
    """Compatibility forms made plain (full-width ０-９ and Ａ-Ｚ, typed on a Chinese keyboard, become
    0-9 and A-Z), spaces removed, upper case."""
    return "".join(unicodedata.normalize("NFKC", code or "").split()).upper()


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """Why ``code`` is not a valid USCC (a short machine-readable reason), or None when it is."""
    code = normalise(code)
    if not code.isascii():
        return "not_ascii"
    if len(code) != 18:
        return "length"
    if not SHAPE.match(code):
        return "characters"
    if check_character(code[:17]) != code[17]:
        return "check_character"
    return None


def is_valid(code: str) -> bool:
    return problem(code) is None


def make(first17: str) -> str:
    """A valid code from its first 17 characters (demo data and tests)."""
    return first17 + check_character(first17)
