"""Autosave of a score sheet with five experts saving at once, against a bare route in the same run.

Builds a fresh database with one opened tender (three bids) and a formed panel of five experts,
serves the app on 127.0.0.1:5130 with gunicorn (2 workers × 4 threads, as the one-command start
does on a small machine; ``--in-process`` serves it from a werkzeug thread instead), signs the five experts in through the real
login and second-factor forms, then has them save at once: each expert's thread PUTs its whole
technical sheet (three items of three bids) ``--saves`` times in a row, each save naming the revision the previous
one returned, as the scoring page does. The same five threads then call a bare PUT route of the same
app (it reads the JSON body and answers, no database) the same number of times. Prints p50/p90/p99
and the maximum of both; the goal is a p99 of at most 100 ms for the autosave. Never asserts.

    .venv/bin/python bench/evaluation_autosave.py [--saves 200] [--database-url postgresql+psycopg://…]

Without ``--database-url`` it uses PostgreSQL at 127.0.0.1:5432 (a new database, dropped afterwards),
as production does; ``--sqlite`` measures the embedded SQLite file instead.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import secrets
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PORT = 5130
EXPERTS = 5
PASSWORD = "bench-password-1"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def build_app(url: str, instance: Path):
    """The app on the benchmark's database, with a bare PUT route beside the autosave."""
    from flask import jsonify, request

    from app import create_app
    from config import TestingConfig
    from core.authz import PUBLIC, access

    app = create_app(TestingConfig(SQLALCHEMY_DATABASE_URI=url, INSTANCE_PATH=str(instance),
                                   BLOB_DIR=str(instance / "blobs"), RQ_CONNECTION="redis://127.0.0.1:6379/14",
                                   RQ_ASYNC=False))

    @access(PUBLIC)
    def bare():
        data = request.get_json(silent=True) or {}
        return jsonify({"revision": data.get("revision", 0) + 1})

    app.add_url_rule("/bench/bare", "bench_bare", bare, methods=["PUT"])
    return app


def served_app():
    """gunicorn's target: ``bench.evaluation_autosave:served_app()`` with the run's settings in the environment."""
    import os

    return build_app(os.environ["BENCH_DATABASE_URL"], Path(os.environ["BENCH_INSTANCE"]))


def make_world(app):
    """An opened tender with three bids and a formed panel of five experts (the test world's helpers)."""
    from core.accounts import operations as ops
    from core.accounts.models import MemberRole, Membership, Organisation, OrgKind, OrgStatus, User
    from core.accounts.uscc import make as make_uscc
    from core.auth import totp
    from core.db import utcnow
    from core.extensions import db
    from core.security import hash_password
    from datetime import date, datetime, timedelta, timezone
    from tender.evaluation.operations import record_employment, update_profile  # noqa: F401
    from tender.tenders.operations import create_tender
    from tests.tender.evaluation.flow import formed_panel
    from tests.tender.evaluation.world import open_tender, small_scheme

    ops.ensure_bureaus()
    city = ops.bureau_for(None)
    pw = hash_password(PASSWORD)

    def org(kind, n, name):
        o = Organisation(kind=kind, name=name, district_code="310104", status=OrgStatus.VERIFIED,
                         uscc=make_uscc(f"91310104MA1{n:06d}") if kind in (OrgKind.FIRM, OrgKind.DEVELOPER) else None)
        db.session.add(o)
        db.session.flush()
        return o

    def user(o, n, role=MemberRole.ADMIN):
        u = User(email=f"bench{n}@example.com", name=f"用户{n}", password_hash=pw)
        db.session.add(u)
        db.session.flush()
        db.session.add(Membership(user_id=u.id, organisation_id=o.id, role=role))
        db.session.flush()
        return u

    developer = org(OrgKind.DEVELOPER, 1, "上海基准置业有限公司")
    officer = user(developer, 1)
    firms = [org(OrgKind.FIRM, 10 + n, f"上海基准物业{n}有限公司") for n in range(3)]
    uploaders = [user(f, 10 + n) for n, f in enumerate(firms)]
    experts = []
    for n in range(EXPERTS + 2):
        membership, _new = ops.create_expert(city, {"name": f"基准专家{n}", "email": f"bench-expert{n}@example.com",
                                                    "specialty": "residential", "password_hash": pw}, actor=None)
        update_profile(membership, {"title": "senior_engineer", "practice_since": date(2005, 1, 1),
                                    "districts": ["310104"]}, actor=None)
        membership.user.totp_secret, membership.user.totp_enabled_at = totp.new_secret(), utcnow()
        experts.append(membership.user)
    tender = create_tender(developer, {"community_name": "基准花园"}, actor=officer)
    tender.scheme = small_scheme(tender.scheme)
    tender.state = __import__("tender.tenders.models", fromlist=["TenderState"]).TenderState.PUBLISHED
    tender.reference = "BENCH-0001"
    tender.bid_deadline = datetime.now(timezone.utc) - timedelta(hours=2)
    db.session.commit()
    open_tender(app, tender, firms, uploaders, [1000000, 1050000, 980000])
    world = {"tender": tender, "people": {"officer": officer}}
    panel = formed_panel(world)
    members = [i.membership.user for i in
               __import__("tender.evaluation.operations.committee", fromlist=["x"]).panel_members(panel)]
    return panel.id, members


