"""The deadline rush: sealed bids arriving in the last minute before a bid deadline, on this machine.

    .venv/bin/python bench/bidding_rush.py [--bids 300 --late 20 --clients 50 --mib 5]

Builds a published tender on a fresh PostgreSQL database (``BENCH_PG_URL``, a database of its own
that is dropped afterwards) and a free Redis DB index, with one registered firm per bid, seals every
bid with the tender's custodian keys, and serves the application as deployed: gunicorn (gthread,
``--workers``/``--threads``), an RQ worker for the closing job, PostgreSQL and Redis. Then:

1. the bare route: the same gunicorn settings serving a Flask route that streams the body to a
   file and fsyncs it (no checks), loaded with the same clients and the same bytes, before the
   rush and again after it (the mean is the baseline: other load on the machine changes);
2. the rush: the deadline is set 60 s ahead; ``--clients`` clients send the ``--bids`` envelopes
   through the resumable upload API (create, then the envelope in one part) as fast as they go;
   ``--late`` more arrive after the deadline (half started before it and send their last byte after,
   half start after it); a page view after the deadline asks for the closing job, and the signed
   list is fetched and checked against every receipt.

Prints upload throughput against the bare route's, receipt latency p50/p99, late bids refused,
5xx answers and the gunicorn workers' peak memory; never asserts.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_SERVER = os.environ.get("BENCH_REDIS_SERVER", "redis://127.0.0.1:6379")
APP_PORT, BARE_PORT = 5116, 5117


def claim_redis_db():
    import redis

    lock = redis.Redis.from_url(REDIS_SERVER + "/0")
    token = secrets.token_hex(8)
    for index in range(1, 16):
        if lock.set(f"platform-tests:db:{index}", token, nx=True, ex=3600):
            url = f"{REDIS_SERVER}/{index}"
            redis.Redis.from_url(url).flushdb()
            return url, lambda: (redis.Redis.from_url(url).flushdb(), lock.delete(f"platform-tests:db:{index}"))
    raise SystemExit("no free Redis database index")


def make_database():
    import sqlalchemy as sa

    name = f"bench_bid_{os.getpid()}_{secrets.token_hex(3)}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return PG_URL.rsplit("/", 1)[0] + "/" + name, drop


def serve(target: str, port: int, env: dict, workers: int, threads: int) -> subprocess.Popen:
    cmd = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-b", f"127.0.0.1:{port}", "-w", str(workers), "-k", "gthread",
           "--threads", str(threads), "--timeout", "120", "--log-level", "warning", target]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL)
    probe = "/bare" if port == BARE_PORT else "/tenders/time"
    for _ in range(150):
        try:
            urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}{probe}",
                                                          method="GET" if port != BARE_PORT else "PUT", data=None
                                                          if port != BARE_PORT else b"x"), timeout=2)
            return proc
        except Exception:
            time.sleep(0.3)
    stop(proc)
    raise SystemExit(f"gunicorn {target} did not start")


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except ProcessLookupError:
        pass


def worker_memory(proc: subprocess.Popen) -> list[int]:
    """Peak resident memory (KiB) of each gunicorn worker of ``proc``."""
    peaks = []
    for child in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split():
        for line in Path(f"/proc/{child}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]))
    return peaks


def cpu_seconds(proc: subprocess.Popen) -> float:
    """CPU time (user + system) used so far by the gunicorn workers of ``proc``."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for child in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split():
        fields = Path(f"/proc/{child}/stat").read_text().rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def postgres_seconds() -> float:
    """CPU time used so far by this machine's PostgreSQL processes (the database's share of a phase)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name, rest = stat.partition("(")[2].rpartition(")")[::2]
        if name.startswith("postgres"):
            fields = rest.split()
            total += int(fields[11]) + int(fields[12])
    return total / tick


def request(port, method, path, headers=None, body=b"", timeout=120):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        answer = conn.getresponse()
        data = answer.read()
        return answer.status, dict(answer.getheaders()), data
    finally:
        conn.close()


# --- the world ------------------------------------------------------------------------------------

def build_world(app, count: int, deadline: datetime) -> dict:
    """A published tender with three custodians (k = 2) and ``count`` registered firms with tokens."""
    import sqlalchemy as sa
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from core.accounts.models import Membership, MemberRole, Organisation, OrgKind, OrgStatus, User
    from core.auth.tokens import create_token
    from core.db import db
    from tender.bidding.operations import bid_ref
    from tender.sealing import hpke
    from tender.sealing.models import CustodianKey
    from tender.tenders.models import PropertyType, Registration, TenderArea, TenderCustodian, TenderState
    from tender.tenders.models.tender import CustodianKind
    from tender.tenders.operations import create_tender

    with app.app_context():
        def org(kind, name):
            o = Organisation(kind=kind, name=name, district_code="310104", status=OrgStatus.VERIFIED)
            db.session.add(o)
            db.session.flush()
            return o

        def user(o, email):
            u = User(email=email, name=email.split("@")[0], password_hash="!")
            db.session.add(u)
            db.session.flush()
            m = Membership(user_id=u.id, organisation_id=o.id, role=MemberRole.ADMIN)
            db.session.add(m)
            db.session.flush()
            return u, m

        developer = org(OrgKind.DEVELOPER, "基准测试置业有限公司")
        officer, _ = user(developer, "officer@bench.example")
        tender = create_tender(developer, {"community_name": "截标压力测试小区"}, actor=officer)
        tender.state = TenderState.PUBLISHED
        tender.published_at = deadline - timedelta(days=25)
        tender.bid_deadline = tender.opening_at = tender.original_deadline = deadline
        tender.custodian_threshold = 2
        db.session.add_all([TenderArea(tender_id=tender.id, property_type=PropertyType.RESIDENTIAL,
                                       floor_area_m2=85000),
                            TenderArea(tender_id=tender.id, property_type=PropertyType.COMMERCIAL, floor_area_m2=3000)])
        for position in range(1, 4):
            custodian, _ = user(developer, f"custodian{position}@bench.example")
            public = hpke.public_bytes(X25519PrivateKey.generate().public_key())
            kid = hpke.key_id(public).hex()
            db.session.add(CustodianKey(user_id=custodian.id, key_id=kid, public_key=public, origin="cli",
                                        proof_context="bench"))
            db.session.add(TenderCustodian(tender_id=tender.id, position=position, user_id=custodian.id,
                                           kind=CustodianKind.TENDERER, key_id=kid))
        firms = []
        for i in range(count):
            firm = org(OrgKind.FIRM, f"基准物业{i:04d}有限公司")
            u, m = user(firm, f"firm{i:04d}@bench.example")
            db.session.add(Registration(tender_id=tender.id, firm_id=firm.id, registered_by_id=u.id, credit_score="90.00"))
            db.session.flush()
            _, secret = create_token(m, {"name": "bench", "scopes": ["tender:read", "tender:write"], "days": 1}, actor=u)
            firms.append({"token": secret, "ref": bid_ref(tender, firm.id), "device": f"bench-device-{i:06d}"})
        db.session.commit()
        from tender.bidding.operations import custodian_keys

        keys = [k.public_key for k in custodian_keys(db.session.merge(tender))]
        return {"tender_id": tender.id, "reference": tender.reference, "deadline": deadline, "keys": keys,
                "firms": firms}


def seal_all(app, world: dict, mib: int) -> list[bytes]:
    from tender import sealing
    from tender.bidding.price_sheet import encode

    document = os.urandom(mib * 1024 * 1024 - 4096)
    sheet = encode({"schema_version": 1, "fee_model": "lump_sum",
                    "fees": [{"property_type": "residential", "fee_fen_per_m2_month": 250},
                             {"property_type": "commercial", "fee_fen_per_m2_month": 300}]})
    out = []
    for firm in world["firms"]:
        buf = io.BytesIO()
        sealing.seal(buf, tender_id=world["reference"], bid_id=firm["ref"], bid_version=1,
                     deadline=world["deadline"], custodian_keys=world["keys"], threshold=2, price_sheet=sheet,
                     documents=[sealing.Document.from_bytes("技术方案.pdf", document, "technical")])
        out.append(buf.getvalue())
    return out


# --- the clients ----------------------------------------------------------------------------------

def send_bid(world, firm, envelope, stats, *, pause_before_last: float = 0.0):
    """Create the upload, send the envelope in one part; record the answer and the receipt latency."""
    auth = {"Authorization": f"Bearer {firm['token']}", "X-Device-Id": firm["device"]}
    started = time.perf_counter()
    status, headers, body = request(APP_PORT, "POST", "/api/v1/uploads", {
        **auth, "Content-Type": "application/json", "Idempotency-Key": secrets.token_hex(8)},
        json.dumps({"purpose": "bid", "target": f"{world['reference']}/1", "length": len(envelope)}))
    stats["statuses"].append(status)
    if status != 201:
        return {"status": status, "body": body}
    if pause_before_last:
        time.sleep(pause_before_last)
    status, _headers, body = request(APP_PORT, "PATCH", headers["Location"], {
        **auth, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"}, envelope)
    stats["statuses"].append(status)
    if status == 200:
        stats["latency"].append(time.perf_counter() - started)
        return {"status": 200, "receipt": json.loads(body)["result"]["receipt"]}
    return {"status": status, "body": body}


def bare_run(bodies: list[bytes], clients: int) -> float:
    def put(body):
        status, _h, _b = request(BARE_PORT, "PUT", "/bare", {"Content-Type": "application/octet-stream"}, body)
        return status

    began = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        statuses = list(pool.map(put, bodies))
    took = time.perf_counter() - began
    assert all(s == 201 for s in statuses), set(statuses)
    return took


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bids", type=int, default=300)
    parser.add_argument("--late", type=int, default=20)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--mib", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--lead", type=int, default=60, help="seconds from the rush's start to the deadline")
    args = parser.parse_args()

    from flask_migrate import upgrade

    import app as app_module

    folder = Path(tempfile.mkdtemp(prefix="bidding-rush-"))
    database_url, drop_database = make_database()
    redis_url, release_redis = claim_redis_db()
    env = dict(os.environ, PLATFORM_CONFIG="production", DATABASE_URL=database_url, REDIS_URL=redis_url,
               SECRET_KEY=secrets.token_urlsafe(48), INSTANCE_PATH=str(folder), BLOB_DIR=str(folder / "blobs"),
               PLATFORM_KEY_DIR=str(folder / "keys"), BARE_UPLOAD_DIR=str(folder / "bare"),
               PYTHONPATH=str(ROOT))
    os.environ.update(env)
    processes = []
    try:
        from config import ProductionConfig

        app_module.provision_keys(ProductionConfig())
        application = app_module.create_app(ProductionConfig())
        with application.app_context():
            upgrade(revision="heads")
        count = args.bids + args.late
        # The deadline is fixed before sealing: it is sealed into every envelope.
        estimate = 20 + count * args.mib * 0.03 + 60
        deadline = (datetime.now(timezone.utc) + timedelta(seconds=estimate + args.lead)).replace(microsecond=0)
        t = time.perf_counter()
        world = build_world(application, count, deadline)
        envelopes = seal_all(application, world, args.mib)
        print(f"set-up: {count} registered firms, {count} envelopes of {len(envelopes[0]) / 2**20:.2f} MiB sealed "
              f"in {time.perf_counter() - t:.1f} s")
        on_time, late = envelopes[:args.bids], envelopes[args.bids:]

        # 1. The bare route, same gunicorn settings, same bytes, same clients.
        bare = serve("bench.bidding_app:create_bare_app()", BARE_PORT, env, args.workers, args.threads)
        cpu_before = cpu_seconds(bare)
        bare_seconds = bare_run(on_time, args.clients)
        bare_cpu = cpu_seconds(bare) - cpu_before
        bare_peak = worker_memory(bare)
        stop(bare)
        total_mib = sum(len(e) for e in on_time) / 2**20

        # 2. The rush.
        server = serve("bench.bidding_app:create_app()", APP_PORT, env, args.workers, args.threads)
        processes.append(server)
        worker = subprocess.Popen([str(ROOT / ".venv" / "bin" / "flask"), "--app", "app", "rq", "worker", "default"],
                                  cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        processes.append(worker)
        wait = (deadline - timedelta(seconds=args.lead) - datetime.now(timezone.utc)).total_seconds()
        if wait < 0:
            print(f"set-up ran {-wait:.0f} s past the rush's start; the rush has {args.lead + wait:.0f} s left")
        time.sleep(max(0.0, wait))
        stats = {"statuses": [], "latency": []}
        firms = world["firms"]
        cpu_before, pg_before = cpu_seconds(server), postgres_seconds()
        began = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            answers = list(pool.map(lambda pair: send_bid(world, firms[pair[0]], pair[1], stats),
                                    enumerate(on_time)))
        rush_seconds = time.perf_counter() - began
        rush_cpu, rush_pg = cpu_seconds(server) - cpu_before, postgres_seconds() - pg_before
        left = (deadline - datetime.now(timezone.utc)).total_seconds()
        rush_peak = worker_memory(server)

        # The late ones: half start before the deadline and send their last byte after it.
        half = len(late) // 2
        late_stats = {"statuses": [], "latency": []}
        seconds_to_deadline = (deadline - datetime.now(timezone.utc)).total_seconds()
        with ThreadPoolExecutor(max(1, len(late))) as pool:
            early_start = [pool.submit(send_bid, world, firms[args.bids + i], late[i], late_stats,
                                       pause_before_last=max(0.0, seconds_to_deadline) + 1.5) for i in range(half)]
            time.sleep(max(0.0, seconds_to_deadline) + 1.0)
            after = [pool.submit(send_bid, world, firms[args.bids + i], late[i], late_stats)
                     for i in range(half, len(late))]
            late_answers = [f.result() for f in early_start + after]

        # A page view after the deadline asks for the closing job; the list is then fetched and checked.
        request(APP_PORT, "GET", f"/tenders/{world['tender_id']}/sealed-bids")
        listed = None
        for _ in range(120):
            status, _h, body = request(APP_PORT, "GET", f"/tenders/{world['tender_id']}/sealed-bids.json")
            data = json.loads(body)
            if data.get("published"):
                listed = data
                break
            time.sleep(0.5)
        _s, _h, keys = request(APP_PORT, "GET", "/.well-known/tender-seal-receipt-key")
        from tender.sealing import receipts

        in_list = 0
        if listed is not None:
            payload = receipts.verify_sealed_list(listed["list"], json.loads(keys), entries=listed["log"])
            listed_set = set(payload["envelopes"])
            for a in answers:
                if a["status"] == 200 and receipts.verify_receipt(a["receipt"], json.loads(keys))["envelope_sha256"] \
                        in listed_set:
                    in_list += 1
        # The bare route once more after the rush (the machine's other load changes over a run): its
        # figure is the mean of both.
        stop(server)
        processes.remove(server)
        bare = serve("bench.bidding_app:create_bare_app()", BARE_PORT, env, args.workers, args.threads)
        bare_after = bare_run(on_time, args.clients)
        stop(bare)
        bare_rate = total_mib / ((bare_seconds + bare_after) / 2)
        received = sum(1 for a in answers if a["status"] == 200)
        refused_late = sum(1 for a in late_answers if a["status"] in (409, 422))
        five = sum(1 for s in stats["statuses"] + late_stats["statuses"] if s >= 500)
        rate = total_mib / rush_seconds
        print(f"bare streaming route : {total_mib:.0f} MiB in {bare_seconds:.1f} s before and {bare_after:.1f} s after "
              f"the rush = {bare_rate:.1f} MiB/s (workers' peak RSS {max(bare_peak) / 1024:.0f} MiB)")
        print(f"bid uploads          : {total_mib:.0f} MiB in {rush_seconds:.1f} s = {rate:.1f} MiB/s "
              f"= {100 * rate / bare_rate:.0f}% of the bare route (goal >= 70%)")
        print(f"server CPU per bid   : {1000 * rush_cpu / len(on_time):.0f} ms in the workers + "
              f"{1000 * rush_pg / len(on_time):.0f} ms in PostgreSQL; bare route {1000 * bare_cpu / len(on_time):.0f} ms "
              f"({os.cpu_count()} CPUs on this machine, shared with the clients)")
        print(f"on time              : {received}/{len(on_time)} with a receipt, {in_list} in the signed list "
              f"(finished {left:.0f} s before the deadline)")
        print(f"receipt latency      : p50 {percentile(stats['latency'], 0.5) * 1000:.0f} ms, "
              f"p99 {percentile(stats['latency'], 0.99) * 1000:.0f} ms")
        print(f"late                 : {refused_late}/{len(late)} refused "
              f"({sorted({a['status'] for a in late_answers})})")
        print(f"5xx answers          : {five}")
        print(f"server memory        : gunicorn workers' peak RSS {', '.join(f'{p / 1024:.0f}' for p in rush_peak)} MiB "
              f"({args.workers} workers x {args.threads} threads, {args.clients} clients, {args.mib} MiB bids)")
        print(f"signed list          : {'published' if listed else 'NOT published within 60 s'}"
              f"{', ' + str(len(listed['log'])) + ' log entries' if listed else ''}")
    finally:
        for proc in processes:
            stop(proc)
        release_redis()
        drop_database()
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
