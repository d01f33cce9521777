"""π to N significant digits, as Perl's `bignum` `bpi(N)` prints it (the Job example of kubernetes.io).

Computed with Machin's formula in Python's `decimal` at N + 10 digits and rounded half-to-even to N
significant digits, the rounding mode of Math::BigFloat [S Math::BigFloat `bpi`, `round_mode` 'even'].
Deterministic and fast (2 000 digits take a few milliseconds); cached.
"""

from __future__ import annotations

import decimal
import functools


def _arctan_inv(x: int, ctx: decimal.Context) -> decimal.Decimal:
    """Returns arctan(1/x) by its Taylor series at the context's precision."""
    total = term = ctx.divide(decimal.Decimal(1), decimal.Decimal(x))
    x2 = x * x
    n = 1
    eps = decimal.Decimal(10) ** (-(ctx.prec + 2))
    while True:
        term = ctx.divide(term, x2)
        delta = ctx.divide(term, 2 * n + 1)
        if delta < eps:
            return total
        total = ctx.subtract(total, delta) if n % 2 else ctx.add(total, delta)
        n += 1


@functools.lru_cache(maxsize=8)
def pi_digits(n: int) -> str:
    """Returns π with n significant digits as text (`pi_digits(5) == "3.1416"`); n from 1 to 20 000."""
    if not 1 <= n <= 20_000:
        raise ValueError("digits must be between 1 and 20000")
    ctx = decimal.Context(prec=n + 15)
    pi = ctx.multiply(4, ctx.subtract(ctx.multiply(4, _arctan_inv(5, ctx)), _arctan_inv(239, ctx)))
    rounded = decimal.Context(prec=n, rounding=decimal.ROUND_HALF_EVEN).plus(pi)
    return str(rounded) if n > 1 else "3"
