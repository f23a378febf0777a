"""Credit registry benchmark: figures for the public lookup at national scale.

    .venv/bin/python bench/credit_data.py          # once: 300k firms, 1M managers, 3M records
    .venv/bin/python bench/credit_bench.py [--duration 20 --connections 16]

Serves the app and a bare Flask JSON route with the same gunicorn settings on loopback, loads
each with wrk from a second process, and measures score_at in-process. Prints the figures the
issue asks for, with the target beside each; never asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench_credit")
REDIS_SERVER = os.environ.get("BENCH_REDIS_SERVER", "redis://127.0.0.1:6379")
APP_PORT, BARE_PORT = 18081, 18082


def claim_redis_db() -> tuple[str, callable]:
    """A free Redis DB index, claimed the way the test fixtures do, so parallel runs never meet."""
    import redis

    lock = redis.Redis.from_url(REDIS_SERVER + "/0")
    token = secrets.token_hex(8)
    for index in range(1, 16):
        if lock.set(f"platform-tests:db:{index}", token, nx=True, ex=3600):
            url = f"{REDIS_SERVER}/{index}"
            redis.Redis.from_url(url).flushdb()
            return url, lambda: (redis.Redis.from_url(url).flushdb(), lock.delete(f"platform-tests:db:{index}"))
    raise SystemExit("no free Redis database index")


def gunicorn(target: str, port: int, env: dict, workers: int, threads: int) -> subprocess.Popen:
    cmd = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-b", f"127.0.0.1:{port}", "-w", str(workers), "-k", "gthread",
           "--threads", str(threads), "--log-level", "warning", target]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bare" if port == BARE_PORT else
                                   f"http://127.0.0.1:{port}/api/v1/credit/lookup?q=91", timeout=2)
            return proc
        except Exception:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"gunicorn {target} did not start")


def cpu_seconds(proc: subprocess.Popen) -> float:
    """User + system CPU of a server's process group (master and workers) so far."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == proc.pid:  # process group id
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=20)


def wrk(port: int, paths: list[str], duration: int, connections: int, threads: int,
        server: subprocess.Popen | None = None) -> dict:
    path_file = OUT / f"paths-{port}-{secrets.token_hex(3)}.txt"
    path_file.write_text("\n".join(paths) + "\n")
    env = dict(os.environ, WRK_PATHS=str(path_file))
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
           "-s", str(ROOT / "bench" / "credit_wrk.lua"), f"http://127.0.0.1:{port}"]
    cpu_before = cpu_seconds(server) if server else 0.0
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    cpu = cpu_seconds(server) - cpu_before if server else 0.0
    path_file.unlink()
    line = [x for x in result.stdout.splitlines() if x.startswith("{")][-1]
    data = json.loads(line)
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    data["cpu_ms"] = cpu * 1000 / max(data["requests"], 1)  # server CPU per request (app processes only)
    return data


def sample(n: int) -> dict:
    """Random firms, name parts and an instant, read from the benchmark database."""
    import sqlalchemy as sa

    engine = sa.create_engine(DB_URL)
    with engine.connect() as conn:
        top = conn.execute(sa.text("SELECT max(id) FROM credit_subject")).scalar()
        ids = random.sample(range(1, top + 1), n)
        rows = conn.execute(sa.text("SELECT id, uscc, name FROM credit_subject WHERE id = ANY(:ids)"), {"ids": ids}).all()
    parts = []
    for _id, _uscc, name in rows:
        core = name[2:]  # after 上海
        for suffix in ("物业", "分公司"):
            cut = core.find(suffix)
            core = core[:cut] if cut > 0 else core
        size = random.choice((2, 3, 4))
        if len(core) < size:
            size = len(core)
        if size >= 2:
            start = random.randrange(0, len(core) - size + 1)
            parts.append(core[start:start + size])
    return {"ids": [r[0] for r in rows], "usccs": [r[1] for r in rows], "parts": parts}


