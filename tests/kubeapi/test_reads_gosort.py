"""Go's sort.Sort (pdqsort) as ported for kubectl's --sort-by: a correct sort whatever the input, and the
exact permutation Go leaves equal keys in (checked end to end against the real kubectl in
test_reads_kubectl.py / test_reads_kinds.py)."""

from __future__ import annotations

import random

import pytest

from visualizer.engine.kubectl.gosort import sort_by_values, sorted_like_go, value_less


@pytest.mark.parametrize("n", [0, 1, 2, 5, 12, 13, 40, 51, 200, 1000])
def test_sorts_every_input(n):
    rng = random.Random(n)
    for keyspace in (3, 1_000_000):
        data = [rng.randrange(keyspace) for _ in range(n)]
        out = sorted_like_go(data, lambda a, b: a < b)
        assert out == sorted(data)


def test_reversed_and_sorted_inputs_take_the_fast_paths():
    data = list(range(300))
    assert sorted_like_go(data[::-1], lambda a, b: a < b) == data
    assert sorted_like_go(data, lambda a, b: a < b) == data


def test_unstable_on_ties_beyond_twelve_elements():
    items = [(k % 3, i) for i, k in enumerate(range(40))]
    out = sorted_like_go(items, lambda a, b: a[0] < b[0])
    assert [k for k, _ in out] == sorted(k for k, _ in items)
    # insertion sort (12 or fewer) is stable; pdqsort's partitions are not
    assert [i for _, i in out] != [i for _, i in sorted(items, key=lambda x: x[0])]
    small = items[:12]
    assert sorted_like_go(small, lambda a, b: a[0] < b[0]) == sorted(small, key=lambda x: x[0])


def test_missing_values_sort_first_and_kinds_compare_like_kubectl():
    objs = [{"v": 3}, {}, {"v": 1}]
    assert sort_by_values(objs, lambda o: [o["v"]] if "v" in o else []) == [{}, {"v": 1}, {"v": 3}]
    assert value_less("web-49sm5", "web-4dc65")  # bytewise, '9' < 'd'
    assert value_less(2, 10) and not value_less("b", "a") and value_less(False, True)
