"""`flask demo seed`: a coherent demo world (演示数据) with a login for every role.

Everything is made through the operations, so the audit chain holds every step; running the command
again adds nothing that exists already and prints the logins again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from core.accounts import operations as ops
from core.accounts import uscc
from core.accounts.models import Membership, Organisation, OrgStatus, User
from core.audit.operations import record_event
from core.db import db, utcnow
from core.security import hash_password

DEMO_PASSWORD = "demo-password-2026"
# One fixed authenticator secret for every demo account that needs a second factor, so a tester can
# add it to an authenticator app once. Demo data only: real accounts enrol their own secret.
DEMO_TOTP_SECRET = "DEMOTOTPSECRETFORTESTINGXX234567"
DOMAIN = "example.com"

XUHUI, PUDONG, JINGAN, MINHANG, YANGPU, CHANGNING = "310104", "310115", "310106", "310112", "310110", "310105"

SUPERVISORS = (
    (XUHUI, f"xuhui.supervisor@{DOMAIN}", "徐汇区房管局 王建华"),
    (PUDONG, f"pudong.supervisor@{DOMAIN}", "浦东新区房管局 李敏"),
    (None, f"city.supervisor@{DOMAIN}", "市房管局 张卫东"),
)
OPERATOR = (f"operator@{DOMAIN}", "平台运营 陈思远")

DEVELOPER = dict(kind="developer", name="上海徐汇滨江置业有限公司", district_code=XUHUI, address="徐汇区龙腾大道2879号",
                 email=f"developer@{DOMAIN}", admin_name="刘志强", code="91310104MA1K00011")
AGENCY = dict(kind="agency", name="上海申诚工程招标代理有限公司", district_code=JINGAN, address="静安区江场路1228号",
              email=f"agency@{DOMAIN}", admin_name="周丽娟", code="91310106MA1K00021")
ASSEMBLY = dict(kind="owners_assembly", name="浦东新区锦绣苑业主大会", district_code=PUDONG, community="锦绣苑",
                filing_record="浦房业备〔2024〕第0317号", address="浦东新区锦绣路1500弄", email=f"committee@{DOMAIN}",
                admin_name="锦绣苑业委会主任 黄国平")
COMMITTEE = ((f"committee.deputy@{DOMAIN}", "锦绣苑业委会副主任 孙红梅"), (f"committee.member@{DOMAIN}", "锦绣苑业委会委员 吴志明"))
FIRMS = (
    ("上海锦华物业管理有限公司", XUHUI, "91310104MA1K00101", "firm1", "何立新"),
    ("上海东方嘉苑物业服务有限公司", PUDONG, "91310115MA1K00102", "firm2", "施美玲"),
    ("上海静安城市物业有限公司", JINGAN, "91310106MA1K00103", "firm3", "蒋文涛"),
    ("上海闵联物业管理有限公司", MINHANG, "91310112MA1K00104", "firm4", "韩雪梅"),
    ("上海杨浦新业物业服务有限公司", YANGPU, "91310110MA1K00105", "firm5", "杨振华"),
    ("上海长宁德润物业有限公司", CHANGNING, "91310105MA1K00106", "firm6", "朱晓峰"),
)
# Waiting in the queues, so the review pages have something to show.
PENDING_FIRM = ("上海汇安物业服务有限公司", XUHUI, "91310104MA1K00201", "newfirm", "秦海波")
EARLY_CODE_FIRM = ("上海老城厢物业管理公司", PUDONG, "91310115MA1K00202", "earlyfirm", "许丽萍")  # its check character is wrong
EXPERTS = (
    ("赵明远", "residential"), ("钱丽华", "residential"), ("孙建国", "residential"), ("李晓燕", "office"),
    ("周文斌", "office"), ("吴桂芳", "commercial"), ("郑国强", "public_building"), ("王淑珍", "public_building"),
    ("冯志刚", "industrial_park"), ("陈雅琴", "facilities"), ("褚卫平", "facilities"), ("卫晓东", "finance"),
)

demo_cli = click.Group("demo", help="Demo data.")


@dataclass
class DemoWorld:
    """What the core seed made, handed to each feature's seeder."""

    password: str
    password_hash: str
    supervisors: dict  # district code (None: the city bureau) -> (user, membership)
    operator: User
    developer: Organisation
    agency: Organisation
    assembly: Organisation
    firms: list[Organisation]
    experts: list[User] = field(default_factory=list)

    @property
    def city_supervisor(self) -> User:
        return self.supervisors[None][0]


def register_seeder(app, name: str, seeder) -> None:
    """Let a feature add its demo data: ``seeder(world)`` runs after the core seed, in the order
    features were installed, and returns extra (role, email, what) login rows to print."""
    app.extensions.setdefault("demo_seeders", {})[name] = seeder


def _wrong_check_character(code17: str) -> str:
    right = uscc.check_character(code17)
    return code17 + ("0" if right != "0" else "1")


def _user(email: str) -> User | None:
    return ops.user_by_email(email)


def _register(data: dict, code: str | None, password_hash: str, *, early: bool = False) -> Organisation:
    if code is not None:
        full = _wrong_check_character(code) if early else uscc.make(code)
        existing = db.session.scalar(sa.select(Organisation).where(Organisation.uscc == full))
    else:
        full = None
        existing = db.session.scalar(sa.select(Organisation).where(Organisation.filing_record == data["filing_record"]))
    if existing is not None:
        return existing
    payload = {k: v for k, v in data.items() if k != "code"}
    payload.update(uscc=full, uscc_confirmed=early, password_hash=password_hash, contact_phone="021-5555 0100")
    org, _user = ops.register_organisation(payload)
    return org


