"""The verifiable panel draw (专家随机抽取), algorithm ``panel-draw/v1``.

Pure functions over the standard library. ``docs/panel-draw.md`` specifies every step so that
anyone can recompute a panel from the published record with a script of their own; this module is
the platform's implementation of that text and must stay byte-for-byte faithful to it.

Before the draw the platform publishes the commitment (a labelled SHA-256 of a secret seed), the
fixed list of candidates (pseudonyms and integer draw weights) and the filters. At the draw a
witness text is added (typed by the supervising officer present), the seed is revealed, and each
candidate's key is computed from an HMAC of its pseudonym; the highest keys are the members, the
next ones the reserves, in order.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext

ALGORITHM = "panel-draw/v1"
COMMITMENT_LABEL = b"panel-draw/v1 commitment\x00"
KEY_LABEL = b"panel-draw/v1 key\x00"
PSEUDONYM_LABEL = b"panel-draw/v1 pseudonym\x00"
SEED_BYTES = 32
SALT_BYTES = 16
# Weights are whole thousandths: 1000 is a full weight, 1 the smallest that still takes part.
WEIGHT_SCALE = 1000
# The decimal context of every key computation (see docs/panel-draw.md, step 4).
PRECISION = 50


class DrawDataError(ValueError):
    """Published draw data that the algorithm cannot work on (a bad weight, a repeated pseudonym)."""


@dataclass(frozen=True)
class Candidate:
    """One entry of the published candidate list."""

    pseudonym: str
    weight: int  # thousandths, 1..1000


@dataclass(frozen=True)
class Keyed:
    """A candidate with the figures the draw computed for it."""

    pseudonym: str
    weight: int
    uniform: int  # U, the 64-bit integer taken from the HMAC
    key: Decimal  # ln(u) / w, negative; higher draws first


@dataclass(frozen=True)
class Outcome:
    """The members and the reserves (in the order reserves are called), and every candidate's key."""

    members: tuple[str, ...]
    reserves: tuple[str, ...]
    ranking: tuple[Keyed, ...]


def new_seed() -> bytes:
    """A fresh secret seed (32 random bytes)."""
    return secrets.token_bytes(SEED_BYTES)


def new_salt() -> bytes:
    """A fresh pseudonym salt (16 random bytes)."""
    return secrets.token_bytes(SALT_BYTES)


def commitment(seed: bytes) -> str:
    """The published commitment to a seed: hex SHA-256 of the label and the seed."""
    if len(seed) != SEED_BYTES:
        raise DrawDataError(f"a seed is {SEED_BYTES} bytes")
    return hashlib.sha256(COMMITMENT_LABEL + seed).hexdigest()


def pseudonym(salt: bytes, expert_id: int) -> str:
    """An expert's name on one draw's list: the first 16 hex digits of HMAC-SHA256(salt, label ‖ id)."""
    mac = hmac.new(salt, PSEUDONYM_LABEL + str(int(expert_id)).encode("ascii"), hashlib.sha256)
    return mac.hexdigest()[:16]


def normal_witness(witness: str) -> str:
    """The witness text as it enters the key: Unicode NFC, surrounding white space removed."""
    return unicodedata.normalize("NFC", witness).strip()


def draw_key(seed: bytes, witness: str) -> bytes:
    """The HMAC key of the draw: SHA-256 of the label, the 32-byte seed and the witness in UTF-8."""
    if len(seed) != SEED_BYTES:
        raise DrawDataError(f"a seed is {SEED_BYTES} bytes")
    return hashlib.sha256(KEY_LABEL + seed + normal_witness(witness).encode("utf-8")).digest()


def uniform(key: bytes, name: str) -> int:
    """U: the first 8 bytes of HMAC-SHA256(draw key, pseudonym) as an unsigned big-endian integer."""
    return int.from_bytes(hmac.new(key, name.encode("ascii"), hashlib.sha256).digest()[:8], "big")


def weighted_key(u_int: int, weight: int) -> Decimal:
    """ln(u) / w with u = (2U + 1) / 2^65 and w = weight / 1000, each step rounded to 50 digits, half even."""
    if not 1 <= weight <= WEIGHT_SCALE:
        raise DrawDataError(f"a weight is a whole number from 1 to {WEIGHT_SCALE}")
    with localcontext(Context(prec=PRECISION, rounding=ROUND_HALF_EVEN)):
        u = Decimal(2 * u_int + 1) / Decimal(2**65)
        w = Decimal(weight) / Decimal(WEIGHT_SCALE)
        return u.ln() / w


def check_candidates(candidates: list[Candidate]) -> None:
    """Refuse a list with a malformed or repeated pseudonym or a weight outside 1..1000."""
    seen = set()
    for c in candidates:
        if not (isinstance(c.pseudonym, str) and len(c.pseudonym) == 16
                and all(ch in "0123456789abcdef" for ch in c.pseudonym)):
            raise DrawDataError(f"pseudonym {c.pseudonym!r} is not 16 lower-case hex digits")
        if c.pseudonym in seen:
            raise DrawDataError(f"pseudonym {c.pseudonym} appears twice")
        seen.add(c.pseudonym)
        if not isinstance(c.weight, int) or not 1 <= c.weight <= WEIGHT_SCALE:
            raise DrawDataError(f"weight of {c.pseudonym} must be a whole number from 1 to {WEIGHT_SCALE}")


def rank(candidates: list[Candidate], seed: bytes, witness: str) -> tuple[Keyed, ...]:
    """Every candidate with its key, highest key first; equal keys in pseudonym order."""
    check_candidates(candidates)
    key = draw_key(seed, witness)
    keyed = []
    for c in candidates:
        u_int = uniform(key, c.pseudonym)
        keyed.append(Keyed(c.pseudonym, c.weight, u_int, weighted_key(u_int, c.weight)))
    keyed.sort(key=lambda k: k.pseudonym)
    keyed.sort(key=lambda k: k.key, reverse=True)  # stable: ties stay in pseudonym order
    return tuple(keyed)


def draw(candidates: list[Candidate], seed: bytes, witness: str, members: int, reserves: int) -> Outcome:
    """The panel: the first ``members`` of the ranking, then ``reserves`` reserves."""
    if members < 1 or reserves < 0 or members + reserves > len(candidates):
        raise DrawDataError("more seats than candidates")
    ranking = rank(candidates, seed, witness)
    names = [k.pseudonym for k in ranking]
    return Outcome(tuple(names[:members]), tuple(names[members:members + reserves]), ranking)
