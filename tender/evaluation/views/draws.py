"""The public record of a panel draw: what was published before it and, after it, the seed and result."""

from __future__ import annotations

from flask import abort, jsonify, render_template

from core.authz import PUBLIC, access
from core.db import db
from tender.evaluation.models import Draw
from tender.evaluation.operations import public_record
from tender.evaluation.views import bp


def _draw(draw_id: int) -> Draw:
    draw = db.session.get(Draw, draw_id)
    if draw is None:
        abort(404)
    return draw


@bp.get("/draws/<int:draw_id>")
@access(PUBLIC)
def draw(draw_id: int):
    record = _draw(draw_id)
    return render_template("evaluation/draw.html", draw=record, record=public_record(record))


@bp.get("/draws/<int:draw_id>.json")
@access(PUBLIC)
def draw_json(draw_id: int):
    return jsonify(public_record(_draw(draw_id)))
