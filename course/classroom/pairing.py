"""Pairs for 페어 토론 that mix levels: a newer student sits with a stronger one; an odd count makes one trio.

The students are sorted by level (ties broken by a seeded shuffle, so re-forming pairs is reproducible for a
seed) and the weakest is paired with the strongest, the second weakest with the second strongest, and so on,
as bootcamps pair mixed-background classes. With an odd count the median student is left over and joins
the least mixed pair (the one whose two levels are closest), making one trio.
"""

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def mixed_pairs(members: Sequence[T], rank, *, seed: int = 0) -> list[list[T]]:
    """Return groups of two (one of three when the count is odd) mixing ranks from both ends.

    `rank(member)` returns a number, higher meaning more experienced. A single student forms a group alone.
    """
    people = list(members)
    if len(people) < 2:
        return [people] if people else []
    rng = random.Random(seed)
    rng.shuffle(people)
    people.sort(key=rank)  # stable: the shuffle breaks ties
    leftover = None
    if len(people) % 2:
        # The median student is the one who fits any pair; take them out and add them to a pair later.
        leftover = people.pop(len(people) // 2)
    half = len(people) // 2
    groups = [[people[i], people[-1 - i]] for i in range(half)]
    if leftover is not None:
        # The least mixed pair gains most from a third, different view.
        target = min(groups, key=lambda g: (abs(rank(g[0]) - rank(g[1])), groups.index(g)))
        target.append(leftover)
    return groups
