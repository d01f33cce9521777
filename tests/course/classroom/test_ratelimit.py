"""Joining and pair-code attempts are limited per client: HTTP 429 with Retry-After and a Korean message,
nothing created."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from course.classroom import codes, ratelimit
from course.models import Pair, Student

pytestmark = pytest.mark.django_db

LIMITS = {"address": "5/60", "session": "3/60"}


def test_limits_parse_and_bad_ones_are_refused():
    assert ratelimit.parse("40/600") == ratelimit.Limit(40, 600)
    assert ratelimit.parse("off") is None
    for bad in ("40", "x/60", "0/60", "5/0", "-1/10"):
        with pytest.raises(ImproperlyConfigured):
            ratelimit.parse(bad)


def test_each_key_is_counted_in_its_own_window():
    keys = {"address": "10.0.0.5"}
    assert [ratelimit.allow("join", keys, LIMITS, now=1000.0) for _ in range(6)] == [True] * 5 + [False]
    # Another address, or another scope, has its own count.
    assert ratelimit.allow("join", {"address": "10.0.0.6"}, LIMITS, now=1000.0)
    assert ratelimit.allow("pair", keys, LIMITS, now=1000.0)
    # The next window starts afresh.
    assert ratelimit.allow("join", keys, LIMITS, now=1060.0)


def test_the_session_limit_is_stricter_and_either_key_refuses():
    both = {"address": "10.0.0.5", "session": "abc"}
    assert [ratelimit.allow("join", both, LIMITS, now=0.0) for _ in range(4)] == [True, True, True, False]
    # The same browser from another address is still refused; another browser on the address is not.
    assert not ratelimit.allow("join", {"address": "10.0.0.9", "session": "abc"}, LIMITS, now=0.0)
    assert ratelimit.allow("join", {"address": "10.0.0.5", "session": "xyz"}, LIMITS, now=0.0)


def test_a_refusal_says_when_the_window_that_refused_it_ends():
    both = {"address": "10.0.0.5", "session": "abc"}
    for _ in range(4):
        ratelimit.allow("join", both, LIMITS, now=1000.0)
    # Only the session (3/60) is over: its window, 960-1020, ends in 20 s.
    assert ratelimit.retry_after("join", both, LIMITS, now=1000.0) == 20
    assert ratelimit.retry_after("join", both, LIMITS, now=1019.5) == 1
    # Nothing over its limit: at least 1 (a refusal always says something).
    assert ratelimit.retry_after("join", {"address": "10.0.0.77"}, LIMITS, now=1000.0) == 1


def test_off_counts_nothing():
    assert all(ratelimit.allow("join", {"address": "a"}, {"address": "off"}, now=0.0) for _ in range(100))


def join(client, klass, nickname):
    return client.post(reverse("course:classroom:join"), {"code": klass.code, "nickname": nickname})


def test_a_script_joining_from_one_address_gets_429_and_creates_nobody(klass, settings):
    """The fault found: 599 fake students in 15 s. Now the address limit stops it, cookies or not."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "join": {"address": "5/600", "session": "off"}}
    statuses = [join(Client(), klass, f"bot{i}").status_code for i in range(8)]
    assert statuses == [302] * 5 + [429] * 3
    assert Student.objects.count() == 5
    response = join(Client(), klass, "late")
    body = response.content.decode()
    assert response.status_code == 429 and "참여 시도가 너무 많습니다" in body and 'id="join-form"' in body
    assert 1 <= int(response["Retry-After"]) <= 600
    assert not Student.objects.filter(nickname="late").exists()
    # A phone on another address still joins.
    assert (
        Client(REMOTE_ADDR="192.168.0.31")
        .post(reverse("course:classroom:join"), {"code": klass.code, "nickname": "phone"})
        .status_code
        == 302
    )


def test_one_browser_is_limited_by_its_session(klass, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "join": {"address": "off", "session": "3/600"}}
    browser = Client()
    assert join(browser, klass, "민수").status_code == 302  # creates the session: counted from here on
    wrong = {"code": "ZZZZZZ", "nickname": "x"}
    statuses = [browser.post(reverse("course:classroom:join"), wrong).status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    # Another browser on the same address is not affected.
    assert join(Client(), klass, "지수").status_code == 302


def test_guessing_pair_codes_gets_429_and_changes_nothing(klass, bob, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "pair": {"address": "off", "session": "4/600"}}
    browser = Client()
    join(browser, klass, "민수")
    me = Student.objects.get(nickname="민수")
    url = reverse("course:classroom:pair", args=[klass.code])
    guesses = [browser.post(url, {"action": "join", "pair_code": codes.new_code(8)}) for _ in range(5)]
    assert [r.status_code for r in guesses] == [302] * 4 + [429]
    assert "페어 코드 시도가 너무 많습니다" in guesses[-1].content.decode()
    assert 1 <= int(guesses[-1]["Retry-After"]) <= 600
    # Even the right code is refused while limited: no guess can get through.
    Pair.objects.create(session=klass, number=1, code="ABCD2345")
    assert browser.post(url, {"action": "join", "pair_code": "abcd-2345"}).status_code == 429
    me.refresh_from_db()
    assert me.pair_id is None
    # Making one's own code is not a guess and is not limited.
    assert browser.post(url, {"action": "create"}).status_code == 302
