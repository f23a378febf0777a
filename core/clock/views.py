"""The operators' business-clock page (embedded demo): see the business time, move it forward."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange

from core import clock
from core.accounts.models import Role
from core.authz import access, roles
from core.clock.operations import advance_clock
from core.requests import attempt

bp = Blueprint("clock", __name__, url_prefix="/operator/clock")

UNITS = (("days", _l("days")), ("hours", _l("hours")), ("minutes", _l("minutes")))


class AdvanceForm(FlaskForm):
    amount = IntegerField(_l("Move forward by"), validators=[InputRequired(_l("Enter how far to move the clock.")),
                                                              NumberRange(1, 10000)])
    unit = SelectField(_l("Unit"), choices=UNITS, default="days")


def _page(form: AdvanceForm, status: int = 200):
    return render_template("clock/page.html", form=form, business=clock.now(), offset=clock.offset(),
                           movable=clock.movable()), status


@bp.get("/")
@access(roles(Role.OPERATOR))
def page():
    return _page(AdvanceForm(data={"amount": 1, "unit": "days"}))


@bp.post("/advance")
@access(roles(Role.OPERATOR))
def advance():
    if not clock.movable():
        abort(404)
    form = AdvanceForm()
    if form.validate_on_submit():
        step = timedelta(**{form.unit.data: form.amount.data})
        done = attempt(form, advance_clock, {"by": step}, actor=current_user)
        if done:
            flash(_("The business clock now shows %(time)s.", time=clock.format_business(done.value)), "success")
            return redirect(url_for("clock.page"))
    return _page(form, 422)
