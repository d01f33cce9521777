"""The sandbox's embed view: framable by this site only, the same cluster and identity as /cluster/.

Django's XFrameOptionsMiddleware answers DENY and the CSP says frame-ancestors 'none' on every page; the
embed view alone says SAMEORIGIN and 'self', so a lesson page of this site can show the sandbox beside
its text and no other site can frame it (clickjacking).
"""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from visualizer.models import ClusterRecord

pytestmark = pytest.mark.django_db

EMBED = "/cluster/embed/"


def frame_ancestors(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    found = re.search(r"frame-ancestors ([^;]+)", policy)
    assert found, policy
    return found.group(1).strip()


def embedded_config(response) -> dict:
    found = re.search(r'<script id="viz-config" type="application/json">(.*?)</script>', response.text, re.S)
    assert found, "the embed page carries the panel's json_script config"
    return json.loads(found.group(1))


def test_the_embed_view_may_be_framed_by_this_origin_only():
    """SAMEORIGIN and frame-ancestors 'self' on the embed view; the other CSP directives are unchanged."""
    response = Client().get(EMBED)
    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert frame_ancestors(response) == "'self'"
    policy = response.headers["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    )


@pytest.mark.parametrize(
    "path", ["/cluster/", "/cluster/scenarios/", "/lesson/week2-day4-session2/concept-1/"]
)
def test_every_other_page_still_refuses_to_be_framed(lesson, path):
    """The sandbox page itself, the scenarios and the lesson keep DENY and frame-ancestors 'none'."""
    response = Client().get(path)
    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "DENY"
    assert frame_ancestors(response) == "'none'"


def test_the_embed_shows_the_same_sandbox_as_the_sandbox_page():
    """One browser session: /cluster/ and /cluster/embed/ drive the same cluster record."""
    client = Client()
    embed = embedded_config(client.get(EMBED))
    page = client.get("/cluster/")
    assert f'"cluster": "{embed["cluster"]}"' in page.text
    assert ClusterRecord.objects.filter(name="sandbox").count() == 1
    assert embed["role"] == "control" and embed["embed"] is True
    assert embed["ws"] == f"/ws/cluster/{embed['cluster']}/"


def test_a_first_visit_to_the_embed_creates_the_visitor_identity():
    """The websocket cannot create a session, so the embed page must: its response sets the cookie."""
    client = Client()
    response = client.get(EMBED)
    assert "sessionid" in response.cookies
    other = embedded_config(Client().get(EMBED))
    assert other["cluster"] != embedded_config(response)["cluster"], (
        "each visitor gets a sandbox of their own"
    )


def test_the_embed_page_has_no_site_chrome_and_loads_no_inline_script():
    """No site header or navigation; the panel and the page module; scripts only from files (CSP)."""
    html = Client().get(EMBED).text
    assert 'class="site-header"' not in html and "site-nav" not in html
    assert 'class="viz-cluster"' in html and "viz-embed" in html
    assert re.search(r'<script type="module" src="[^"]*js/visualizer/page\.[^"]*js"></script>', html)
    inline = [s for s in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S) if "src=" not in s[0]]
    assert all('type="application/json"' in attrs for attrs, _ in inline), inline


def test_a_lesson_section_with_code_carries_the_panel_and_the_script_and_one_without_does_not(lesson):
    """The section template adds the sandbox panel (pointing at the embed view) only where code blocks are."""
    with_code = Client().get("/lesson/week2-day4-session2/concept-1/").text
    assert f'data-embed-url="{EMBED}"' in with_code
    assert re.search(r'<script type="module" src="[^"]*js/course/runnable\.[^"]*js"></script>', with_code)
    assert re.search(r'<link rel="stylesheet" href="[^"]*css/runnable\.[^"]*css">', with_code)
    without = Client().get("/lesson/week2-day4-session2/concept-2/").text
    assert "runnable" not in without
