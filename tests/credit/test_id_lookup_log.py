"""An ID-number lookup leaves the number in no URL, no redirect, no link and no line of the server's
request log (the live server's werkzeug access log, read as it was written)."""

from __future__ import annotations

import logging
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from werkzeug.serving import make_server

ID_NUMBER = "11010519491231002X"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def served(app):
    """The app on a free port with werkzeug's access log captured line by line."""
    lines: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    log = logging.getLogger("werkzeug")
    handler, level, disabled = Capture(), log.level, log.disabled
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.disabled = False
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", lines
    finally:
        server.shutdown()
        log.removeHandler(handler)
        log.setLevel(level)
        log.disabled = disabled


def test_id_number_never_in_a_url_or_the_request_log(served, make_firm, make_manager):
    base, log_lines = served
    manager = make_manager(make_firm(), name="李红", national_id=ID_NUMBER)
    opener = urllib.request.build_opener(NoRedirect)
    seen = []
    for name in ("李红", "李"):
        body = urllib.parse.urlencode({"id_number": ID_NUMBER, "name": name}).encode()
        try:
            response = opener.open(urllib.request.Request(f"{base}/credit/id-lookup", data=body, method="POST"))
        except urllib.error.HTTPError as exc:  # the 303 to the manager's page, not followed
            response = exc
        seen.append((response.status, response.headers.get("Location", ""), response.read().decode()))
    (found_status, location, _), (missed_status, _, page) = seen
    assert found_status == 303 and location.endswith(f"/credit/managers/{manager.certificate_no}")
    assert missed_status == 200
    # The language links on the refused page point at the POST's own path: no ID number in them.
    assert "next=/credit/id-lookup" in page.replace("%2F", "/")
    assert ID_NUMBER not in page
    requests = [line for line in log_lines if "HTTP/1.1" in line]
    assert len(requests) == 2 and all("POST /credit/id-lookup HTTP/1.1" in line for line in requests)
    assert not [line for line in log_lines if ID_NUMBER in line or ID_NUMBER.lower() in line]
