"""The scoring scheme (评分办法) a tender publishes: the default matrix, its validation and labels.

Held as data on the tender (``Tender.scheme``): five blocks with their points, the items of each
block, the grading anchors the experts score on and the price formula. Every weight may be changed
within the limits of the tender's procedure values; the scheme is frozen once the tender is filed.
"""

from __future__ import annotations

import copy

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tender.tenders.operations.rules import Problem

BLOCKS = ("technical", "business", "price", "presentation", "credit")
PRICE_METHODS = ("base_price", "lowest_price")

DEFAULT_SCHEME = {
    "price_method": "base_price",
    # The base-price method: base = mean of the valid prices; points off per 1% above and below the
    # base (hundredths of a point), part-percent counted whole. Above the ceiling a bid is rejected.
    "base_price": {"above_per_percent": 30, "below_per_percent": 20},
    "anchors": [["excellent", 100], ["good", 75], ["fair", 50], ["poor", 25], ["absent", 0]],
    "blocks": [
        {"key": "technical", "points": 55, "blind": True, "items": [
            ["understanding", 8], ["organisation", 8], ["customer_service", 3], ["security", 3], ["cleaning", 3],
            ["greening", 3], ["facilities", 3], ["early_involvement", 5], ["emergency", 6], ["energy_smart", 4],
            ["systems_records", 4], ["commitments", 5]]},
        {"key": "business", "points": 10, "blind": False, "items": [
            ["similar_projects", 4], ["manager_record", 4], ["awards", 2]]},
        {"key": "price", "points": 15, "blind": False, "items": []},
        {"key": "presentation", "points": 15, "blind": False, "items": [
            ["presentation", 5], ["answers", 7], ["manager_grasp", 3]]},
        {"key": "credit", "points": 5, "blind": False, "items": []},
    ],
}

BLOCK_LABELS = {
    "technical": _l("Technical proposal (scored blind)"),
    "business": _l("Business and credentials"),
    "price": _l("Price"),
    "presentation": _l("On-site presentation and questions"),
    "credit": _l("Credit"),
}
ITEM_LABELS = {
    "understanding": _l("Understanding of the project"),
    "organisation": _l("Organisation and staffing"),
    "customer_service": _l("Service plan: customer service"),
    "security": _l("Service plan: security"),
    "cleaning": _l("Service plan: cleaning"),
    "greening": _l("Service plan: greening"),
    "facilities": _l("Service plan: facilities and equipment"),
    "early_involvement": _l("Early involvement and handover inspection"),
    "emergency": _l("Emergency plans"),
    "energy_smart": _l("Energy saving and smart services"),
    "systems_records": _l("Management systems and records"),
    "commitments": _l("Service commitments and indicators"),
    "similar_projects": _l("Similar projects"),
    "manager_record": _l("The project manager's record"),
    "awards": _l("Awards"),
    "presentation": _l("Presentation"),
    "answers": _l("Answers to the panel's questions"),
    "manager_grasp": _l("The project manager's grasp of the project"),
}
ANCHOR_LABELS = {"excellent": _l("excellent"), "good": _l("good"), "fair": _l("fair"), "poor": _l("poor"),
                 "absent": _l("absent")}
PRICE_METHOD_LABELS = {
    "base_price": _l("Base-price method: the base is the mean of the valid prices; 0.3 points off per 1% above it "
                     "and 0.2 per 1% below it, part of a percent counted whole"),
    "lowest_price": _l("Lowest price first: lowest valid price ÷ this price × the price points"),
}


def default_scheme() -> dict:
    return copy.deepcopy(DEFAULT_SCHEME)


def field_name(block: str, item: str | None = None) -> str:
    """The form field of a block's or an item's points (errors are shown beside it)."""
    return f"scheme_{block}" if item is None else f"scheme_{block}_{item}"


def apply_weights(scheme: dict, weights: dict, price_method: str | None) -> dict:
    """A copy of ``scheme`` with the weights given by field name (unparseable ones kept as given, for validation)."""
    result = copy.deepcopy(scheme or DEFAULT_SCHEME)
    for block in result["blocks"]:
        for item in block["items"]:
            key = field_name(block["key"], item[0])
            if key in weights:
                item[1] = weights[key]
        if block["items"]:
            block["points"] = sum(i[1] for i in block["items"] if isinstance(i[1], int))
        elif field_name(block["key"]) in weights:
            block["points"] = weights[field_name(block["key"])]
    if price_method is not None:
        result["price_method"] = price_method
    return result


def scheme_problems(scheme: dict, values: dict) -> list[Problem]:
    """Every way ``scheme`` breaks the totals and the procedure's limits, with the field to fix."""
    problems: list[Problem] = []
    if not scheme or [b.get("key") for b in scheme.get("blocks", [])] != list(BLOCKS):
        return [Problem("scheme_shape", None, _("The scoring scheme is incomplete; start again from the default."))]
    if scheme.get("price_method") not in PRICE_METHODS:
        problems.append(Problem("scheme_price_method", "price_method", _("Choose how the price is scored.")))
    total = 0
    for block in scheme["blocks"]:
        key = block["key"]
        for item in block["items"]:
            if not isinstance(item[1], int) or not 0 <= item[1] <= 100:
                problems.append(Problem("scheme_item", field_name(key, item[0]),
                                        _("%(item)s: enter whole points from 0 to 100.", item=ITEM_LABELS[item[0]])))
        points = block["points"]
        if not isinstance(points, int):
            problems.append(Problem("scheme_block", field_name(key), _("%(block)s: enter whole points.",
                                                                      block=BLOCK_LABELS[key])))
            continue
        total += points
        low, high = values[f"scheme_{key}_min"], values[f"scheme_{key}_max"]
        if not low <= points <= high:
            target = field_name(key, block["items"][0][0]) if block["items"] else field_name(key)
            problems.append(Problem("scheme_limits", target, _(
                "%(block)s must carry between %(low)s and %(high)s points; it carries %(points)s.",
                block=BLOCK_LABELS[key], low=low, high=high, points=points)))
    if not problems and total != 100:
        problems.append(Problem("scheme_total", field_name("technical", "understanding"),
                                _("The points must add up to 100; they add up to %(total)s.", total=total)))
    return problems
