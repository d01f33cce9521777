"""Rate limits hold across Daphne processes: two servers sharing Redis count one client's joins together.

Skipped, with the reason, when REDIS_URL is unset (CI sets it); with it, each process has its own memory but
the counters live in Redis (settings.CACHES), so alternating between servers gains a script nothing.
"""

import http.cookiejar
import os
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.servers import database_url, ensure_static, start_daphne, stop

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set: needs Redis"),
]


def clear_join_counters() -> None:
    """Delete the join counters only (the database is shared with the channel layer; never flush it)."""
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    for key in client.scan_iter("orchestra-lab:*:ratelimit:join:*"):
        client.delete(key)


@pytest.fixture
def two_servers(django_db_setup, django_db_blocker, transactional_db):
    from django.db import connection

    db_url = database_url(connection.settings_dict)
    ensure_static()
    clear_join_counters()
    limit = {"RATE_LIMIT_JOIN_ADDRESS": "4/600", "RATE_LIMIT_JOIN_SESSION": "off"}
    first = start_daphne(db_url, log_name="daphne-limit-1.log", env=limit)
    second = start_daphne(db_url, log_name="daphne-limit-2.log", env=limit)
    yield first[1], second[1]
    stop(first[0])
    stop(second[0])
    clear_join_counters()


def join(port: int, code: str, nickname: str) -> int:
    """Fetch the form, then POST it, as a browser without cookies; return the POST's status."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    opener.open(f"{base}/class/", timeout=30).read()
    token = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "code": code, "nickname": nickname}).encode()
    try:
        return opener.open(urllib.request.Request(f"{base}/class/join/", data=data), timeout=30).status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_two_processes_share_the_join_counter(two_servers, lesson, django_user_model):
    from django.core.management import call_command

    from course.classroom import actions
    from course.models import Student

    call_command("loaddata", "quizzes", verbosity=0)
    teacher = django_user_model.objects.create_user("teacher", password="pw-for-tests-1", is_staff=True)
    klass = actions.start_class(teacher, lesson)
    ports = two_servers
    statuses = [join(ports[i % 2], klass.code, f"bot{i}") for i in range(6)]
    # 200 after the redirect to the student page; 429 once the shared count passes 4.
    assert statuses == [200, 200, 200, 200, 429, 429]
    assert Student.objects.filter(session=klass).count() == 4
