"""Issue 12: 1,000 cookie-less visits made 1,000 clusters. New visitors (each given a sandbox) are limited per
address (settings.RATE_LIMIT_SANDBOX_ADDRESS, 60 at once then one every 10 s), refused with a Korean 429 page,
and a refused visit writes nothing; a browser that keeps its cookie is not counted again."""

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.test import Client

from visualizer.models import ClusterRecord
from visualizer.ratelimit import RATES, limits, parse_spec

pytestmark = pytest.mark.django_db


BURST = 3  # the tests' classroom (each page costs a render); the real one is 60 (test_a_classroom_…_fits)


@pytest.fixture
def frozen_limits(monkeypatch, settings):
    now = [1000.0]
    monkeypatch.setattr(limits, "clock", lambda: now[0])
    settings.RATE_LIMIT_SANDBOX_ADDRESS = f"{BURST}/{BURST * 60}"  # one a minute
    limits.clear()
    yield now
    limits.clear()


def test_a_classroom_behind_one_nat_fits():
    """60 new students behind one address get a cluster each at once; then one every 10 seconds."""
    assert parse_spec(django_settings.RATE_LIMIT_SANDBOX_ADDRESS) == RATES["sandbox"] == (0.1, 60)
    assert parse_spec("off") is None


def test_cookieless_visits_from_one_address_make_at_most_the_burst_of_clusters(frozen_limits):
    burst = BURST
    statuses = [Client(REMOTE_ADDR="203.0.113.7").get("/cluster/").status_code for _ in range(burst + 3)]
    assert statuses == [200] * burst + [429] * 3
    assert ClusterRecord.objects.filter(name="sandbox").count() == burst
    assert Session.objects.count() == burst  # the refused visits left no session behind either


def test_the_refusal_is_a_korean_429_page_with_retry_after(frozen_limits):
    for _ in range(BURST):
        Client(REMOTE_ADDR="203.0.113.8").get("/cluster/")
    response = Client(REMOTE_ADDR="203.0.113.8").get("/cluster/")
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert "새 클러스터를 너무 많이 만들었습니다" in page and "60초 뒤에 다시 시도하세요" in page
    assert "Traceback" not in page


def test_coming_back_with_the_cookie_finds_the_same_cluster_and_spends_nothing(frozen_limits):
    student = Client(REMOTE_ADDR="203.0.113.9")
    student.get("/cluster/")
    for _ in range(BURST - 1):
        Client(REMOTE_ADDR="203.0.113.9").get("/cluster/")  # the rest of the class behind the same NAT
    assert Client(REMOTE_ADDR="203.0.113.9").get("/cluster/").status_code == 429
    assert student.get("/cluster/").status_code == 200  # the first student still reaches their cluster
    assert student.get("/cluster/kubeconfig").status_code == 200
    assert Client(REMOTE_ADDR="198.51.100.1").get("/cluster/").status_code == 200  # another address
    frozen_limits[0] += 60.0  # one a minute comes back
    assert Client(REMOTE_ADDR="203.0.113.9").get("/cluster/").status_code == 200
    assert Client(REMOTE_ADDR="203.0.113.9").get("/cluster/").status_code == 429


def test_a_trusted_proxy_is_read_by_its_last_forwarded_hop(frozen_limits, settings):
    """Behind a proxy every visit comes from the proxy; with TRUST_X_FORWARDED_FOR the hop the proxy appended
    names the client (a client-written first hop is ignored)."""
    settings.TRUST_X_FORWARDED_FOR = True
    for _ in range(BURST):
        Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.10").get("/cluster/")
    spoofed = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.10")
    assert spoofed.get("/cluster/").status_code == 429
    other = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.11")
    assert other.get("/cluster/").status_code == 200


def test_off_turns_the_limit_off(frozen_limits, settings):
    settings.RATE_LIMIT_SANDBOX_ADDRESS = "off"
    statuses = {Client(REMOTE_ADDR="203.0.113.12").get("/cluster/").status_code for _ in range(BURST + 2)}
    assert statuses == {200}
