"""kubectl's `--sort-by` order, ties included: Go's `sort.Sort` (pattern-defeating quicksort, not stable) over
kubectl's `isLess`.

kubectl sorts the rows the server returned with `sort.Sort(sorter)` (kubectl pkg/cmd/get/sorter.go
`TableSorter.Sort`, `RuntimeSort`), which is Go's pdqsort (src/sort/zsortinterface.go): rows whose keys are
equal — many objects share a creation second in the simulator — end up in the order that algorithm leaves
them, not in input order. This module ports it operation for operation so the console prints the rows in the
same order as the real kubectl. Comparison is `isLess`: numbers numerically, strings bytewise (the real
kubectl v1.37 puts `web-49sm5` before `web-4dc65`), and a row without the field sorts first
(`TableSorter.Less`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
_MASK = (1 << 64) - 1


def value_less(a, b) -> bool:
    """kubectl sorter.go `isLess` for JSON values: numbers `<`, strings bytewise, bools false first;
    values of different kinds keep their order (no error is raised, kubectl would exit)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and (not a and b)
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a < b
    if isinstance(a, str) and isinstance(b, str):
        return a.encode() < b.encode()  # Go compares strings bytewise
    return False


def sort_by_values(items: list[T], values: Callable[[T], list]) -> list[T]:
    """Returns items sorted as kubectl's TableSorter sorts rows: by the first value of each (missing first),
    with Go's unstable sort.Sort."""
    keys = [values(x) for x in items]
    order = list(range(len(items)))

    def less(i: int, j: int) -> bool:
        ki, kj = keys[order[i]], keys[order[j]]
        if not ki:
            return True
        if not kj:
            return False
        return value_less(ki[0], kj[0])

    def swap(i: int, j: int) -> None:
        order[i], order[j] = order[j], order[i]

    go_sort(len(items), less, swap)
    return [items[k] for k in order]


# ------------------------------------------------------------------------------------------ Go's pdqsort
def go_sort(n: int, less: Callable[[int, int], bool], swap: Callable[[int, int], None]) -> None:
    """sort.Sort over an index-based Less/Swap (src/sort/sort.go `Sort`)."""
    if n > 1:
        _pdqsort(less, swap, 0, n, n.bit_length())


def _insertion_sort(less, swap, a: int, b: int) -> None:
    for i in range(a + 1, b):
        j = i
        while j > a and less(j, j - 1):
            swap(j, j - 1)
            j -= 1


def _sift_down(less, swap, lo: int, hi: int, first: int) -> None:
    root = lo
    while True:
        child = 2 * root + 1
        if child >= hi:
            return
        if child + 1 < hi and less(first + child, first + child + 1):
            child += 1
        if not less(first + root, first + child):
            return
        swap(first + root, first + child)
        root = child


