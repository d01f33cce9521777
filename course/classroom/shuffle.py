"""Per-student display orders for quiz choices, so that neither a neighbour's screen nor the layout gives
the answer away.

A display order is a list of original indexes: `order[p]` is the original index shown at position `p`.
Only the order on the page changes; the values a browser submits stay the original indexes, so grading
(`course.classroom.grading`) and the stored answers are untouched.

Orders are drawn from `random.Random(f"{student_id}:{question_key}")`; a `str` seed is hashed with SHA-512
by `random`, not by Python's per-process `hash()`, so a student sees the same order after a reload, in any
server process, and two students almost always see different ones. Each kind rejects the orders that would
hint at the answer:

- single / multiple: never the authored order (the fixture's answers cluster at index 1), and for multiple
  the correct choices never all at the top;
- ordering (the answer is 0..n-1): never the answer, its reverse, or a rotation or near-rotation of it —
  at most `max_adjacent(n)` neighbours may stay in correct order (ascending) or in reversed order;
- matching: the targets (right column) are shuffled; never the authored order and never the "diagonal" —
  at most one row (none when n < 3) may find its correct target at its own position in the list.
"""

import itertools
import random
from collections.abc import Callable, Sequence

# The seed of the one order the whole room sees (dashboard, projector); students have their own pk >= 1.
SHARED_SEED = 0
TRIES = 500  # random draws before falling back to a seeded scan; a draw is accepted ~30-90 % of the time
SCAN_LIMIT = 8  # the scan enumerates permutations, so only for short lists (8! = 40,320)


def rng_for(student_id: int, question_key: str) -> random.Random:
    """Return the random generator of one student and one question (stable across reloads and processes)."""
    return random.Random(f"{student_id}:{question_key}")


def max_adjacent(n: int) -> int:
    """Return how many neighbouring pairs of an ordering display may keep their correct (or reversed) order.

    One for up to 6 items (the 4-, 5- and 6-step flows of the fixture), then one more per 3 items. A rotation
    of n items keeps n - 2 pairs, so it is refused from n = 4 on (shorter lists are only kept off the answer).
    """
    return max(1, (n - 1) // 3)


def adjacent_runs(order: Sequence[int]) -> tuple[int, int]:
    """Return (ascending, descending): the neighbouring pairs shown as `k, k+1` and as `k+1, k`."""
    pairs = list(itertools.pairwise(order))
    return sum(1 for a, b in pairs if b == a + 1), sum(1 for a, b in pairs if b == a - 1)


def diagonal_hits(order: Sequence[int], answer: Sequence[int]) -> int:
    """Return how many matching rows find their correct target at their own position in the target list."""
    return sum(1 for row, target in enumerate(answer[: len(order)]) if order[row] == target)


def _draw(n: int, rng: random.Random, acceptable: Callable[[list[int]], bool]) -> list[int]:
    """Return a random permutation of range(n) that `acceptable` accepts (identity when none exists)."""
    order = list(range(n))
    for _ in range(TRIES):
        rng.shuffle(order)
        if acceptable(order):
            return order
    if n <= SCAN_LIMIT:
        # Deterministic fallback: scan every permutation from a seeded starting point.
        everything = list(itertools.permutations(range(n)))
        start = rng.randrange(len(everything))
        for candidate in everything[start:] + everything[:start]:
            if acceptable(list(candidate)):
                return list(candidate)
    return list(range(n))


def choice_order(student_id: int, question_key: str, n: int, correct: Sequence[int] = ()) -> list[int]:
    """Return the display order of n single/multiple choices: never the authored order, and the `correct`
    choices (a multiple question's answer) never all at the top."""
    if n < 2:
        return list(range(n))
    identity = list(range(n))
    right = set(correct)

    def acceptable(order: list[int]) -> bool:
        if order == identity:
            return False
        # The correct choices all at the top would read as "pick the first k".
        return not (1 < len(right) < n and set(order[: len(right)]) == right)

    return _draw(n, rng_for(student_id, question_key), acceptable)


def ordering_order(student_id: int, question_key: str, n: int) -> list[int]:
    """Return the display order of an ordering question whose answer is 0..n-1: not the answer, not a
    rotation or near-rotation of it (at most `max_adjacent(n)` pairs ascending, as many descending)."""
    if n < 2:
        return list(range(n))
    bound = max_adjacent(n)
    identity = list(range(n))

    def acceptable(order: list[int]) -> bool:
        if order == identity:
            return False
        if n < 4:  # too short to bound anything more than "not the answer"
            return True
        up, down = adjacent_runs(order)
        return up <= bound and down <= bound

    return _draw(n, rng_for(student_id, question_key), acceptable)


def matching_order(student_id: int, question_key: str, n_targets: int, answer: Sequence[int]) -> list[int]:
    """Return the display order of a matching question's targets: not the authored order, not the answer's
    order along the rows, and at most one row (none below three targets) with its target at its own position."""
    if n_targets < 2:
        return list(range(n_targets))
    identity = list(range(n_targets))
    rows = [a for a in answer if isinstance(a, int)]
    allowed_hits = 1 if n_targets >= 3 else 0

    def acceptable(order: list[int]) -> bool:
        if order == identity or order[: len(rows)] == rows[:n_targets]:
            return False
        return diagonal_hits(order, rows) <= allowed_hits

    return _draw(n_targets, rng_for(student_id, question_key), acceptable)
