"""The draw algorithm itself: commitment, pseudonyms, determinism, weights, refusals."""

from collections import Counter

import pytest

from tender.evaluation import panel

SEED = bytes(range(32))


def candidates(n, weight=1000, salt=bytes(16)):
    return [panel.Candidate(panel.pseudonym(salt, i), weight) for i in range(1, n + 1)]


def test_the_commitment_binds_the_seed_and_its_label():
    assert panel.commitment(SEED) == "df21734a25277ac33648eab52a1aa860a25dfe47206d76e5cfbcc5af7358537c"
    assert panel.commitment(bytes(32)) != panel.commitment(SEED)
    with pytest.raises(panel.DrawDataError):
        panel.commitment(b"short")


def test_pseudonyms_depend_on_the_salt_and_the_expert():
    assert panel.pseudonym(bytes(16), 7) != panel.pseudonym(bytes(16), 8)
    assert panel.pseudonym(bytes(16), 7) != panel.pseudonym(b"\x01" * 16, 7)
    assert len(panel.pseudonym(bytes(16), 7)) == 16


def test_the_same_data_gives_the_same_panel_and_the_witness_changes_it():
    pool = candidates(30)
    first = panel.draw(pool, SEED, "witness", 5, 2)
    assert panel.draw(list(reversed(pool)), SEED, "  witness \n", 5, 2) == first  # order of the list and spaces do not matter
    assert panel.draw(pool, SEED, "another witness", 5, 2).members != first.members
    assert len(set(first.members + first.reserves)) == 7


def test_a_lower_weight_is_drawn_less_often():
    """Over 400 seeds, experts at weight 500 take clearly fewer seats than those at 1000 (deterministic seeds)."""
    pool = candidates(10)
    light = {c.pseudonym for c in pool[:5]}
    weighted = [panel.Candidate(c.pseudonym, 500 if c.pseudonym in light else 1000) for c in pool]
    seats = Counter()
    for n in range(400):
        outcome = panel.draw(weighted, n.to_bytes(32, "big"), "w", 5, 0)
        seats.update("light" if m in light else "full" for m in outcome.members)
    assert seats["light"] < 0.75 * seats["full"]
    assert seats["light"] > 0  # lowered, not shut out


def test_equal_keys_fall_back_to_pseudonym_order():
    a, b = panel.Candidate("0" * 16, 1000), panel.Candidate("f" * 16, 1000)
    ranking = panel.rank([b, a], SEED, "w")
    assert {k.pseudonym for k in ranking} == {a.pseudonym, b.pseudonym}
    assert [k.key for k in ranking] == sorted((k.key for k in ranking), reverse=True)


@pytest.mark.parametrize("bad", [
    [panel.Candidate("0" * 16, 0)], [panel.Candidate("0" * 16, 1001)], [panel.Candidate("XYZ", 1000)],
    [panel.Candidate("0" * 16, 1000), panel.Candidate("0" * 16, 900)],
])
def test_bad_published_data_is_refused(bad):
    with pytest.raises(panel.DrawDataError):
        panel.rank(bad, SEED, "w")


def test_more_seats_than_candidates_is_refused():
    with pytest.raises(panel.DrawDataError):
        panel.draw(candidates(6), SEED, "w", 5, 2)


def test_weight_bounds_of_the_key():
    assert panel.weighted_key(0, 1) < panel.weighted_key(0, 1000) < 0
    with pytest.raises(panel.DrawDataError):
        panel.weighted_key(5, 0)
