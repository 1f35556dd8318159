"""Playwright in Debian's headless Chromium against the real server (pytest-django's live_server).

Every browser test runs on a fresh transactional database holding the largest sample (000, 邵阳市)
with one account per role and a little history (tests/webdata.py), and logs in through the real
login page. Screenshots go to ``out/screenshots/`` (git-ignored; CI keeps it as an artifact).

The browser is Debian's ``/usr/bin/chromium`` (``apt-get install chromium``), never a downloaded
one. Without it the tests are skipped — unless ``DUBAN_REQUIRE_BROWSER=1`` (set by .ci/run), where a
missing browser fails them.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tests.conftest import TEST_TIMEOUT

CHROMIUM = os.environ.get("DUBAN_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
TIMEOUT_MS = int(TEST_TIMEOUT * 1000)  # expect()/actions wait up to this for the page; never a fixed sleep


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    if not os.access(CHROMIUM, os.X_OK):
        message = f"没有找到 Chromium（{CHROMIUM}）：apt-get install chromium"
        if os.environ.get("DUBAN_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; Django refuses ORM calls from a
    # thread with a running loop unless told they are deliberate (the test bodies read the database).
    # Only while the browser runs: the browser tests run together, after the other database tests.
    old = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
            yield browser
            browser.close()
    finally:
        if old is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = old


class InFlight:
    """Requests the live server is still handling. A test that failed while waiting for a click
    leaves that request running in the server's thread, inside a write transaction: flushing the
    database under it fails ("database table is locked") and leaves the accounts for the next test."""

    def __init__(self):
        self.count = 0
        self.changed = threading.Condition()

    def started(self, **kwargs):
        with self.changed:
            self.count += 1

    def finished(self, **kwargs):
        with self.changed:
            self.count -= 1
            self.changed.notify_all()

    def wait_idle(self, seconds: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.count <= 0, timeout=seconds)


@pytest.fixture
def web(transactional_db, live_server, settings):
    """The demo-like data, on the database the live server reads. A fast hasher for the test
    accounts only (Argon2 costs about a second per hash here). Afterwards it waits for the server to
    finish every request (see :class:`InFlight`) before the database is flushed."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.signals import request_finished, request_started

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from tests.webdata import build

    if get_user_model().objects.exists():  # an earlier test's flush failed: start clean all the same
        call_command("flush", interactive=False, verbosity=0)
    busy = InFlight()
    request_started.connect(busy.started)
    request_finished.connect(busy.finished)
    try:
        data = build(samples=("000",), main="000", passwords=True)
        data.base = live_server.url
        yield data
    finally:
        idle = busy.wait_idle(3 * TEST_TIMEOUT)
        request_started.disconnect(busy.started)
        request_finished.disconnect(busy.finished)
        assert idle, f"浏览器测试结束后，服务器 {3 * TEST_TIMEOUT:.0f} 秒内仍未处理完请求"


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request):
    return request.param


@pytest.fixture
def open_page(chromium):
    """``open_page(viewport)`` -> a fresh page in its own context (own cookies), closed afterwards."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    contexts = []

    def make(viewport: str = "desktop"):
        context = chromium.new_context(
            viewport=VIEWPORTS[viewport],
            accept_downloads=True,
            locale="zh-CN",
            is_mobile=viewport == "phone",
            has_touch=viewport == "phone",
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def login(page, web, username: str, viewport: str = "desktop"):
    """Log in through the login form; returns the page on the role's home ('/')."""
    from playwright.sync_api import expect

    from tests.webdata import PASSWORD

    page.goto(web.base + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#logout")).to_be_visible()  # the menu bar of a logged-in user
    return page


MAX_SHOT_HEIGHT = 4000  # px: a city plan's pages are long; the top of them is what a reviewer needs


def shot(page, name: str, viewport: str = "desktop") -> Path:
    """Save the page (its top ``MAX_SHOT_HEIGHT`` px) as out/screenshots/<name>-<viewport>.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}-{viewport}.png"
    width = VIEWPORTS[viewport]["width"]
    height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_SHOT_HEIGHT)
    page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height})
    return path
