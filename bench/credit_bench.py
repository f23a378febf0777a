"""Credit registry benchmark: figures for the public lookup at national scale.

    .venv/bin/python bench/credit_data.py          # once: 300k firms, 1M managers, 3M records
    apt-get install nginx-light wrk                # once
    .venv/bin/python bench/credit_bench.py [--duration 20 --connections 16]

Serves, with the same gunicorn settings on loopback: a bare Flask JSON route, the app (answer cache
on), the app with its answer cache off (every answer new to the caches), and the app behind nginx
with the micro-cache of docs/nginx/public-micro-cache.conf (rendered into a temp dir, nginx started
on a free port by this script). Loads each with wrk, the bare route measured just before each
scenario, and prints throughput, latency and server CPU per request (the servers' own processes:
gunicorn, and nginx where it is in front) beside each target; never asserts.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
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
APP_PORT, BARE_PORT, UNCACHED_PORT = 18081, 18082, 18083
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


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


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_nginx(app_port: int, folder: Path) -> tuple[subprocess.Popen, int]:
    """nginx in front of the app with the production micro-cache set-up, on a free port, files in ``folder``."""
    port = free_port()
    (folder / "cache").mkdir(parents=True, exist_ok=True)
    site = (ROOT / "docs" / "nginx" / "public-micro-cache.conf").read_text()
    for key, value in {"cache_dir": folder / "cache", "app_port": app_port, "listen": f"127.0.0.1:{port}",
                       # one client address makes all the load here: a limit it never reaches
                       "lookup_rate": "100000r/s", "lookup_burst": 100000, "micro_seconds": 5}.items():
        site = site.replace("{" + key + "}", str(value))
    conf = folder / "nginx.conf"
    # The workers run as this script's user, so they can write the cache in its temp dir.
    conf.write_text(f"""user {getpass.getuser()};
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
daemon off;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
{site}
}}
""")
    proc = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(folder)], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/credit/lookup?q=91", timeout=2)
            return proc, port
        except Exception:
            time.sleep(0.2)
    stop(proc)
    raise SystemExit("nginx did not start; see " + str(folder / "error.log"))


def gunicorn(target: str, port: int, env: dict, workers: int, threads: int) -> subprocess.Popen:
    cmd = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-b", f"127.0.0.1:{port}", "-w", str(workers), "-k", "gthread",
           "--threads", str(threads), "--log-level", "warning", target]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bare" if port == BARE_PORT else
                                   f"http://127.0.0.1:{port}/api/v1/credit/lookup?q=91", timeout=2)
            return proc
        except Exception:
            time.sleep(0.3)
    stop(proc)
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


def cpu_of(*procs) -> float:
    return sum(cpu_seconds(p) for p in procs if p is not None)


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=20)


def wrk(port: int, paths: list[str], duration: int, connections: int, threads: int, *servers) -> dict:
    path_file = OUT / f"paths-{port}-{secrets.token_hex(3)}.txt"
    path_file.write_text("\n".join(paths) + "\n")
    env = dict(os.environ, WRK_PATHS=str(path_file))
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
           "-s", str(ROOT / "bench" / "credit_wrk.lua"), f"http://127.0.0.1:{port}"]
    cpu_before = cpu_of(*servers)
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    cpu = cpu_of(*servers) - cpu_before
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
    parser.add_argument("--only", nargs="*", help="run only these scenarios")
    parser.add_argument("--score-samples", type=int, default=500)
    args = parser.parse_args()
    # Stopped by a signal, the servers this script started are still stopped (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed (apt-get install wrk)")
    if not Path(NGINX).exists():
        raise SystemExit("nginx is needed (apt-get install nginx-light)")
    OUT.mkdir(exist_ok=True)
    redis_url, release = claim_redis_db()
    keys = OUT / "data-keys"
    if not list(keys.glob("*.key")):
        from core.datakeys import create_key

        create_key(keys)
    env = dict(os.environ, PLATFORM_CONFIG="production", SECRET_KEY=secrets.token_urlsafe(32), DATABASE_URL=DB_URL,
               REDIS_URL=redis_url, INSTANCE_PATH=str(OUT / "instance"), DATA_KEY_DIR=str(keys), CREDIT_PUBLIC_CACHE="1")
    random.seed(7)
    picked = sample(args.samples)
    load_before = os.getloadavg()
    q = urllib.parse.quote
    lookup_paths = [f"/api/v1/credit/lookup?q={u}" for u in picked["usccs"]]
    page_paths = [f"/credit/firms/{u}" for u in picked["usccs"]]
    # (name, label, paths, target, server) — server: app, uncached or nginx
    scenarios = [
        ("uscc_lookup", "JSON lookup by USCC", lookup_paths, "≥50% of bare, p99 ≤ 50 ms", "app"),
        ("name_search", "name search, 2–4 char part", [f"/api/v1/credit/lookup?q={q(p)}" for p in picked["parts"]],
         "p95 ≤ 100 ms", "app"),
        ("subject_page", "public subject page (HTML)", page_paths, "≥30% of bare", "app"),
        ("subject_page_new", "subject page, every answer new", page_paths, "≥10% of bare, ≤ 2 ms CPU", "uncached"),
        ("uscc_lookup_nginx", "JSON lookup, behind nginx", lookup_paths, "≥100% of bare", "nginx"),
        ("subject_page_nginx", "subject page, behind nginx", page_paths, "≥100% of bare", "nginx"),
    ]
    if args.only:
        scenarios = [sc for sc in scenarios if sc[0] in args.only]
    results = {}
    procs = {}
    folder = Path(tempfile.mkdtemp(prefix="credit-nginx-"))
    try:
        # Every server stays up (an idle one costs nothing) and the bare route is measured right
        # before each scenario, so each ratio compares runs seconds apart on a shared machine.
        served = (args.workers, args.threads)
        procs["bare"] = gunicorn("bench.credit_app:create_bare_app()", BARE_PORT, env, *served)
        procs["app"] = gunicorn("bench.credit_app:create_app()", APP_PORT, env, *served)
        procs["uncached"] = gunicorn("bench.credit_app:create_app()", UNCACHED_PORT,
                                     dict(env, CREDIT_PUBLIC_CACHE="0"), *served)
        procs["nginx"], nginx_port = start_nginx(APP_PORT, folder)
        ports = {"app": APP_PORT, "uncached": UNCACHED_PORT, "nginx": nginx_port}
        wrk(BARE_PORT, ["/bare"], 3, args.connections, args.wrk_threads)
        for name, _label, paths, _target, server in scenarios:
            results["bare_" + name] = wrk(BARE_PORT, ["/bare"], args.duration, args.connections, args.wrk_threads,
                                          procs["bare"])
            watched = [procs["app"], procs["nginx"]] if server == "nginx" else [procs[server]]
            wrk(ports[server], paths[:200], 3, args.connections, args.wrk_threads)  # warm the connection pools
            if server != "uncached":
                # First pass: many of the sampled answers are new to the caches; the measured pass
                # asks the same again, as visitors of popular subjects do.
                results[name + "_first"] = wrk(ports[server], paths, args.duration, args.connections,
                                               args.wrk_threads, *watched)
            results[name] = wrk(ports[server], paths, args.duration, args.connections, args.wrk_threads, *watched)
            results[name]["load"] = os.getloadavg()[0]
        results["score_at"] = score_at_p95(picked["ids"][:args.score_samples], env)
    finally:
        for proc in procs.values():
            if proc is not None and proc.poll() is None:
                stop(proc)
        shutil.rmtree(folder, ignore_errors=True)
        release()

    print(f"\nCredit registry benchmark · {os.cpu_count()} CPUs · gunicorn -w {args.workers} gthread x{args.threads} · "
          f"wrk -t{args.wrk_threads} -c{args.connections} -d{args.duration}s · loopback · "
          f"load average {load_before[0]:.1f} before / {os.getloadavg()[0]:.1f} after (wrk, PostgreSQL and Redis share the CPUs)")
    print("Each scenario is compared with the bare Flask route measured just before it. CPU ms/req counts the "
          "serving processes only (gunicorn; plus nginx behind it), not PostgreSQL or Redis.")
    print(f"{'scenario':<36}{'req/s':>9}{'vs bare':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
          f"{'CPU ms/req':>11}   target")
    for name, label, _paths, target, _server in scenarios:
        bare_result, r = results["bare_" + name], results[name]
        rows = [("  bare Flask JSON route", bare_result, "")]
        if name + "_first" in results:
            rows.append(("  (first pass, answers new)", results[name + "_first"], ""))
        rows.append((label, r, f"{target} · load {r['load']:.1f}"))
        for row_label, row, note in rows:
            print(f"{row_label:<36}{row['rps']:>9.0f}{row['rps'] / bare_result['rps']:>9.0%}{row['p50_us'] / 1000:>9.1f}"
                  f"{row['p95_us'] / 1000:>9.1f}{row['p99_us'] / 1000:>9.1f}{row['socket_errors'] + row['non2xx']:>8}"
                  f"{row['cpu_ms']:>11.2f}   {note}")
    s_ = results["score_at"]
    print(f"{'score_at, one firm, past instant':<36}{'':>9}{'':>9}{s_['p50_ms']:>9.2f}{s_['p95_ms']:>9.2f}{'':>9}{'':>8}"
          f"   p95 ≤ 20 ms (in-process, n={s_['n']})")
    (OUT / "credit_bench.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
