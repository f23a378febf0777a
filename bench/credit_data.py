"""Generate a national-scale credit registry in PostgreSQL with COPY (for bench/credit_bench.py).

    .venv/bin/python bench/credit_data.py [--firms 300000 --managers 1000000 --records 3000000]

Creates (or recreates) the database ``bench_credit`` on 127.0.0.1:5432 (user postgres), runs the
migrations, then loads firms, project managers (one managed community each) and records. Every
record follows the real field rules: published ones carry their expiry from the item's period.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.accounts.uscc import make as make_uscc  # noqa: E402

ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_DB", "bench_credit")
DB_URL = ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME
SA_URL = DB_URL.replace("postgresql://", "postgresql+psycopg://")

CHARS = ("锦绣华东方明珠城新金桥申江浦虹静安徐汇长宁嘉定宝山闵行松江青浦奉贤崇明杨普陀黄兴盛安泰瑞祥和康宁丰源宏达"
         "鑫隆嘉禾恒通顺博远景天成德信诚立美佳晨光阳春秋海云峰林湖滨河山水星月辰亿万福寿喜乐永利昌荣富贵汇聚中南西北")
SUFFIXES = ("物业管理有限公司", "物业服务有限公司", "物业有限公司", "物业管理股份有限公司", "物业服务集团有限公司")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅志强文辉玉兰海燕慧鹏宇晨浩然子涵欣怡雨"
DISTRICTS = ("310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112", "310113", "310114",
             "310115", "310116", "310117", "310118", "310120", "310151")
NOW = datetime.now(timezone.utc).replace(microsecond=0)


def words(rng: random.Random, n: int = 600) -> list[str]:
    return sorted({rng.choice(CHARS) + rng.choice(CHARS) for _ in range(n * 2)})[:n]


def ts(t: datetime | None) -> str:
    return r"\N" if t is None else t.strftime("%Y-%m-%d %H:%M:%S+00")


def add_months(t: datetime, months: int) -> datetime:
    m = t.month - 1 + months
    y, m = t.year + m // 12, m % 12 + 1
    return t.replace(year=y, month=m, day=min(t.day, 28))


def create_database() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    env = dict(os.environ, DATABASE_URL=SA_URL, FLASK_APP="app:create_app", PLATFORM_CONFIG="embedded",
               INSTANCE_PATH=str(ROOT / "bench" / "out" / "instance"))
    subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "db", "upgrade", "heads"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def copy(conn, table: str, columns: str, rows) -> int:
    count = 0
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as cp:
        buf = []
        for row in rows:
            buf.append(row)
            count += 1
            if len(buf) >= 20000:
                cp.write("".join(buf))
                buf.clear()
        if buf:
            cp.write("".join(buf))
    return count


def generate(firms: int, managers: int, records: int, seed: int = 2026) -> None:
    rng = random.Random(seed)
    pool = words(rng)
    started = time.perf_counter()
    create_database()
    with psycopg.connect(DB_URL) as conn:
        items = conn.execute(
            "SELECT id, subject_kind, kind, points, publication_months FROM credit_conduct_item WHERE version_id = 1"
        ).fetchall()
        firm_items = [i for i in items if i[1] in ("firm", "both")]
        pm_items = [i for i in items if i[1] in ("project_manager", "both")]
        for table in ("credit_subject", "credit_project_manager", "credit_managed_project", "credit_record"):
            conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
        now = ts(NOW)

        names: list[str] = [""]

        def firm_rows():
            for i in range(1, firms + 1):
                district = DISTRICTS[i % len(DISTRICTS)]
                head = ""
                if i > 1000 and i % 10 == 0:
                    head_id = rng.randrange(1, 1000)
                    name = names[head_id] + rng.choice(pool) + "分公司"
                    head = str(head_id)
                else:
                    name = "上海" + "".join(rng.choice(pool) for _ in range(rng.choice((1, 2, 2, 3)))) + rng.choice(SUFFIXES)
                names.append(name)
                code = make_uscc(f"91{district}{i:09d}")
                yield (f"{i}\t{code}\t{name}\t{rng.choice(('一级', '二级', '三级'))}\t{district}\t"
                       f"{head or chr(92) + 'N'}\t{now}\t{now}\n")

        n = copy(conn, "credit_subject", "id, uscc, name, qualification, district_code, head_office_id, "
                 "created_at, updated_at", firm_rows())
        print(f"  firms: {n} ({time.perf_counter() - started:.0f}s)", flush=True)
        conn.execute("INSERT INTO credit_subject_name_gram (gram, position, name_length, subject_id) "
                     "SELECT substr(name, i, 2), i, length(name), id "
                     "FROM credit_subject, generate_series(1, length(name) - 1) AS i")
        print(f"  name search index ({time.perf_counter() - started:.0f}s)", flush=True)

        pm_firm = [0] * (managers + 1)

        def manager_rows():
            for i in range(1, managers + 1):
                firm = rng.randrange(1, firms + 1)
                pm_firm[i] = firm
                name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
                yield f"{i}\tSHWY{i:08d}\t{name}\t{firm}\t{now}\t{now}\n"

        n = copy(conn, "credit_project_manager", "id, certificate_no, name, firm_id, created_at, updated_at", manager_rows())
        print(f"  project managers: {n} ({time.perf_counter() - started:.0f}s)", flush=True)

        def project_rows():
            for i in range(1, managers + 1):
                start = NOW - timedelta(days=rng.randrange(30, 2500))
                yield (f"{i}\t{pm_firm[i]}\t{i}\t{rng.choice(pool)}{rng.choice(('花园', '苑', '小区', '公寓', '大厦'))}\t"
                       f"{DISTRICTS[i % 16]}\t{rng.randrange(8000, 250000)}\t{ts(start)}\n")

        n = copy(conn, "credit_managed_project", "id, firm_id, manager_id, community, district_code, floor_area_m2, started_at",
                 project_rows())
        print(f"  managed communities: {n} ({time.perf_counter() - started:.0f}s)", flush=True)

        def record_rows():
            for i in range(1, records + 1):
                if rng.random() < 0.7:
                    kind, firm, manager = "firm", rng.randrange(1, firms + 1), None
                    item = rng.choice(firm_items)
                else:
                    manager = rng.randrange(1, managers + 1)
                    kind, firm, item = "project_manager", pm_firm[manager], rng.choice(pm_items)
                item_id, _sk, conduct, points, months = item
                published = NOW - timedelta(days=rng.randrange(1, 1900), seconds=rng.randrange(86400))
                notified = published - timedelta(days=20)
                roll = rng.random()
                status, decided, pub, expires, corrected = "published", published - timedelta(days=1), published, None, None
                if roll < 0.05:
                    status, decided, pub = "decided", NOW - timedelta(days=rng.randrange(1, 30)), None
                elif roll < 0.10:
                    status, decided, pub, notified = "draft", None, None, None
                elif roll < 0.15:
                    status, corrected = "corrected", published + timedelta(days=120)
                if pub is not None:
                    expires = add_months(pub, months) if months else pub
                yield "\t".join((
                    str(i), kind, str(firm), str(manager) if manager else r"\N", str(item_id), "import",
                    DISTRICTS[firm % 16], (published - timedelta(days=30)).date().isoformat(), "bench", status,
                    ts(notified), ts(notified + timedelta(days=7) if notified else None),
                    "upheld" if decided else r"\N", str(points), ts(decided), ts(pub), ts(expires),
                    ts(add_months(pub, 3) if pub else None), ts(corrected), now, now,
                )) + "\n"

        n = copy(conn, "credit_record", "id, subject_kind, firm_id, manager_id, item_id, source, district_code, occurred_on, "
                 "facts, status, notified_at, objection_deadline, decision, points, decided_at, published_at, expires_at, "
                 "correction_from, corrected_at, created_at, updated_at", record_rows())
        print(f"  records: {n} ({time.perf_counter() - started:.0f}s)", flush=True)
        for table in ("credit_subject", "credit_project_manager", "credit_managed_project", "credit_record"):
            conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER ALL")
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.commit()
    with psycopg.connect(DB_URL, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"  loaded and analysed in {time.perf_counter() - started:.0f}s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--firms", type=int, default=300_000)
    parser.add_argument("--managers", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, default=3_000_000)
    args = parser.parse_args()
    print(f"generating {args.firms} firms, {args.managers} project managers, {args.records} records in {DB_NAME}")
    generate(args.firms, args.managers, args.records)


if __name__ == "__main__":
    main()
