"""Browser tests: the app served for real on 127.0.0.1, driven by Playwright on Debian's chromium.

Fixtures, all reusable by any area:

* ``live_server`` – the base URL (``http://127.0.0.1:PORT``) of the test app served by werkzeug in a
  thread, on the session's test database and Redis;
* ``browser`` – one headless Chromium for the session;
* ``page`` – a fresh context and page; desktop (1366×768) by default, or choose with
  ``@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)``;
* ``new_page(viewport="phone")`` – more pages in their own contexts (another user at the same time);
* ``screenshot(page, name)`` – a full-page PNG under ``tests/e2e/screenshots/`` (git-ignored).

Every test in this folder is marked ``e2e``.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
VIEWPORTS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1366, "height": 768}},
}
SCREENSHOTS = Path(__file__).parent / "screenshots"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def live_server(app):
    """Serve the test app on a free port of 127.0.0.1 (a secure context for WebCrypto) for the session."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM} (install Debian's chromium, or set CHROMIUM_PATH)")
    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking"]
        )
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def new_page(browser):
    """new_page(viewport="desktop" | "phone", **context_options) -> a page in a context of its own."""
    contexts = []

    def make(viewport: str = "desktop", **options):
        context = browser.new_context(**{**VIEWPORTS[viewport], **options})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(request, new_page):
    return new_page(getattr(request, "param", "desktop"))


@pytest.fixture
def screenshot():
    """screenshot(page, name) -> the path of a full-page PNG under tests/e2e/screenshots/."""

    def take(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        width = page.viewport_size["width"] if page.viewport_size else 0
        path = SCREENSHOTS / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
