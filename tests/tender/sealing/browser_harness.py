"""A static server and a page that can import the sealing JS modules, with no app needed.

The ``browser`` fixture comes from tests/e2e/conftest.py (one Chromium per test session)."""

from __future__ import annotations

import base64
import functools
import http.server
import threading
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[3] / "tender" / "sealing" / "static"


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript"}

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/blank"):
            body = b"<!doctype html><meta charset=utf-8><title>sealing test</title>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()


@pytest.fixture(scope="session")
def static_server():
    handler = functools.partial(_Handler, directory=str(STATIC))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def js(browser, static_server):
    """A page with the modules loaded as window.P (primitives), window.E (envelope), window.C (custody)."""
    page = browser.new_page()
    page.goto(static_server + "/blank")
    page.evaluate("""async () => {
        window.P = await import('/primitives.js');
        window.E = await import('/envelope.js');
        window.C = await import('/custody.js');
    }""")
    yield page
    page.close()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text)
