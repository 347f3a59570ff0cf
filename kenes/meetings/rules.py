"""The arithmetic of a sitting, pure (no queries): quorum and the majority an item needs.

- Quorum: `present × 100 ≥ active × quorum_percent`, and at least one member present.
- Majority (the charter's rule): of the members present, `for × 2 > present`; of all the
  members, `for × 2 > active`. A tie fails.
"""

from __future__ import annotations

from typing import Final

OF_PRESENT: Final = "of_present"
OF_ALL_MEMBERS: Final = "of_all_members"


def required_for_quorum(*, active: int, quorum_percent: int) -> int:
    """The fewest members present that make a quorum (ceiling of active × percent / 100)."""
    if active <= 0:
        return 1
    return max(1, -(-active * quorum_percent // 100))


def quorum_reached(*, present: int, active: int, quorum_percent: int) -> bool:
    if present <= 0 or active <= 0:
        return False
    return present * 100 >= active * quorum_percent


def majority_base(*, rule: str, present: int, active: int) -> int:
    """The number the votes for must be more than half of."""
    if rule == OF_ALL_MEMBERS:
        return active
    if rule == OF_PRESENT:
        return present
    raise ValueError(f"unknown majority rule: {rule!r}")


def is_adopted(*, votes_for: int, present: int, active: int, rule: str) -> bool:
    """More than half of the base votes for; a tie (exactly half) is not a majority."""
    base = majority_base(rule=rule, present=present, active=active)
    return base > 0 and votes_for * 2 > base


def votes_needed(*, present: int, active: int, rule: str) -> int:
    """The fewest votes for that adopt an item."""
    return majority_base(rule=rule, present=present, active=active) // 2 + 1


def tally_fits(*, votes_for: int, votes_against: int, votes_abstain: int, present: int) -> bool:
    """A paper tally is possible: no negative count and no more votes than members present."""
    counts = (votes_for, votes_against, votes_abstain)
    return all(count >= 0 for count in counts) and sum(counts) <= present
