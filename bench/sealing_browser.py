"""Browser sealing of a 100 MiB file in headless Chromium, compared with the Python tool on the
same machine in the same run (both sealing from memory; the browser keeps the envelope as a Blob).

    .venv/bin/python bench/sealing_browser.py [--size-mib 100] [--runs 3]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey  # noqa: E402

from tender.sealing import Document, hpke, seal  # noqa: E402

MIB = 1024 * 1024
STATIC = ROOT / "tender" / "sealing" / "static"

BROWSER_RUN = """async ([size, pks]) => {
    const P = await import('/primitives.js');
    const E = await import('/envelope.js');
    const parts = [];
    for (let at = 0; at < size; at += 65536) parts.push(crypto.getRandomValues(new Uint8Array(Math.min(65536, size - at))));
    const file = new File(parts, 'payload.bin');
    let reports = 0;
    const t0 = performance.now();
    const {blob} = await E.sealEnvelope({tenderId: 'T-bench', bidId: 'B-1', bidVersion: 1, deadline: 0,
        custodians: pks.map(P.unb64), threshold: 2, priceSheet: P.ascii('{"fee": "2.80"}'), documents: [{file, part: 'technical'}],
        onProgress: () => { reports += 1; }});
    const seconds = (performance.now() - t0) / 1000;
    return {seconds, envelopeBytes: blob.size, progressReports: reports, userAgent: navigator.userAgent};
}"""


class Sink:
    def write(self, data):
        return len(data)


class MemReader:
    def __init__(self, buffer):
        self.view, self.pos = memoryview(buffer), 0

    def read(self, n=-1):
        end = len(self.view) if n < 0 else min(len(self.view), self.pos + n)
        piece, self.pos = self.view[self.pos:end], end
        return piece


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mib", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    size = args.size_mib * MIB
    keys = [X25519PrivateKey.generate() for _ in range(3)]
    pks = [hpke.public_bytes(k.public_key()) for k in keys]

    class Quiet(http.server.SimpleHTTPRequestHandler):
        extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript"}

        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(STATIC))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    from playwright.sync_api import sync_playwright
    import base64

    browser_times, python_times = [], []
    buffer = os.urandom(size)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-background-networking"])
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/primitives.js")
        b64keys = [base64.b64encode(k).decode() for k in pks]
        for _ in range(args.runs):
            result = page.evaluate(BROWSER_RUN, [size, b64keys])
            browser_times.append(result["seconds"])
            t = time.perf_counter()
            seal(Sink(), tender_id="T-bench", bid_id="B-1", bid_version=1, deadline=0, custodian_keys=pks,
                 threshold=2, price_sheet=b'{"fee": "2.80"}',
                 documents=[Document("payload.bin", size, MemReader(buffer), "technical")])
            python_times.append(time.perf_counter() - t)
        browser.close()
    server.shutdown()
    b, py = min(browser_times), min(python_times)
    print(f"browser: {result['userAgent'].split(') ')[-1]}")
    print(f"{args.size_mib} MiB sealed in the browser in {b:.2f} s = {args.size_mib / b:.0f} MiB/s "
          f"(envelope {result['envelopeBytes']} bytes, {result['progressReports']} progress reports)")
    print(f"python tool on the same size: {py:.2f} s = {args.size_mib / py:.0f} MiB/s; "
          f"browser / python throughput = {py / b:.0%}")


if __name__ == "__main__":
    main()
