"""Fixtures shared by every test package."""

import os

import pytest

# Playwright's sync API keeps an event loop on the test thread; the ORM calls a test makes around it are
# still ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def lesson(db):
    """The imported lesson, loaded from the committed fixture as `make run` loads it."""
    from django.core.management import call_command

    from course.models import Lesson

    call_command("loaddata", "lesson", verbosity=0)
    return Lesson.objects.get()


def pytest_collection_modifyitems(config, items):
    """Run the real-browser tests last.

    Playwright's sync API keeps an event loop running on the main thread for as long as the browser is
    open (session scope); async tests that came after it could not start their own loop.
    """
    items.sort(key=lambda item: "tests/browser/" in str(item.path).replace("\\", "/"))


@pytest.fixture(autouse=True)
def in_process_channel_layer(settings):
    """In-process tests use the in-memory channel layer, even where REDIS_URL is set (CI).

    A Redis layer object is cached process-wide and keeps locks bound to the event loop of the test that
    first used it; each async test has its own loop. The Redis path is exercised where it runs for real:
    the Daphne subprocesses of the browser and two-process tests inherit REDIS_URL.
    """
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def fresh_rate_limits(settings):
    """Every test starts with empty rate-limit counters in a cache of its own (local memory, even where
    REDIS_URL is set: clearing a Redis cache would flush the database the channel layer uses)."""
    from django.core.cache import cache

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def flush_retries_after_deadlock():
    """Retry the end-of-test TRUNCATE when PostgreSQL picks it as a deadlock victim.

    Browser tests share the test database with a Daphne subprocess. When a test ends, that server may still
    be finishing work the closed page started (a websocket disconnect updates the roster), holding a share
    lock on one table while waiting for another; the flush's TRUNCATE takes exclusive locks table by table,
    and PostgreSQL aborts one of the two ("deadlock detected", seen in CI). The flush, rolled back as a
    whole, is safe to run again — PostgreSQL's own advice for a deadlock victim.
    """
    from django.db.backends.base.operations import BaseDatabaseOperations

    from tests.db_retry import retry_on_deadlock

    original = BaseDatabaseOperations.execute_sql_flush
    BaseDatabaseOperations.execute_sql_flush = retry_on_deadlock(original)
    yield
    BaseDatabaseOperations.execute_sql_flush = original
