"""Browser tests: Playwright for Python driving Debian's chromium against pytest-django's live server."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test itself
# (creating data) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = f"no chromium at {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: browser tests must run in CI")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, speaking plain HTTP on localhost with no proxy in front.

    Production's HTTPS redirect and secure cookies are switched off before the server builds its
    middleware (Django's SecurityMiddleware reads them once, at start).
    """
    from django.test.utils import override_settings
    from pytest_django.live_server_helper import LiveServer

    plain_http = override_settings(SECURE_SSL_REDIRECT=False, SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False)
    plain_http.enable()
    server = LiveServer(request.config.getvalue("liveserver") or "localhost")
    yield server
    server.stop()
    plain_http.disable()


def _page(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844}, **options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


@pytest.fixture
def page(browser, live_server, transactional_db):
    context, page = _page(browser, live_server)
    yield page
    context.close()


@pytest.fixture
def page_without_script(browser, live_server, transactional_db):
    """A phone-sized page with JavaScript switched off: every form is an ordinary post."""
    context, page = _page(browser, live_server, java_script_enabled=False)
    yield page
    context.close()
