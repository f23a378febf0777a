"""Browser fixtures for browser tests outside tests/e2e.

The e2e fixtures (live server, pages, screenshots) are imported from tests/e2e/conftest.py, but
Playwright's sync API allows one running instance per thread: a module that imported the
session-wide ``browser`` would start a second one next to tests/e2e's. This ``browser`` is closed
when its module finishes instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import CHROMIUM, live_server, new_page, screenshot  # noqa: F401  (fixtures)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM} (install Debian's chromium, or set CHROMIUM_PATH)")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking"])
        try:
            yield instance
        finally:
            instance.close()