def _heap_sort(less, swap, a: int, b: int) -> None:
    first, lo, hi = a, 0, b - a
    for i in range((hi - 1) // 2, -1, -1):
        _sift_down(less, swap, i, hi, first)
    for i in range(hi - 1, -1, -1):
        swap(first, first + i)
        _sift_down(less, swap, lo, i, first)


_UNKNOWN, _INCREASING, _DECREASING = 0, 1, 2


def _pdqsort(less, swap, a: int, b: int, limit: int) -> None:
    was_balanced = was_partitioned = True
    while True:
        length = b - a
        if length <= 12:
            _insertion_sort(less, swap, a, b)
            return
        if limit == 0:
            _heap_sort(less, swap, a, b)
            return
        if not was_balanced:
            _break_patterns(swap, a, b)
            limit -= 1
        pivot, hint = _choose_pivot(less, a, b)
        if hint == _DECREASING:
            _reverse_range(swap, a, b)
            pivot = (b - 1) - (pivot - a)
            hint = _INCREASING
        if (
            was_balanced
            and was_partitioned
            and hint == _INCREASING
            and _partial_insertion_sort(less, swap, a, b)
        ):
            return
        if a > 0 and not less(a - 1, pivot):
            a = _partition_equal(less, swap, a, b, pivot)
            continue
        mid, already = _partition(less, swap, a, b, pivot)
        was_partitioned = already
        left, right = mid - a, b - mid
        threshold = length // 8
        if left < right:
            was_balanced = left >= threshold
            _pdqsort(less, swap, a, mid, limit)
            a = mid + 1
        else:
            was_balanced = right >= threshold
            _pdqsort(less, swap, mid + 1, b, limit)
            b = mid


def _partition(less, swap, a: int, b: int, pivot: int) -> tuple[int, bool]:
    swap(a, pivot)
    i, j = a + 1, b - 1
    while i <= j and less(i, a):
        i += 1
    while i <= j and not less(j, a):
        j -= 1
    if i > j:
        swap(j, a)
        return j, True
    swap(i, j)
    i += 1
    j -= 1
    while True:
        while i <= j and less(i, a):
            i += 1
        while i <= j and not less(j, a):
            j -= 1
        if i > j:
            break
        swap(i, j)
        i += 1
        j -= 1
    swap(j, a)
    return j, False


def _partition_equal(less, swap, a: int, b: int, pivot: int) -> int:
    swap(a, pivot)
    i, j = a + 1, b - 1
    while True:
        while i <= j and not less(a, i):
            i += 1
        while i <= j and less(a, j):
            j -= 1
        if i > j:
            break
        swap(i, j)
        i += 1
        j -= 1
    return i


def _partial_insertion_sort(less, swap, a: int, b: int) -> bool:
    max_steps, shortest_shifting = 5, 50
    i = a + 1
    for _ in range(max_steps):
        while i < b and not less(i, i - 1):
            i += 1
        if i == b:
            return True
        if b - a < shortest_shifting:
            return False
        swap(i, i - 1)
        if i - a >= 2:
            j = i - 1
            while j >= 1:
                if not less(j, j - 1):
                    break
                swap(j, j - 1)
                j -= 1
        if b - i >= 2:
            j = i + 1
            while j < b:
                if not less(j, j - 1):
                    break
                swap(j, j - 1)
                j += 1
    return False


def _break_patterns(swap, a: int, b: int) -> None:
    length = b - a
    if length >= 8:
        random = length
        modulus = 1 << length.bit_length()
        for idx in range(a + (length // 4) * 2 - 1, a + (length // 4) * 2 + 2):
            random ^= (random << 13) & _MASK
            random ^= random >> 7
            random ^= (random << 17) & _MASK
            other = random & (modulus - 1)
            if other >= length:
                other -= length
            swap(idx, a + other)


def _choose_pivot(less, a: int, b: int) -> tuple[int, int]:
    shortest_ninther, max_swaps = 50, 4 * 3
    n = b - a
    swaps = [0]
    i, j, k = a + n // 4 * 1, a + n // 4 * 2, a + n // 4 * 3
    if n >= 8:
        if n >= shortest_ninther:
            i = _median(less, i - 1, i, i + 1, swaps)
            j = _median(less, j - 1, j, j + 1, swaps)
            k = _median(less, k - 1, k, k + 1, swaps)
        j = _median(less, i, j, k, swaps)
    if swaps[0] == 0:
        return j, _INCREASING
    if swaps[0] == max_swaps:
        return j, _DECREASING
    return j, _UNKNOWN


def _order2(less, a: int, b: int, swaps: list[int]) -> tuple[int, int]:
    if less(b, a):
        swaps[0] += 1
        return b, a
    return a, b


def _median(less, a: int, b: int, c: int, swaps: list[int]) -> int:
    a, b = _order2(less, a, b, swaps)
    b, c = _order2(less, b, c, swaps)
    a, b = _order2(less, a, b, swaps)
    return b


def _reverse_range(swap, a: int, b: int) -> None:
    i, j = a, b - 1
    while i < j:
        swap(i, j)
        i += 1
        j -= 1


def sorted_like_go(items: Sequence[T], less: Callable[[T, T], bool]) -> list[T]:
    """Returns a copy of items in the order sort.Sort leaves them for `less` on elements."""
    out = list(items)

    def swap(i: int, j: int) -> None:
        out[i], out[j] = out[j], out[i]

    go_sort(len(out), lambda i, j: less(out[i], out[j]), swap)
    return out
