"""The price sheet (报价表): its schema, and the one check both the bid page and the opening use.

The server cannot look inside a sealed bid before the opening, so the firm's page (in the browser)
and the ``flask seal`` tool check the price sheet before sealing, against the same rules the
opening applies afterwards: :func:`rules` gives them as JSON for the browser, and
:func:`validate_price_sheet` is the check itself. A price sheet that fails at the opening makes
its bid invalid with the reason; it never breaks the opening.

Version 1 (canonical JSON, UTF-8, sealed in the envelope's price-sheet section)::

    {"schema_version": 1,
     "fee_model": "lump_sum" | "commission",             # the tender's fee model (包干制 / 酬金制)
     "fees": [{"property_type": "residential", "fee_fen_per_m2_month": 250}, ...],
                                                          # one per property type of the tender
     "commission_rate_bp": 1000 | null,                  # 酬金制: rate in basis points, or
     "commission_fixed_fen": 1200000 | null,             #        a fixed yearly amount (exactly one)
     "annual_total_fen": 3600000,                        # Σ fee × floor area × 12
     "labour_cost_monthly_fen": 180000,                  # Σ staffing monthly_cost_fen
     "staffing": [{"post": "保安", "headcount": 6, "monthly_cost_fen": 3600000}, ...],
     "project_manager": {"name": ..., "certificate_no": ..., "phone": ...},
     "contact": {"name": ..., "phone": ...},
     "key_people": [{"name", "post", "certificate_no", "id_number", "phone"}, ...]}

``monthly_cost_fen`` is the whole post's monthly cost (all its heads), which the evaluation
compares with the labour-cost floor.
"""

from __future__ import annotations

import json
import re

from flask_babel import gettext as _