def score_at_p95(ids: list[int], env: dict) -> dict:
    """score_at for one firm at a past instant, timed in-process with a warm connection pool."""
    os.environ.update(env)
    from bench.credit_app import create_app
    from core.db import db, utcnow
    from credit.models import CreditSubject
    from credit.scoring import score_at

    app = create_app()
    timings = []
    with app.app_context():
        instant = utcnow() - timedelta(days=200)
        for firm_id in ids[:50]:
            score_at(db.session.get(CreditSubject, firm_id), instant)
        for firm_id in ids:
            with app.test_request_context():
                firm = db.session.get(CreditSubject, firm_id)
                t0 = time.perf_counter()
                score_at(firm, instant)
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
    parser.add_argument("--no-cache", action="store_true", help="serve every request through the app (no stored answers)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed (apt-get install wrk)")
    OUT.mkdir(exist_ok=True)
    redis_url, release = claim_redis_db()
    env = dict(os.environ, PLATFORM_CONFIG="production", SECRET_KEY=secrets.token_urlsafe(32), DATABASE_URL=DB_URL,
               REDIS_URL=redis_url, INSTANCE_PATH=str(OUT / "instance"), CREDIT_PUBLIC_CACHE="0" if args.no_cache else "1")
    random.seed(7)
    picked = sample(args.samples)
    load_before = os.getloadavg()
    q = urllib.parse.quote
    scenarios = {
        "uscc_lookup": [f"/api/v1/credit/lookup?q={u}" for u in picked["usccs"]],
        "uscc_profile": [f"/api/v1/credit/firms/{u}" for u in picked["usccs"]],
        "name_search": [f"/api/v1/credit/lookup?q={q(p)}" for p in picked["parts"]],
        "subject_page": [f"/credit/firms/{u}" for u in picked["usccs"]],
    }
    results = {}
    app = bare = None
    try:
        # Both servers stay up (an idle one costs nothing) and the bare route is measured right before
        # each scenario, so each ratio compares runs seconds apart: other work on the machine comes
        # and goes, and one bare figure for the whole run would flatter or punish whatever ran later.
        served = (args.workers, args.threads)
        bare = gunicorn("bench.credit_app:create_bare_app()", BARE_PORT, env, *served)
        app = gunicorn("bench.credit_app:create_app()", APP_PORT, env, *served)
        wrk(BARE_PORT, ["/bare"], 3, args.connections, args.wrk_threads)
        import redis

        store = redis.Redis.from_url(redis_url)
        for name, paths in scenarios.items():
            results["bare_" + name] = wrk(BARE_PORT, ["/bare"], args.duration, args.connections, args.wrk_threads, bare)
            wrk(APP_PORT, paths[:200], 3, args.connections, args.wrk_threads)  # warm the connection pools
            # First pass: each of the sampled subjects is new to the answer store (misses, then hits);
            # second pass: the same requests again, answers stored (until their expiry or a write).
            before = len(list(store.scan_iter("credit:pub:entry:*")))
            results[name] = wrk(APP_PORT, paths, args.duration, args.connections, args.wrk_threads, app)
            results[name]["stored"] = len(list(store.scan_iter("credit:pub:entry:*"))) - before
            results[name + "_warm"] = wrk(APP_PORT, paths, args.duration, args.connections, args.wrk_threads, app)
            results[name]["load"] = os.getloadavg()[0]
        stop(bare)
        bare = None
        stop(app)
        app = None
        results["score_at"] = score_at_p95(picked["ids"][:2000], env)
    finally:
        for proc in (app, bare):
            if proc is not None:
                stop(proc)
        release()

    print(f"\nCredit registry benchmark · {os.cpu_count()} CPUs · gunicorn -w {args.workers} gthread x{args.threads} · "
          f"wrk -t{args.wrk_threads} -c{args.connections} -d{args.duration}s · loopback · "
          f"load average {load_before[0]:.1f} before / {os.getloadavg()[0]:.1f} after (other processes share the CPUs)")
    print(f"answers stored: {'no (--no-cache)' if args.no_cache else 'yes'}; each scenario is compared with the bare "
          "route measured just before it. Throughput moves with other work and with how gunicorn's workers happen "
          "to share wrk's connections; CPU ms/req (the server's own processes, not Redis or PostgreSQL) is steadier.")
    print(f"{'scenario':<34}{'req/s':>9}{'vs bare':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
          f"{'CPU ms/req':>11}   target")
    targets = {"uscc_lookup": "≥50% of bare, p99 ≤ 50 ms", "uscc_profile": "(full profile JSON, extra)",
               "name_search": "p95 ≤ 100 ms", "subject_page": "≥30% of bare"}
    labels = {"uscc_lookup": "JSON lookup by USCC", "uscc_profile": "JSON firm profile by USCC",
              "name_search": "name search, 2–4 char part", "subject_page": "public subject page (HTML)"}
    for key in ("uscc_lookup", "uscc_profile", "name_search", "subject_page"):
        bare_result, first = results["bare_" + key], results[key]
        rows = [("  bare Flask JSON route", bare_result, ""),
                (labels[key] + ", 1st pass", first,
                 f"{targets[key]} · {first['stored']} answers stored in {first['requests']} requests · "
                 f"load {first['load']:.1f}"),
                ("  same requests again", results[key + "_warm"], "")]
        for label, r, target in rows:
            print(f"{label:<34}{r['rps']:>9.0f}{r['rps'] / bare_result['rps']:>9.0%}{r['p50_us'] / 1000:>9.1f}"
                  f"{r['p95_us'] / 1000:>9.1f}{r['p99_us'] / 1000:>9.1f}{r['socket_errors'] + r['non2xx']:>8}"
                  f"{r['cpu_ms']:>11.2f}   {target}")
    s = results["score_at"]
    print(f"{'score_at, one firm, past instant':<34}{'':>9}{'':>9}{s['p50_ms']:>9.2f}{s['p95_ms']:>9.2f}{'':>9}{'':>8}"
          f"   p95 ≤ 20 ms (in-process, n={s['n']})")
    (OUT / "credit_bench.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
