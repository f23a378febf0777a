"""Generate 100,000 tenders and 1,000,000 registrations in PostgreSQL (for bench/tenders_bench.py).

    .venv/bin/python bench/tenders_data.py [--tenders 100000 --registrations-per-tender 10]

Creates (or recreates) the database ``bench_tenders`` on 127.0.0.1:5432 (user postgres), runs the
migrations, then loads tenderers, firms, tenders across all districts and states (most of them
announced), one floor area and one issued document each, and the registrations, with SQL that
generates the rows inside the server.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.credit_data import CHARS, DISTRICTS, NOW, ts  # noqa: E402

ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_TENDERS_DB", "bench_tenders")
DB_URL = ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME
SA_URL = DB_URL.replace("postgresql://", "postgresql+psycopg://")
ENDINGS = ("花园", "苑", "新村", "公寓", "家园", "雅苑", "府", "小区", "城", "名邸")
# State mix: most generated tenders are announced (open, or past their deadline), some cancelled, a few not public.
STATES = (("published", 55), ("closed", 20), ("awarded", 10), ("cancelled", 5), ("draft", 5), ("pending_filing", 3),
          ("filed", 2))


def create_database() -> None:
    import subprocess

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    env = dict(os.environ, DATABASE_URL=SA_URL, FLASK_APP="app:create_app", PLATFORM_CONFIG="embedded",
               INSTANCE_PATH=str(ROOT / "bench" / "out" / "instance-tenders-data"))
    subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "db", "upgrade", "heads"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def names(rng: random.Random, n: int) -> list[str]:
    return [rng.choice(CHARS) + rng.choice(CHARS) + rng.choice(CHARS[:40]) + rng.choice(ENDINGS) for _ in range(n)]


def load(conn, tenders: int, per_tender: int, rng: random.Random) -> None:
    cur = conn.cursor()
    cur.execute("INSERT INTO organisation (kind, name, district_code, status, created_at, updated_at) "
                "SELECT 'developer', '开发商' || g, (ARRAY[%s])[1 + g %% 16], 'verified', now(), now() "
                "FROM generate_series(1, 2000) g" % ",".join(f"'{d}'" for d in DISTRICTS))
    cur.execute("INSERT INTO organisation (kind, name, district_code, status, created_at, updated_at) "
                "SELECT 'firm', '物业公司' || g, (ARRAY[%s])[1 + g %% 16], 'verified', now(), now() "
                "FROM generate_series(1, 20000) g" % ",".join(f"'{d}'" for d in DISTRICTS))
    first_dev = cur.execute("SELECT min(id) FROM organisation WHERE kind = 'developer'").fetchone()[0]
    first_firm = cur.execute("SELECT min(id) FROM organisation WHERE kind = 'firm'").fetchone()[0]
    states = [s for s, weight in STATES for _ in range(weight)]
    with cur.copy("COPY tender (reference, kind, state, tenderer_id, district_code, community_name, address, buildings, "
                  "households, service_grade, service_scope, fee_model, ceiling_fen, contract_months, qualifications, "
                  "bid_validity_days, custodian_threshold, documents_from, documents_until, bid_deadline, opening_at, "
                  "original_deadline, scheme, procedure_values, published_at, submitted_at, filed_at, lock_version, created_at, "
                  "updated_at) FROM STDIN") as copy:
        from tender.tenders.models import DEFAULTS
        from tender.tenders.operations.scheme import default_scheme

        scheme = json.dumps(default_scheme(), ensure_ascii=False)
        values = json.dumps(DEFAULTS)  # as every submitted tender keeps them
        community = names(rng, tenders)
        for n in range(1, tenders + 1):
            state = rng.choice(states)
            announced = NOW - timedelta(days=rng.randint(0, 900), minutes=rng.randint(0, 1440))
            deadline = announced + timedelta(days=25 + rng.randint(0, 20))
            if state == "published":
                deadline = NOW + timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 23))
                announced = deadline - timedelta(days=30)
            public = state not in ("draft", "pending_filing", "filed")
            copy.write_row((
                f"SH{announced.year}-{n:06d}", "preliminary" if n % 3 else "owners", state,
                first_dev + n % 2000, DISTRICTS[n % 16], community[n - 1], "上海市某路" + str(n) + "号", 10,
                800, 2, "保洁、秩序维护、绿化、设施设备维修养护", "lump_sum", 250 + n % 200, 36, "独立法人", 90, 2,
                announced.date(), (announced + timedelta(days=10)).date(), ts(deadline),
                ts(deadline), ts(deadline), scheme, values, ts(announced) if public else None,
                ts(announced - timedelta(days=12)), ts(announced - timedelta(days=11)),
                1, ts(announced), ts(announced),
            ))
    cur.execute("INSERT INTO tender_area (tender_id, property_type, floor_area_m2) "
                "SELECT id, 'residential', 50000 + id % 90000 FROM tender")
    cur.execute("INSERT INTO tender_document (tender_id, version, digest, filename, media_type, size, change_note, "
                "uploaded_at, issued_at) SELECT id, 1, md5(id::text) || md5(reverse(id::text)), '招标文件.pdf', "
                "'application/pdf', 120000, '', created_at, published_at FROM tender")
    # The community names' character pairs, as tender.tenders.operations.drafting.index_name keeps them.
    cur.execute("INSERT INTO tender_name_gram (gram, tender_id) SELECT DISTINCT substr(community_name, i, 2), id "
                "FROM tender, generate_series(1, 30) i WHERE i < char_length(community_name)")
    # Registrations: per_tender distinct firms per tender, spread over the firms.
    cur.execute("INSERT INTO tender_registration (tender_id, firm_id, registered_at, credit_score) "
                "SELECT t.id, %s + ((t.id * 37 + k * 1999) %% 20000), t.created_at + interval '1 day', '100.00' "
                "FROM tender t CROSS JOIN generate_series(1, %s) k", (first_firm, per_tender))
    cur.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenders", type=int, default=100_000)
    parser.add_argument("--registrations-per-tender", type=int, default=10)
    args = parser.parse_args()
    started = time.monotonic()
    create_database()
    with psycopg.connect(DB_URL) as conn:
        load(conn, args.tenders, args.registrations_per_tender, random.Random(11))
        conn.commit()
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("tender", "tender_registration")}
    print(f"loaded {counts} into {DB_NAME} in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
