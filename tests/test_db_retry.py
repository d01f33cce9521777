"""The test harness retries a flush that PostgreSQL aborted as a deadlock victim (seen in CI)."""

import pytest
from django.db import OperationalError

from tests.db_retry import retry_on_deadlock


def test_a_deadlocked_call_runs_again_and_returns_its_value():
    calls, waits = [], []

    def flush():
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("deadlock detected\nDETAIL:  Process 1 waits for AccessExclusiveLock")
        return "flushed"

    assert retry_on_deadlock(flush, sleep=waits.append)() == "flushed"
    assert len(calls) == 3
    assert waits == [0.2, 0.4]


def test_other_errors_and_the_last_deadlock_are_raised():
    def broken():
        raise OperationalError("relation does not exist")

    with pytest.raises(OperationalError, match="does not exist"):
        retry_on_deadlock(broken, sleep=lambda s: None)()

    tries = []

    def always_deadlocked():
        tries.append(1)
        raise OperationalError("deadlock detected")

    with pytest.raises(OperationalError, match="deadlock"):
        retry_on_deadlock(always_deadlocked, attempts=3, sleep=lambda s: None)()
    assert len(tries) == 3