DEMO_CALENDAR = "demo-calendar-2027-provisional.csv"


def _provisional_calendar() -> None:
    """The 2027 holiday schedule as provisional demo data, until the calendar package carries 2027."""
    from pathlib import Path

    from core import calendar
    from core.calendar.models import CalendarYear
    from core.calendar.operations import load_schedule

    year = 2027
    if calendar.package_years()[1] >= year or db.session.get(CalendarYear, year) is not None:
        return
    text = (Path(__file__).parent / "data" / DEMO_CALENDAR).read_text(encoding="utf-8")
    load_schedule({"year": year, "text": text, "provisional": True,
                   "source": "演示数据：非官方的 2027 年节假日安排，仅供演示 (demo data, not the official schedule)"},
                  actor=None)


def _verify(org: Organisation, supervisors: dict) -> None:
    if org.status != OrgStatus.PENDING:
        return
    actor, membership = supervisors.get(org.district_code) or supervisors[None]
    ops.approve_registration(org, {"note": "演示数据"}, actor=actor, membership=membership)


def _enrol_demo_second_factor(user: User) -> None:
    """Turn on the second factor with the printed demo secret (demo accounts only)."""
    if user.has_second_factor:
        return
    user.totp_secret = DEMO_TOTP_SECRET
    user.totp_last_step = None
    user.totp_enabled_at = utcnow()
    record_event("auth.second_factor_enabled", user, actor=None, details={"demo": True})


def _staff(org: Organisation, email: str, name: str, password_hash: str) -> tuple[User, Membership]:
    user = _user(email)
    membership = None
    if user is not None:
        membership = next((m for m in user.memberships if m.organisation_id == org.id and m.active), None)
    if membership is None:
        membership, _new = ops.add_member(org, {"name": name, "email": email, "role": "admin", "password_hash": password_hash}, actor=None)
        user = membership.user
    _enrol_demo_second_factor(user)
    return user, membership


def seed(password: str = DEMO_PASSWORD) -> list[tuple[str, str, str]]:
    """Build the demo world; returns (role, email, what) rows for every login."""
    pw = hash_password(password)
    logins: list[tuple[str, str, str]] = []
    ops.ensure_bureaus()
    db.session.flush()
    _provisional_calendar()

    supervisors: dict = {}
    for district, email, name in SUPERVISORS:
        bureau = ops.bureau_for(district)
        user, membership = _staff(bureau, email, name, pw)
        supervisors[district] = (user, membership)
        logins.append(("supervisor", email, bureau.name))
    op_user, _m = _staff(ops.ensure_operator_org(), OPERATOR[0], OPERATOR[1], pw)
    logins.append(("operator", op_user.email, ops.OPERATOR_ORG_NAME))

    developer = _register(DEVELOPER, DEVELOPER["code"], pw)
    agency = _register(AGENCY, AGENCY["code"], pw)
    assembly = _register(ASSEMBLY, None, pw)
    for org in (developer, agency, assembly):
        _verify(org, supervisors)
    logins += [("tenderer", DEVELOPER["email"], developer.name), ("agency", AGENCY["email"], agency.name),
               ("tenderer", ASSEMBLY["email"], assembly.name)]
    for email, name in COMMITTEE:
        if _user(email) is None:
            ops.add_member(assembly, {"name": name, "email": email, "role": "member", "password_hash": pw}, actor=_user(ASSEMBLY["email"]))
        logins.append(("tenderer", email, assembly.name))

    firms = []
    for name, district, code, login, admin in FIRMS:
        data = dict(kind="firm", name=name, district_code=district, email=f"{login}@{DOMAIN}", admin_name=admin)
        firm = _register(data, code, pw)
        _verify(firm, supervisors)
        firms.append(firm)
        logins.append(("firm", data["email"], name))
    for (name, district, code, login, admin), early in ((PENDING_FIRM, False), (EARLY_CODE_FIRM, True)):
        data = dict(kind="firm", name=name, district_code=district, email=f"{login}@{DOMAIN}", admin_name=admin)
        org = _register(data, code, pw, early=early)
        logins.append(("firm (waiting)", data["email"], f"{name} · {org.reference}"))

    city_user, city_membership = supervisors[None]
    experts = []
    for n, (name, specialty) in enumerate(EXPERTS, start=1):
        email = f"expert{n:02d}@{DOMAIN}"
        if _user(email) is None:
            ops.create_expert(city_membership.organisation, {"name": name, "email": email, "specialty": specialty, "password_hash": pw}, actor=city_user)
        _enrol_demo_second_factor(_user(email))
        experts.append(_user(email))
        logins.append(("expert", email, f"{name} · {specialty}"))

    world = DemoWorld(password=password, password_hash=pw, supervisors=supervisors, operator=op_user,
                      developer=developer, agency=agency, assembly=assembly, firms=firms, experts=experts)
    for seeder in current_app.extensions.get("demo_seeders", {}).values():
        logins.extend(seeder(world) or ())
    return logins


@demo_cli.command("seed")
@click.option("--password", default=DEMO_PASSWORD, show_default=True, help="Password of every demo account.")
@with_appcontext
def seed_command(password: str):
    """Create the demo world (safe to run again) and print every login."""
    logins = seed(password)
    db.session.commit()
    width = max(len(email) for _r, email, _w in logins)
    click.echo("Demo logins (password for all: %s)" % password)
    for role, email, what in logins:
        click.echo(f"  {role:<16} {email:<{width}}  {what}")
    click.echo(
        f"Supervisors, experts and the operator sign in with a second factor: add the secret\n"
        f"  {DEMO_TOTP_SECRET}\n"
        f"to an authenticator app (TOTP, SHA-1, 6 digits, 30 s) and enter its current code."
    )
