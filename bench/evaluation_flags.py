"""The flags engine over 15 bids whose technical parts are 300-page Chinese PDFs, against merely
reading the same PDF bytes in the same run.

The PDFs are drawn with ReportLab's CID font STSong-Light from varied generated proposal text
(bench/evaluation_text.py); every bid also quotes 10 pages of the tender documents, and the last
bid is a reworded copy of the first (15 % of its sentences rewritten). Figures printed:

* baseline: reading the 15 files' bytes, and reading plus SHA-256
* text extraction (pypdf, as the platform reads bid documents), the blind check for each bidder's
  identity, and the comparison (near-duplicate text and rare strings over every pair, then the
  other flags); where pypdfium2 is installed, PDFium's extraction of the same files as a reference
* each phase's time, the whole, and as a multiple of reading the bytes; extraction again in as
  many processes as the machine has cores (``extract_many``)
* peak memory: the measuring child process's peak RSS, and the peak of Python allocations per
  phase (tracemalloc, in a second child, so its overhead stays out of the times)

    .venv/bin/python bench/evaluation_flags.py [--bids 15] [--pages 300] [--dir bench/out/evaluation-pdfs]

The generated PDFs are kept in the folder (ignored by git) and made again only when missing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from evaluation_text import near_copy, proposal  # noqa: E402

TENDER_PAGES = 10
VERSION = "v1"


def pdf_bytes(pages: list[str]) -> bytes:
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=1)
    pdf.setAuthor("投标人")
    for text in pages:
        pdf.setFont("STSong-Light", 10.5)
        y = 800
        for line in text.split("\n"):
            for start in range(0, max(len(line), 1), 44):
                pdf.drawString(48, y, line[start:start + 44])
                y -= 15
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def tender_text() -> list[str]:
    return [f"招标文件 第{n}页\n" + page.split("\n", 1)[1] for n, page in enumerate(proposal(4242, TENDER_PAGES), 1)]


def generate(folder: Path, bids: int, pages: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{VERSION}-{pages}p-bid{n:02d}.pdf" for n in range(1, bids + 1)]
    if all(p.exists() for p in paths):
        return paths
    started = time.perf_counter()
    quoted = tender_text()
    first = proposal(1, pages - TENDER_PAGES)
    for n, path in enumerate(paths, start=1):
        own = near_copy(first, seed=7, changed=0.15) if n == bids else proposal(n, pages - TENDER_PAGES)
        if n == 1:
            own = first
        path.write_bytes(pdf_bytes(quoted + own))
    print(f"generated {bids} PDFs of {pages} pages in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return paths


def identities(count: int):
    from tender.evaluation.documents import BidderIdentity, Person

    return [BidderIdentity(f"上海第{n}号物业管理有限公司", None, (Person(f"经理{n}", f"沪物2019-{n:04d}", f"1390000{n:04d}"),))
            for n in range(1, count + 1)]


def _pdfium_text(data: bytes) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    pages = []
    for index in range(len(document)):
        page = document[index]
        textpage = page.get_textpage()
        pages.append(textpage.get_text_range())
        textpage.close()
        page.close()
    document.close()
    return pages


def measure(paths: list[Path], trace: bool) -> dict:
    """Run the phases once in this process; times, or (with ``trace``) traced peaks."""
    import tracemalloc

    from tender.evaluation.documents import extract_many, extract_text, scan_identity
    from tender.evaluation.flags import BidText, FlagInputs, run_flags
    from tender.evaluation.rules import FlagRule

    figures: dict = {}

    def phase(name, work):
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        value = work()
        figures[name] = time.perf_counter() - started
        if trace:
            figures[name + "_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        return value

    blobs = phase("read", lambda: [p.read_bytes() for p in paths])
    phase("read_sha256", lambda: [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths])
    texts = phase("extract", lambda: [extract_text(b) for b in blobs])
    if not trace:
        workers = os.cpu_count() or 1
        figures["workers"] = workers
        phase("extract_parallel", lambda: extract_many(blobs, workers=workers))
        try:
            import pypdfium2  # noqa: F401  (a reference only; the platform reads PDFs with pypdf)
        except ImportError:
            pass
        else:
            phase("extract_pdfium", lambda: [_pdfium_text(b) for b in blobs])
    people = identities(len(paths))
    hits = phase("blind_check", lambda: [scan_identity(t, i) for t, i in zip(texts, people)])
    inputs = FlagInputs(texts=[BidText(f"B{n:02d}", tuple(t)) for n, t in enumerate(texts, 1)],
                        tender_pages=tuple(tender_text()))
    flags = phase("compare", lambda: run_flags(inputs, FlagRule()))
    figures.update(
        bytes=sum(len(b) for b in blobs), pages=sum(len(t) for t in texts), chars=sum(len(p) for t in texts for p in t),
        hits=sum(len(h) for h in hits),
        flags=[(f.kind, f.bids, f.figures.get("containment"), len(f.evidence)) for f in flags],
        max_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return figures


def child(paths: list[Path], trace: bool) -> dict:
    command = [sys.executable, __file__, "--child", "trace" if trace else "time", *map(str, paths)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bids", type=int, default=15)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--dir", default=str(ROOT / "bench" / "out" / "evaluation-pdfs"))
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure([Path(p) for p in args.child[1:]], args.child[0] == "trace")))
        return
    paths = generate(Path(args.dir), args.bids, args.pages)
    timed = child(paths, trace=False)
    traced = child(paths, trace=True)
    read = timed["read"]
    work = timed["extract"] + timed["blind_check"] + timed["compare"]
    print(f"{args.bids} bids, {timed['pages']} pages, {timed['chars']:,} characters, {timed['bytes'] / 2**20:.1f} MiB of PDF")
    print(f"{'phase':<28}{'seconds':>10}{'× reading':>12}{'traced peak MiB':>18}")
    rows = (("read the bytes (baseline)", "read"), ("read + SHA-256", "read_sha256"), ("text extraction", "extract"),
            ("blind check (identity)", "blind_check"), ("comparison and flags", "compare"))
    for title, key in rows:
        print(f"{title:<28}{timed[key]:>10.2f}{timed[key] / read:>12.0f}{traced[key + '_peak_mib']:>18.1f}")
    print(f"{'extraction + check + flags':<28}{work:>10.2f}{work / read:>12.0f}")
    parallel = timed["extract_parallel"]
    print(f"{'extraction, ' + str(timed['workers']) + ' processes':<28}{parallel:>10.2f}{parallel / read:>12.0f}")
    print(f"{'… + check + flags':<28}{parallel + work - timed['extract']:>10.2f}{(parallel + work - timed['extract']) / read:>12.0f}")
    if "extract_pdfium" in timed:
        print(f"{'(reference) PDFium extraction':<28}{timed['extract_pdfium']:>10.2f}{timed['extract_pdfium'] / read:>12.0f}")
    print(f"peak RSS of the measuring process: {timed['max_rss_mib']:.0f} MiB")
    print(f"identity hits: {timed['hits']} (the generated text names no bidder)")
    for kind, bids, containment, evidence in timed["flags"]:
        print(f"flag {kind} {'/'.join(bids)} containment={containment} passages={evidence}")


if __name__ == "__main__":
    main()