SCHEMA_VERSION = 1
FEE_MODELS = ("lump_sum", "commission")
MAX_FEE_FEN = 100_000  # 1000 yuan per m² per month: far above any residential fee
MAX_COMMISSION_BP = 10_000
MAX_AMOUNT_FEN = 10**13
MAX_POSTS = 100
MAX_HEADCOUNT = 10_000
MAX_KEY_PEOPLE = 50
TEXT_MAX = 100
PHONE = re.compile(r"^[0-9+() -]{5,20}$")
ID_NUMBER = re.compile(r"^[0-9]{17}[0-9X]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def rules(tender) -> dict:
    """What the browser checks before sealing, as JSON: the same rules as :func:`validate_price_sheet`."""
    return {
        "schema_version": SCHEMA_VERSION,
        "fee_model": _value(tender.fee_model),
        "areas": [{"property_type": _value(a.property_type), "floor_area_m2": a.floor_area_m2} for a in tender.areas],
        "max_fee_fen": MAX_FEE_FEN, "max_commission_bp": MAX_COMMISSION_BP, "max_amount_fen": MAX_AMOUNT_FEN,
        "max_posts": MAX_POSTS, "max_headcount": MAX_HEADCOUNT, "max_key_people": MAX_KEY_PEOPLE,
        "text_max": TEXT_MAX, "phone": PHONE.pattern, "id_number": ID_NUMBER.pattern,
    }


def annual_total(tender, fees: dict[str, int]) -> int:
    """Σ fee × floor area × 12 over the tender's property types, in fen."""
    return sum(fees[_value(a.property_type)] * a.floor_area_m2 for a in tender.areas) * 12


def encode(clean: dict) -> bytes:
    """The bytes sealed in the envelope: canonical JSON."""
    return json.dumps(clean, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def decode(raw: bytes) -> dict | None:
    """The JSON object in a sealed price sheet, or None if it is not one."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def validate_price_sheet(tender, data) -> tuple[dict | None, dict[str, str]]:
    """Check a price sheet against the tender; return the clean sheet (or None) and the errors by field path."""
    check = _Check()
    if not isinstance(data, dict):
        return None, {"": _("The price sheet must be a JSON object.")}
    if data.get("schema_version") != SCHEMA_VERSION:
        check.fail("schema_version", _("This price sheet is not in schema version %(v)s.", v=SCHEMA_VERSION))
    fee_model = _value(tender.fee_model)
    if data.get("fee_model") != fee_model:
        check.fail("fee_model", _("This tender asks for the fee model %(model)s.", model=fee_model))

    fees: dict[str, int] = {}
    given = data.get("fees")
    if not isinstance(given, list):
        check.fail("fees", _("Give a fee for each property type of the tender."))
        given = []
    wanted = [_value(a.property_type) for a in tender.areas]
    for i, row in enumerate(given):
        kind = row.get("property_type") if isinstance(row, dict) else None
        if kind not in wanted:
            check.fail(f"fees[{i}].property_type", _("This tender has no property type %(kind)s.", kind=kind))
            continue
        if kind in fees:
            check.fail(f"fees[{i}].property_type", _("The property type %(kind)s is given twice.", kind=kind))
            continue
        fee = check.integer(row, "fee_fen_per_m2_month", f"fees[{i}].fee_fen_per_m2_month", 1, MAX_FEE_FEN)
        if fee is not None:
            fees[kind] = fee
    for kind in wanted:
        if kind not in fees and not any(isinstance(r, dict) and r.get("property_type") == kind for r in given):
            check.fail(f"fees.{kind}", _("Give the fee for %(kind)s.", kind=kind))

    rate, fixed = data.get("commission_rate_bp"), data.get("commission_fixed_fen")
    if fee_model == "commission":
        if (rate is None) == (fixed is None):
            check.fail("commission", _("Under the commission model give either a commission rate or a fixed amount."))
        elif rate is not None:
            rate = check.integer(data, "commission_rate_bp", "commission_rate_bp", 1, MAX_COMMISSION_BP)
        else:
            fixed = check.integer(data, "commission_fixed_fen", "commission_fixed_fen", 1, MAX_AMOUNT_FEN)
    elif rate is not None or fixed is not None:
        check.fail("commission", _("A lump-sum bid has no commission."))
        rate = fixed = None

    total = check.integer(data, "annual_total_fen", "annual_total_fen", 0, MAX_AMOUNT_FEN)
    if total is not None and len(fees) == len(wanted) and not check.errors.get("fee_model"):
        implied = annual_total(tender, fees)
        if total != implied:
            check.fail("annual_total_fen", _("The annual total must be the fees × floor areas × 12: %(fen)s fen.",
                                             fen=implied))

    staffing = []
    posts = data.get("staffing")
    if not isinstance(posts, list) or not posts:
        check.fail("staffing", _("Give the staffing plan: at least one post."))
        posts = []
    if len(posts) > MAX_POSTS:
        check.fail("staffing", _("The staffing plan has at most %(n)s posts.", n=MAX_POSTS))
        posts = []
    for i, row in enumerate(posts):
        row = row if isinstance(row, dict) else {}
        post = check.text(row, "post", f"staffing[{i}].post")
        heads = check.integer(row, "headcount", f"staffing[{i}].headcount", 1, MAX_HEADCOUNT)
        cost = check.integer(row, "monthly_cost_fen", f"staffing[{i}].monthly_cost_fen", 0, MAX_AMOUNT_FEN)
        staffing.append({"post": post, "headcount": heads, "monthly_cost_fen": cost})
    labour = check.integer(data, "labour_cost_monthly_fen", "labour_cost_monthly_fen", 0, MAX_AMOUNT_FEN)
    costs = [s["monthly_cost_fen"] for s in staffing]
    if labour is not None and costs and None not in costs and labour != sum(costs):
        check.fail("labour_cost_monthly_fen", _("The monthly labour cost must be the sum of the posts' costs: "
                                                "%(fen)s fen.", fen=sum(costs)))

    manager = check.person(data, "project_manager", ("name", "certificate_no", "phone"))
    contact = check.person(data, "contact", ("name", "phone"))
    people = []
    given_people = data.get("key_people", [])
    if not isinstance(given_people, list) or len(given_people) > MAX_KEY_PEOPLE:
        check.fail("key_people", _("List at most %(n)s key people.", n=MAX_KEY_PEOPLE))
        given_people = []
    for i, row in enumerate(given_people):
        person = check.person({"p": row}, "p", ("name", "post", "certificate_no", "id_number", "phone"),
                              path=f"key_people[{i}]", optional=("certificate_no",))
        people.append(person)

    if check.errors:
        return None, check.errors
    clean = {
        "schema_version": SCHEMA_VERSION, "fee_model": fee_model,
        "fees": [{"property_type": kind, "fee_fen_per_m2_month": fees[kind]} for kind in wanted],
        "commission_rate_bp": rate, "commission_fixed_fen": fixed, "annual_total_fen": total,
        "labour_cost_monthly_fen": labour, "staffing": staffing, "project_manager": manager,
        "contact": contact, "key_people": people,
    }
    return clean, {}


def _value(member) -> str:
    return getattr(member, "value", member)


def id_number_ok(text: str) -> bool:
    """A mainland resident identity number with its GB 11643 check character."""
    if not ID_NUMBER.fullmatch(text):
        return False
    total = sum(int(c) * w for c, w in zip(text[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == text[17]


class _Check:
    def __init__(self):
        self.errors: dict[str, str] = {}

    def fail(self, path: str, message: str) -> None:
        self.errors.setdefault(path, message)

    def integer(self, row: dict, key: str, path: str, low: int, high: int) -> int | None:
        value = row.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(path, _("Give a whole number from %(low)s to %(high)s.", low=low, high=high))
            return None
        return value

    def text(self, row: dict, key: str, path: str, *, optional: bool = False) -> str:
        value = row.get(key)
        value = value.strip() if isinstance(value, str) else value
        if optional and value in (None, ""):
            return ""
        if not isinstance(value, str) or not 1 <= len(value) <= TEXT_MAX:
            self.fail(path, _("Fill this in (at most %(n)s characters).", n=TEXT_MAX))
            return ""
        return value

    def person(self, data: dict, key: str, members: tuple[str, ...], *, path: str | None = None,
               optional: tuple[str, ...] = ()) -> dict:
        path = path or key
        row = data.get(key)
        if not isinstance(row, dict):
            self.fail(path, _("Fill this in."))
            return {}
        out = {}
        for member in members:
            value = self.text(row, member, f"{path}.{member}", optional=member in optional)
            if member == "phone" and value and not PHONE.fullmatch(value):
                self.fail(f"{path}.phone", _("Give a telephone number (digits, spaces, + - and brackets)."))
            if member == "id_number" and value and not id_number_ok(value):
                self.fail(f"{path}.id_number", _("This is not a valid resident identity number."))
            out[member] = value
        return out
