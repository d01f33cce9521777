"""Real-browser fixtures: Debian's Chromium driven by Playwright, against Daphne serving the test database.

Daphne runs in a subprocess in production mode (DEBUG off, compressed static files from `collectstatic`),
so what the tests see is what a classroom sees. Every test here is skipped, with the reason, when
/usr/bin/chromium is missing (`apt-get install -y chromium`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.servers import database_url, ensure_static, free_port, start_daphne, stop

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
INSTRUCTOR_PASSWORD = "teacher-password-1"

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(config, items):
    if not os.path.exists(CHROMIUM):
        skip = pytest.mark.skip(
            reason=f"{CHROMIUM} not found: install Debian's chromium to run browser tests"
        )
        for item in items:
            if "tests/browser" in str(item.fspath):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def asgi_server(django_db_setup, django_db_blocker) -> Iterator[str]:
    """Serve the app with Daphne on a free loopback port; yield its base URL."""
    from django.db import connection

    with django_db_blocker.unblock():
        db_url = database_url(connection.settings_dict)
    ensure_static()
    # The clusters' Kubernetes API over TLS beside the site, as `make run` serves it (kubeapi_port below).
    proc, port = start_daphne(db_url, log_name="daphne-test.log", api_port=KUBEAPI_PORT)
    yield f"http://127.0.0.1:{port}"
    stop(proc)


KUBEAPI_PORT = free_port()


@pytest.fixture(scope="session")
def kubeapi_port(asgi_server) -> int:
    """The TLS port of the clusters' Kubernetes API served beside `asgi_server`."""
    return KUBEAPI_PORT


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@dataclass
class PageWatch:
    """What a page did that a test may want to refuse: console errors and requests leaving the server."""

    base_url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)

    def on_response(self, response) -> None:
        if response.status >= 400:
            self.failed_responses.append(f"{response.status} {response.url}")

    def on_request(self, request) -> None:
        url = request.url
        if url.startswith(("data:", "blob:", "about:")):
            return
        if urlsplit(url).netloc != urlsplit(self.base_url).netloc:
            self.foreign_requests.append(url)

    def assert_clean(self) -> None:
        assert self.page_errors == [], self.page_errors
        assert self.failed_responses == [], self.failed_responses
        assert self.console_errors == [], self.console_errors
        assert self.foreign_requests == [], self.foreign_requests


def open_page(browser, base_url: str, *, width: int = 1366, height: int = 768, **context_args):
    """Return (context, page, watch) with console errors and foreign requests recorded."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, base_url=base_url, locale="ko-KR", **context_args
    )
    page = context.new_page()
    watch = PageWatch(base_url)
    page.on("console", lambda msg: watch.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: watch.page_errors.append(str(exc)))
    page.on("request", watch.on_request)
    page.on("response", watch.on_response)
    return context, page, watch


def sign_in(page, next_url: str = "/class/") -> None:
    """Sign the instructor in through the admin's login form, landing on `next_url`."""
    page.goto(f"/admin/login/?next={next_url}")
    page.locator("#id_username").fill("teacher")
    page.locator("#id_password").fill(INSTRUCTOR_PASSWORD)
    page.locator("input[type=submit]").click()


def join_class(page, code: str, nickname: str, level_label: str = "초급") -> None:
    """Join class `code` as a student through its join URL (the QR target); wait for the live socket."""
    page.goto(f"/class/{code}/")
    page.get_by_label("닉네임").fill(nickname)
    page.get_by_label(level_label).check()
    page.locator("#join-form button[type=submit]").click()
    page.wait_for_selector("#socket-status[data-state=open]")


@pytest.fixture
def instructor_account(lesson, django_user_model):
    """The cast's instructor ("teacher" / INSTRUCTOR_PASSWORD), with the quizzes and predictions loaded."""
    from django.core.management import call_command

    call_command("loaddata", "quizzes", verbosity=0)
    call_command("loaddata", "predictions", verbosity=0)
    call_command("create_instructor", "teacher", password=INSTRUCTOR_PASSWORD)
    return django_user_model.objects.get(username="teacher")


@pytest.fixture
def klass(instructor_account, lesson):
    """A class the cast's instructor started for the lesson ("2기 오전반"): a ClassSession with its join code."""
    from course.classroom import actions

    return actions.start_class(instructor_account, lesson, "2기 오전반")


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