class Expert:
    """One expert's browser: a cookie jar, the CSRF token, and the sheet's revision."""

    def __init__(self, base: str, user):
        self.base, self.user, self.revision = base, user, 0
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def _form(self, path: str, data: dict | None = None) -> str:
        body = None if data is None else urllib.parse.urlencode(data).encode()
        with self.opener.open(self.base + path, data=body) as response:
            return response.read().decode()

    def sign_in(self, code: str) -> None:
        page = self._form("/auth/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        page = self._form("/auth/login", {"email": self.user.email, "password": PASSWORD, "csrf_token": token})
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        self._form("/auth/second-factor", {"code": code, "csrf_token": token})

    def page(self, path: str) -> str:
        return self._form(path)

    def put(self, path: str, body: dict, token: str) -> tuple[float, int, dict]:
        request = urllib.request.Request(self.base + path, data=json.dumps(body).encode(), method="PUT", headers={
            "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token})
        start = time.perf_counter()
        try:
            with self.opener.open(request) as response:
                answer = json.loads(response.read() or b"{}")
                status = response.status
        except urllib.error.HTTPError as error:
            answer, status = {}, error.code
        return (time.perf_counter() - start) * 1000, status, answer


def run(experts: list[Expert], work) -> tuple[list[float], int]:
    times, failures, lock = [], [0], threading.Lock()
    barrier = threading.Barrier(len(experts))

    def one(expert):
        barrier.wait()
        mine, bad = work(expert)
        with lock:
            times.extend(mine)
            failures[0] += bad

    threads = [threading.Thread(target=one, args=(e,)) for e in experts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times, failures[0]


def figures(name: str, times: list[float], failures: int) -> None:
    print(f"{name:<22} n={len(times):<5} p50={statistics.median(times):6.1f} ms  p90={percentile(times, .9):6.1f} ms  "
          f"p99={percentile(times, .99):6.1f} ms  max={max(times):6.1f} ms  failures={failures}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--database-url")
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--in-process", action="store_true")
    args = parser.parse_args()

    import os
    import subprocess

    import sqlalchemy as sa
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    instance = Path(tempfile.mkdtemp(prefix="evaluation-autosave-"))
    admin, dbname = None, None
    server = gunicorn = None
    if args.sqlite:
        url = f"sqlite:///{instance / 'bench.sqlite3'}"
    elif args.database_url:
        url = args.database_url
    else:
        dbname = f"bench_autosave_{secrets.token_hex(4)}"
        admin = sa.create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{dbname}"'))
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{dbname}"
    try:
        app = build_app(url, instance)
        server = gunicorn = None
        with app.app_context():
            upgrade(revision="heads")
            from core.extensions import db
            from tests.factories import unused_totp_code

            panel_id, users = make_world(app)
            db.session.commit()
            if args.in_process:
                server = make_server("127.0.0.1", PORT, app, threaded=True)
                threading.Thread(target=server.serve_forever, daemon=True).start()
            else:
                env = {**os.environ, "BENCH_DATABASE_URL": url, "BENCH_INSTANCE": str(instance)}
                gunicorn = subprocess.Popen(
                    [str(ROOT / ".venv" / "bin" / "gunicorn"), "-b", f"127.0.0.1:{PORT}", "-w", "2", "-k", "gthread",
                     "--threads", "4", "--log-level", "warning", "bench.evaluation_autosave:served_app()"],
                    cwd=ROOT, env=env, start_new_session=True)
            base = f"http://127.0.0.1:{PORT}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/auth/login", timeout=2).read()
                    break
                except OSError:
                    time.sleep(0.2)
            experts = [Expert(base, u) for u in users]
            for e in experts:
                e.sign_in(unused_totp_code(e.user))
            db.session.remove()
        tokens = {}
        for e in experts:
            page = e.page(f"/evaluation/panels/{panel_id}/score/technical")
            tokens[e] = re.search(r'name="lock-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        sheet = f"/evaluation/panels/{panel_id}/sheets/technical"
        items = [("understanding", 8), ("organisation", 8), ("emergency", 6)]

        def autosave(expert):
            mine, bad = [], 0
            for n in range(args.saves):
                points = [str(Decimal(m) * Decimal("0.75")) if (n + i) % 2 else str(Decimal(m) * Decimal("0.5"))
                          for i, (_k, m) in enumerate(items)]
                scores = [{"bid": code, "item": key, "points": p, "reason": "理由" * 10}
                          for code in "ABC" for (key, _m), p in zip(items, points)]
                took, status, answer = expert.put(sheet, {"revision": expert.revision, "scores": scores}, tokens[expert])
                mine.append(took)
                if status == 200:
                    expert.revision = answer["revision"]
                else:
                    bad += 1
            return mine, bad

        def bare_calls(expert):
            mine, bad = [], 0
            for n in range(args.saves):
                took, status, _answer = expert.put("/bench/bare", {"revision": n}, tokens[expert])
                mine.append(took)
                bad += status != 200
            return mine, bad

        run(experts, lambda e: (autosave(e)[0][:5], 0))  # warm up: first saves create the sheets
        saves, failed = run(experts, autosave)
        plain, plain_failed = run(experts, bare_calls)
        backend = url.split(":", 1)[0]
        served = "werkzeug thread in this process" if args.in_process else "gunicorn 2 workers × 4 threads"
        print(f"{EXPERTS} experts saving at once, {args.saves} saves each, the whole sheet (9 scores) per save; "
              f"database {backend}; {served}")
        figures("autosave PUT", saves, failed)
        figures("bare PUT (same app)", plain, plain_failed)
        print(f"goal: autosave p99 ≤ 100 ms → {'met' if percentile(saves, .99) <= 100 else 'NOT met'}; "
              f"p99 over the bare route: {percentile(saves, .99) - percentile(plain, .99):.1f} ms")
    finally:
        if server is not None:
            server.shutdown()
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=20)
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
