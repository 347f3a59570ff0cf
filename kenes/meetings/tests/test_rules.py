"""The quorum and majority arithmetic, by example at the edges and by property over all sizes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kenes.meetings import rules

sizes = st.integers(min_value=1, max_value=500)
percents = st.integers(min_value=1, max_value=100)
majority_rules = st.sampled_from([rules.OF_PRESENT, rules.OF_ALL_MEMBERS])


def test_exactly_half_present_reaches_a_fifty_percent_quorum():
    assert rules.quorum_reached(present=5, active=10, quorum_percent=50)


def test_one_less_than_half_present_does_not_reach_a_fifty_percent_quorum():
    assert not rules.quorum_reached(present=4, active=10, quorum_percent=50)


def test_an_odd_council_needs_the_rounded_up_half():
    assert rules.required_for_quorum(active=7, quorum_percent=50) == 4
    assert not rules.quorum_reached(present=3, active=7, quorum_percent=50)
    assert rules.quorum_reached(present=4, active=7, quorum_percent=50)


def test_nobody_present_is_never_a_quorum():
    assert not rules.quorum_reached(present=0, active=0, quorum_percent=1)


def test_a_two_thirds_quorum_counts_exactly():
    assert rules.quorum_reached(present=2, active=3, quorum_percent=66)
    assert not rules.quorum_reached(present=2, active=3, quorum_percent=67)


@pytest.mark.parametrize(
    ("votes_for", "present", "active", "rule", "adopted"),
    [
        (4, 7, 11, rules.OF_PRESENT, True),
        (4, 7, 11, rules.OF_ALL_MEMBERS, False),
        (6, 7, 11, rules.OF_ALL_MEMBERS, True),
        (3, 6, 11, rules.OF_PRESENT, False),  # a tie of the members present fails
        (5, 10, 10, rules.OF_ALL_MEMBERS, False),  # a tie of all the members fails
        (6, 10, 10, rules.OF_ALL_MEMBERS, True),
        (0, 0, 10, rules.OF_PRESENT, False),
    ],
)
def test_the_majority_rules_decide_by_example(votes_for, present, active, rule, adopted):
    assert rules.is_adopted(votes_for=votes_for, present=present, active=active, rule=rule) is adopted


def test_an_unknown_majority_rule_is_an_error():
    with pytest.raises(ValueError, match="unknown majority rule"):
        rules.is_adopted(votes_for=1, present=1, active=1, rule="by_acclamation")


@given(active=sizes, percent=percents, data=st.data())
def test_quorum_is_reached_exactly_from_the_required_number(active, percent, data):
    present = data.draw(st.integers(min_value=0, max_value=active))
    required = rules.required_for_quorum(active=active, quorum_percent=percent)
    assert rules.quorum_reached(present=present, active=active, quorum_percent=percent) is (present >= required)


@given(active=sizes, percent=percents)
def test_the_required_number_is_the_smallest_that_works(active, percent):
    required = rules.required_for_quorum(active=active, quorum_percent=percent)
    assert 1 <= required <= active
    assert required * 100 >= active * percent
    assert (required - 1) * 100 < active * percent or required == 1


@given(active=sizes, percent=percents, data=st.data())
def test_one_member_leaving_never_makes_a_quorum(active, percent, data):
    present = data.draw(st.integers(min_value=1, max_value=active))
    before = rules.quorum_reached(present=present, active=active, quorum_percent=percent)
    after = rules.quorum_reached(present=present - 1, active=active, quorum_percent=percent)
    assert before or not after


@given(active=sizes, rule=majority_rules, data=st.data())
def test_adoption_starts_exactly_at_the_votes_needed(active, rule, data):
    present = data.draw(st.integers(min_value=1, max_value=active))
    votes_for = data.draw(st.integers(min_value=0, max_value=present))
    needed = rules.votes_needed(present=present, active=active, rule=rule)
    assert rules.is_adopted(votes_for=votes_for, present=present, active=active, rule=rule) is (votes_for >= needed)


@given(active=sizes, data=st.data())
def test_a_majority_of_all_members_is_also_a_majority_of_those_present(active, data):
    present = data.draw(st.integers(min_value=1, max_value=active))
    votes_for = data.draw(st.integers(min_value=0, max_value=present))
    if rules.is_adopted(votes_for=votes_for, present=present, active=active, rule=rules.OF_ALL_MEMBERS):
        assert rules.is_adopted(votes_for=votes_for, present=present, active=active, rule=rules.OF_PRESENT)


@given(half=st.integers(min_value=1, max_value=250), rule=majority_rules)
def test_a_tie_never_adopts(half, rule):
    assert not rules.is_adopted(votes_for=half, present=2 * half, active=2 * half, rule=rule)


@given(
    counts=st.tuples(*[st.integers(min_value=-3, max_value=40)] * 3),
    present=st.integers(min_value=0, max_value=40),
)
def test_a_paper_tally_fits_only_within_the_members_present(counts, present):
    fits = rules.tally_fits(votes_for=counts[0], votes_against=counts[1], votes_abstain=counts[2], present=present)
    assert fits is (min(counts) >= 0 and sum(counts) <= present)
