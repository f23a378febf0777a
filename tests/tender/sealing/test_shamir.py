"""Shamir over GF(256): field vectors from FIPS-197 and a second, independent implementation."""

import itertools
import secrets

import pytest

from tender.sealing import shamir
from tender.sealing.errors import BadShare, NotEnoughShares


# A second implementation written differently: carry-less multiplication, inverses by
# exponentiation (a^254), and evaluation of the interpolating polynomial at 0.
def ref_mul(a, b):
    product = 0
    while b:
        if b & 1:
            product ^= a
        a <<= 1
        if a & 0x100:
            a ^= 0x11B
        b >>= 1
    return product


def ref_inv(a):
    result, power = 1, a
    for bit in range(8):
        if 254 >> bit & 1:
            result = ref_mul(result, power)
        power = ref_mul(power, power)
    return result


def ref_split(secret, k, n, rng):
    coeffs = [[b] + [rng.randrange(256) for _ in range(k - 1)] for b in secret]
    shares = []
    for x in range(1, n + 1):
        y = []
        for poly in coeffs:
            acc, xp = 0, 1
            for c in poly:
                acc ^= ref_mul(c, xp)
                xp = ref_mul(xp, x)
            y.append(acc)
        shares.append((x, bytes(y)))
    return shares


def ref_combine(shares):
    out = []
    for pos in range(len(shares[0][1])):
        acc = 0
        for i, (xi, yi) in enumerate(shares):
            num, den = 1, 1
            for j, (xj, _) in enumerate(shares):
                if i != j:
                    num = ref_mul(num, xj)
                    den = ref_mul(den, xj ^ xi)
            acc ^= ref_mul(yi[pos], ref_mul(num, ref_inv(den)))
        out.append(acc)
    return bytes(out)


def test_field_matches_fips197_examples():
    assert shamir.gf_mul(0x57, 0x83) == 0xC1
    assert shamir.gf_mul(0x57, 0x13) == 0xFE
    for a in range(1, 256):
        assert shamir.gf_mul(a, ref_inv(a)) == 1
        for b in (1, 2, 3, 0x53, 0xCA, 0xFF):
            assert shamir.gf_mul(a, b) == ref_mul(a, b)
            assert shamir.gf_div(shamir.gf_mul(a, b), b) == a


@pytest.mark.parametrize("k,n", [(2, 2), (2, 3), (3, 5), (5, 5)])
def test_every_k_subset_rebuilds_and_k_minus_1_does_not(k, n):
    secret = secrets.token_bytes(32)
    shares = shamir.split(secret, k, n)
    for subset in itertools.combinations(shares, k):
        assert shamir.combine(list(subset), k) == secret
        assert ref_combine(list(subset)) == secret
    for subset in itertools.combinations(shares, k - 1):
        with pytest.raises(NotEnoughShares):
            shamir.combine(list(subset), k)
        assert ref_combine(list(subset)) != secret  # interpolating too few points gives garbage


def test_interoperates_with_second_implementation():
    import random

    rng = random.Random(4)
    for k, n in [(2, 3), (3, 7), (4, 4)]:
        secret = secrets.token_bytes(32)
        theirs = ref_split(secret, k, n, rng)
        assert shamir.combine(theirs[-k:], k) == secret
        ours = shamir.split(secret, k, n)
        assert ref_combine(ours[:k]) == secret


def test_duplicate_and_corrupted_shares():
    secret = secrets.token_bytes(32)
    shares = shamir.split(secret, 2, 3)
    with pytest.raises(BadShare):
        shamir.combine([shares[0], shares[0]], 2)
    x, y = shares[1]
    bad = (x, bytes([y[0] ^ 1]) + y[1:])
    assert shamir.combine([shares[0], bad], 2) != secret  # caught by the envelope's checks


@pytest.mark.parametrize("k,n", [(0, 3), (1, 1), (1, 3), (4, 3), (2, 256)])
def test_split_refuses_a_threshold_below_two_or_above_the_count(k, n):
    # k = 1 would hand every custodian the secret itself.
    with pytest.raises(ValueError, match="2 <= threshold"):
        shamir.split(secrets.token_bytes(32), k, n)


def test_combine_refuses_a_threshold_below_two():
    shares = shamir.split(secrets.token_bytes(32), 2, 3)
    with pytest.raises(ValueError):
        shamir.combine(shares[:1], 1)
