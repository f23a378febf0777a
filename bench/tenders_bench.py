"""Tender benchmark: the public list and a tender's page with 100,000 tenders and 1,000,000 registrations.

    .venv/bin/python bench/tenders_data.py        # once
    .venv/bin/python bench/tenders_bench.py [--duration 20 --connections 16] [--no-cache]

Serves the app and a bare Flask JSON route with the same gunicorn settings on loopback, loads each
with wrk from a second process (the bare route measured just before each scenario), and times the
community-name search in-process; with nginx installed, the list and the public page once more behind
the micro-cache of docs/nginx/public-micro-cache.conf (the production set-up). Prints the figures with
their targets beside them; never asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.credit_bench import NGINX, OUT, claim_redis_db, start_nginx, stop, wrk  # noqa: E402
from bench.tenders_data import DB_URL, SA_URL  # noqa: E402

APP_PORT, BARE_PORT = 18091, 18092


def gunicorn(target: str, port: int, health: str, env: dict, workers: int, threads: int) -> subprocess.Popen:
    cmd = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-b", f"127.0.0.1:{port}", "-w", str(workers), "-k", "gthread",
           "--threads", str(threads), "--log-level", "warning", target]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{health}", timeout=5)
            return proc
        except Exception:
            time.sleep(0.3)
    stop(proc)
    raise SystemExit(f"gunicorn {target} did not start")


def sample(n: int) -> dict:
    import psycopg

    with psycopg.connect(DB_URL) as conn:
        ids = [r[0] for r in conn.execute(
            # The pages people read: tenders open for bids, and the ones that closed lately.
            "SELECT id FROM tender WHERE published_at IS NOT NULL AND bid_deadline > now() - interval '60 days' "
            "ORDER BY random() LIMIT %s", (n,))]
        names = [r[0] for r in conn.execute("SELECT community_name FROM tender ORDER BY random() LIMIT %s", (n,))]
        districts = [r[0] for r in conn.execute("SELECT code FROM district ORDER BY code")]
    parts = []
    for name in names:
        start = random.randrange(0, max(1, len(name) - 2))
        parts.append(name[start:start + 2])
    return {"ids": ids, "parts": parts, "districts": districts}


def search_in_process(parts: list[str], env: dict) -> dict:
    """The community-name search as the list view runs it (count and first page), timed with a warm pool."""
    os.environ.update(env)
    from bench.credit_app import create_app
    from core import clock
    from core.db import db
    from tender.tenders.operations.queries import public_tenders

    app = create_app()
    timings = []
    with app.app_context():
        for part in parts[:30]:
            public_tenders({"q": part}, clock.now())
        for part in parts:
            t0 = time.perf_counter()
            public_tenders({"q": part}, clock.now())
            timings.append((time.perf_counter() - t0) * 1000)
            db.session.remove()
    timings.sort()
    return {"n": len(timings), "p50_ms": statistics.median(timings), "p95_ms": timings[int(len(timings) * 0.95) - 1],
            "max_ms": timings[-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) + 1)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--samples", type=int, default=3000)
    parser.add_argument("--hot", type=int, default=300, help="distinct tender pages in the public-page scenario")
    parser.add_argument("--no-cache", action="store_true", help="serve every request through the database")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed (apt-get install wrk)")
    OUT.mkdir(exist_ok=True)
    redis_url, release = claim_redis_db()
    env = dict(os.environ, PLATFORM_CONFIG="production", SECRET_KEY=secrets.token_urlsafe(32), DATABASE_URL=SA_URL,
               REDIS_URL=redis_url, INSTANCE_PATH=str(OUT / "instance-tenders"),
               TENDER_PUBLIC_CACHE="0" if args.no_cache else "1")
    # Production refuses to start without its key files: make them once for the benchmark's instance.
    subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-m", "app", "provision-keys"], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL)
    random.seed(5)
    picked = sample(args.samples)
    q = urllib.parse.quote
    scenarios = {
        "list": [f"/tenders?district={d}&state={s}&page={p}" for d in picked["districts"]
                 for s in ("open_for_bids", "closed") for p in (1, 2, 3)],
        # Readers crowd on the tenders open now: a few hundred pages take most reads.
        "detail": [f"/tenders/{i}" for i in picked["ids"][:args.hot]],
        "detail_cold": [f"/tenders/{i}" for i in picked["ids"]],
        "search": [f"/tenders?q={q(part)}" for part in picked["parts"]],
    }
    results = {}
    load_before = os.getloadavg()
    app = bare = None
    try:
        served = (args.workers, args.threads)
        bare = gunicorn("bench.credit_app:create_bare_app()", BARE_PORT, "/bare", env, *served)
        app = gunicorn("bench.credit_app:create_app()", APP_PORT, "/tenders", env, *served)
        wrk(BARE_PORT, ["/bare"], 3, args.connections, args.wrk_threads)
        for name, paths in scenarios.items():
            results["bare_" + name] = wrk(BARE_PORT, ["/bare"], args.duration, args.connections, args.wrk_threads, bare)
            wrk(APP_PORT, paths[:50], 3, args.connections, args.wrk_threads)  # warm the connection pools
            results[name] = wrk(APP_PORT, paths, args.duration, args.connections, args.wrk_threads, app)
            results[name + "_again"] = wrk(APP_PORT, paths, args.duration, args.connections, args.wrk_threads, app)
        if Path(NGINX).exists():
            # The production set-up: nginx's micro-cache (docs/nginx/public-micro-cache.conf) in front.
            folder = Path(tempfile.mkdtemp(prefix="tenders-nginx-"))
            proxy, proxy_port = start_nginx(APP_PORT, folder)
            try:
                for name in ("list", "detail"):
                    results["bare_" + name + "_nginx"] = wrk(BARE_PORT, ["/bare"], args.duration, args.connections,
                                                             args.wrk_threads, bare)
                    results[name + "_nginx"] = wrk(proxy_port, scenarios[name], args.duration, args.connections,
                                                   args.wrk_threads, app, proxy)
            finally:
                stop(proxy)
                shutil.rmtree(folder, ignore_errors=True)
        stop(bare)
        bare = None
        stop(app)
        app = None
        results["search_in_process"] = search_in_process(picked["parts"][:1000], env)
    finally:
        for proc in (app, bare):
            if proc is not None:
                stop(proc)
        release()

    print(f"\nTender benchmark · 100,000 tenders, 1,000,000 registrations · {os.cpu_count()} CPUs · gunicorn "
          f"-w {args.workers} gthread x{args.threads} · wrk -t{args.wrk_threads} -c{args.connections} "
          f"-d{args.duration}s · loopback · load {load_before[0]:.1f} before / {os.getloadavg()[0]:.1f} after")
    print(f"stored anonymous answers: {'no (--no-cache)' if args.no_cache else 'yes'}; each scenario is compared "
          "with the bare route measured just before it.")
    print(f"{'scenario':<38}{'req/s':>9}{'vs bare':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
          f"{'CPU ms/req':>11}   target")
    labels = {"list": "list by district and state (HTML)", "detail": f"public page, {args.hot} tenders (HTML)",
              "detail_cold": f"public page, {len(picked['ids'])} tenders (HTML)",
              "search": "community-name search (HTML)"}
    targets = {"list": "≥30% of bare, p99 ≤ 50 ms", "detail": "≥30% of bare, p99 ≤ 50 ms",
               "detail_cold": "(pages mostly rendered afresh)", "search": "p95 ≤ 100 ms (see in-process)"}
    for key in ("list", "detail", "detail_cold", "search"):
        base = results["bare_" + key]
        for label, r, target in (("  bare Flask JSON route", base, ""), (labels[key] + ", 1st pass", results[key],
                                 targets[key]), ("  same requests again", results[key + "_again"], "")):
            print(f"{label:<38}{r['rps']:>9.0f}{r['rps'] / base['rps']:>9.0%}{r['p50_us'] / 1000:>9.1f}"
                  f"{r['p95_us'] / 1000:>9.1f}{r['p99_us'] / 1000:>9.1f}{r['socket_errors'] + r['non2xx']:>8}"
                  f"{r['cpu_ms']:>11.2f}   {target}")
    for key in ("list", "detail"):
        if key + "_nginx" not in results:
            continue
        base = results["bare_" + key + "_nginx"]
        for label, r, target in (("  bare Flask JSON route", base, ""),
                                 (labels[key] + ", behind nginx", results[key + "_nginx"], targets[key])):
            print(f"{label:<38}{r['rps']:>9.0f}{r['rps'] / base['rps']:>9.0%}{r['p50_us'] / 1000:>9.1f}"
                  f"{r['p95_us'] / 1000:>9.1f}{r['p99_us'] / 1000:>9.1f}{r['socket_errors'] + r['non2xx']:>8}"
                  f"{r['cpu_ms']:>11.2f}   {target}")
    s = results["search_in_process"]
    print(f"{'search query, in-process (count+page)':<38}{'':>27}{s['p50_ms']:>9.2f}{s['p95_ms']:>9.2f}"
          f"{'':>28}   p95 ≤ 100 ms (n={s['n']})")
    (OUT / "tenders_bench.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
