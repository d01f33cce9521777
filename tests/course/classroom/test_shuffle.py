"""Per-student display orders: stable, different between students, never the answer's order, ordering never
a (near-)rotation, and a correct answer picked on a shuffled page still grades as correct."""

import itertools

import pytest

from course.classroom import grading, shuffle

STUDENTS = range(1, 41)


def rotations(n: int) -> list[list[int]]:
    base = list(range(n))
    return [base[k:] + base[:k] for k in range(n)]


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6])
def test_choice_orders_are_stable_permutations_and_never_the_authored_order(n):
    for student in STUDENTS:
        order = shuffle.choice_order(student, "why-tempo", n)
        assert sorted(order) == list(range(n))
        assert order != list(range(n))
        assert order == shuffle.choice_order(student, "why-tempo", n)  # the same after a reload


def test_students_see_different_orders_and_questions_differ_too():
    orders = {tuple(shuffle.choice_order(s, "definition", 4)) for s in STUDENTS}
    assert len(orders) >= 8  # 23 orders possible; 40 students spread over many of them
    per_question = {tuple(shuffle.choice_order(7, f"q{i}", 4)) for i in range(20)}
    assert len(per_question) > 1


def test_multiple_choice_never_puts_all_correct_choices_on_top():
    for student in STUDENTS:
        order = shuffle.choice_order(student, "overview-goals", 5, correct=[0, 1, 2])
        assert set(order[:3]) != {0, 1, 2}


@pytest.mark.parametrize("n", [4, 5, 6, 8, 10])
def test_ordering_is_never_a_rotation_or_near_rotation(n):
    bound = shuffle.max_adjacent(n)
    for student in STUDENTS:
        order = shuffle.ordering_order(student, "six-step-flow", n)
        assert sorted(order) == list(range(n))
        assert order not in rotations(n)
        assert list(reversed(order)) not in rotations(n)
        up, down = shuffle.adjacent_runs(order)
        assert up <= bound and down <= bound


def test_the_adjacency_bound_refuses_every_rotation_from_four_items():
    for n in range(4, 11):
        for rotation in rotations(n):
            assert shuffle.adjacent_runs(rotation)[0] > shuffle.max_adjacent(n)
    assert shuffle.adjacent_runs([0, 1, 2, 3]) == (3, 0)
    assert shuffle.adjacent_runs([3, 2, 1, 0]) == (0, 3)
    assert shuffle.adjacent_runs([2, 0, 3, 1]) == (0, 0)


@pytest.mark.parametrize("n", [2, 3])
def test_short_orderings_are_only_kept_off_the_answer(n):
    for student in STUDENTS:
        assert shuffle.ordering_order(student, "short", n) != list(range(n))


@pytest.mark.parametrize(
    ("targets", "answer"),
    [(4, [0, 1, 2, 3]), (6, [0, 1, 2, 3, 4, 5]), (4, [2, 0, 3, 1]), (2, [0, 1, 0, 1]), (5, [1, 0, 4])],
)
def test_matching_targets_never_line_up_with_the_rows(targets, answer):
    allowed = 1 if targets >= 3 else 0
    for student in STUDENTS:
        order = shuffle.matching_order(student, "component-roles", targets, answer)
        assert sorted(order) == list(range(targets))
        assert order != list(range(targets))
        assert shuffle.diagonal_hits(order, answer) <= allowed
        assert order == shuffle.matching_order(student, "component-roles", targets, answer)


def test_the_order_shown_is_never_graded_correct_and_sorting_it_is():
    steps = ["one", "two", "three", "four", "five", "six"]
    for student in STUDENTS:
        display = shuffle.ordering_order(student, "flow", 6)  # the data-index values, top to bottom
        assert not grading.grade("ordering", steps, None, display).correct  # submitting as shown is wrong
        assert grading.grade("ordering", steps, None, sorted(display)).correct


def test_a_question_without_any_acceptable_order_falls_back_to_a_permutation():
    # One choice: nothing to shuffle.
    assert shuffle.choice_order(1, "one", 1) == [0]
    assert shuffle.ordering_order(1, "one", 1) == [0]
    assert shuffle.matching_order(1, "one", 1, [0]) == [0]
    # Every permutation of 2 items either is the identity or puts both correct targets on the diagonal.
    order = shuffle.matching_order(1, "impossible", 2, [1, 0])
    assert sorted(order) == [0, 1]


def test_the_scan_fallback_finds_the_rare_acceptable_order():
    # Only one of the 24 permutations is acceptable: the random draws may miss it, the scan does not.
    wanted = [2, 3, 0, 1]
    found = shuffle._draw(4, shuffle.rng_for(1, "x"), lambda order: order == wanted)
    assert found == wanted
    assert list(itertools.permutations(range(4))).count(tuple(wanted)) == 1
