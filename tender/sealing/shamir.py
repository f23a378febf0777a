"""Shamir secret sharing over GF(2^8) for the 32-byte file key (门限分割).

Each byte of the secret is the constant term of its own random polynomial of degree k-1; share x
is the list of the polynomials' values at x (x = 1..255). The field is GF(2^8) with the AES
polynomial x^8 + x^4 + x^3 + x + 1 (0x11B), so the arithmetic matches other common
implementations. Table lookups are indexed by public values (share indices) or by secret bytes;
this runs on the custodian's or the server's own machine, not as a remote oracle, so the small
timing channel of the log/exp tables is accepted.
"""

from __future__ import annotations

import secrets

from tender.sealing.errors import BadShare, NotEnoughShares
from tender.sealing.format import MIN_THRESHOLD

_EXP = [0] * 510
_LOG = [0] * 256


def _init_tables() -> None:
    value = 1
    for power in range(255):
        _EXP[power] = value
        _LOG[value] = power
        # multiply by the generator 3: value * 2 xor value, reduced by 0x11B
        doubled = value << 1
        if doubled & 0x100:
            doubled ^= 0x11B
        value = doubled ^ value
    for power in range(255, 510):
        _EXP[power] = _EXP[power - 255]


_init_tables()


def gf_mul(a: int, b: int) -> int:
    if a == 0 or b == 0:
        return 0
    return _EXP[_LOG[a] + _LOG[b]]


def gf_div(a: int, b: int) -> int:
    if b == 0:
        raise ZeroDivisionError("division by zero in GF(256)")
    if a == 0:
        return 0
    return _EXP[(_LOG[a] - _LOG[b]) % 255]


def split(secret: bytes, threshold: int, count: int) -> list[tuple[int, bytes]]:
    """Split ``secret`` into ``count`` shares (x, y) of which any ``threshold`` rebuild it."""
    # k = 1 would make every share equal to the secret: one holder alone could open.
    if not MIN_THRESHOLD <= threshold <= count <= 255:
        raise ValueError(f"need {MIN_THRESHOLD} <= threshold <= count <= 255")
    coefficients = [secrets.token_bytes(len(secret)) for _ in range(threshold - 1)]
    shares = []
    for x in range(1, count + 1):
        y = bytearray(len(secret))
        for position, constant in enumerate(secret):
            # Horner's rule from the highest coefficient down to the constant term.
            acc = 0
            for coefficient in reversed(coefficients):
                acc = gf_mul(acc, x) ^ coefficient[position]
            y[position] = gf_mul(acc, x) ^ constant
        shares.append((x, bytes(y)))
    return shares


def combine(shares: list[tuple[int, bytes]], threshold: int) -> bytes:
    """Rebuild the secret from at least ``threshold`` shares by Lagrange interpolation at 0."""
    if threshold < MIN_THRESHOLD:
        raise ValueError(f"need threshold >= {MIN_THRESHOLD}")
    xs = [x for x, _ in shares]
    if len(set(xs)) != len(xs):
        raise BadShare("The same key share was given twice.", duplicate=sorted({x for x in xs if xs.count(x) > 1}))
    if any(not 1 <= x <= 255 for x in xs):
        raise BadShare("A key share has an index outside 1..255.")
    if len(shares) < threshold:
        raise NotEnoughShares(
            f"{threshold} key shares are needed to open this envelope; {len(shares)} were given.",
            needed=threshold,
            given=len(shares),
        )
    used = shares[:threshold]
    length = len(used[0][1])
    if any(len(y) != length for _, y in used):
        raise BadShare("Key shares have different lengths.")
    secret = bytearray(length)
    for i, (xi, yi) in enumerate(used):
        # Lagrange basis polynomial l_i(0) = prod_{j != i} x_j / (x_j - x_i); minus is xor here.
        basis = 1
        for j, (xj, _) in enumerate(used):
            if i != j:
                basis = gf_mul(basis, gf_div(xj, xj ^ xi))
        for position in range(length):
            secret[position] ^= gf_mul(yi[position], basis)
    return bytes(secret)
