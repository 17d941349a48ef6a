import os

import pytest
from django.db import connections

from tests.conftest import CHROMIUM, require_browser

# Playwright's sync API drives an event loop from this thread; the Django ORM calls made by the
# test body between Playwright calls are safe, but Django cannot tell.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    require_browser()
    # Starting Playwright switches this thread's context variables, and with them Django's
    # per-context database connections; hand the test database's connections over, or the
    # suite would carry on with fresh ones that know nothing of the test database's state.
    saved = {alias: connections[alias] for alias in connections}
    playwright = sync_playwright().start()
    for alias, connection in saved.items():
        connections[alias] = connection
    instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield instance
    instance.close()
    playwright.stop()


@pytest.fixture
def phone_page(browser):
    """A page the size of a cheap Android phone (360 × 740 CSS pixels)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()
