"""The working-day calendar page (city bureau and operators): days, years, and a year's schedule file."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core import calendar, clock
from core.accounts.models import OrgKind, Role
from core.authz import access, roles
from core.calendar import operations as ops
from core.calendar.forms import CalendarDayForm, CalendarYearForm, ScheduleFileForm
from core.calendar.models import CalendarDay, CalendarYear
from core.db import db
from core.requests import attempt
from core.web import body_limit

bp = Blueprint("calendar", __name__, url_prefix="/calendar")

# Working days decide deadlines everywhere: the calendar is the city bureau's and the operators'.
ADMIN = roles(Role.SUPERVISOR, Role.OPERATOR, org_kinds=(OrgKind.CITY_BUREAU, OrgKind.OPERATOR))
SCHEDULE_MAX_BYTES = 64 * 1024


def _page(day_form=None, year_form=None, file_form=None, status: int = 200):
    today = clock.today()
    days = db.session.scalars(sa.select(CalendarDay).where(CalendarDay.day >= date(today.year - 1, 1, 1))
                              .order_by(CalendarDay.day)).all()
    years = db.session.scalars(sa.select(CalendarYear).order_by(CalendarYear.year)).all()
    return render_template(
        "calendar/admin.html", days=days, years=years,
        day_form=day_form or CalendarDayForm(prefix="day"),
        year_form=year_form or CalendarYearForm(prefix="year"),
        file_form=file_form or ScheduleFileForm(prefix="file"),
        package_range=calendar.package_years(), warning=calendar.coverage_warning(today),
    ), status


@bp.get("/")
@access(ADMIN)
def admin():
    return _page()


@bp.post("/days")
@access(ADMIN)
def set_day():
    form = CalendarDayForm(prefix="day")
    if form.validate_on_submit() and attempt(form, ops.set_day, {
            "day": form.day.data, "is_workday": form.is_workday.data == "1", "note": form.note.data}, actor=current_user):
        flash(_("Saved."), "success")
        return redirect(url_for("calendar.admin"))
    return _page(day_form=form, status=422)


@bp.post("/years")
@access(ADMIN)
def declare_year():
    form = CalendarYearForm(prefix="year")
    if form.validate_on_submit() and attempt(form, ops.declare_year, {
            "year": form.year.data, "source": form.source.data, "provisional": form.provisional.data},
            actor=current_user):
        flash(_("Saved."), "success")
        return redirect(url_for("calendar.admin"))
    return _page(year_form=form, status=422)


@bp.post("/schedule")
@access(ADMIN)
@body_limit(SCHEDULE_MAX_BYTES)
def load_schedule():
    form = ScheduleFileForm(prefix="file")
    if form.validate_on_submit():
        upload = form.file.data
        raw = upload.read(SCHEDULE_MAX_BYTES + 1) if upload else b""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if not raw:
            form.file.errors = [_("Choose the schedule file.")]
        elif text is None:
            form.file.errors = [_("The file must be UTF-8 text (CSV).")]
        elif attempt(form, ops.load_schedule, {"year": form.year.data, "source": form.source.data,
                                                "provisional": form.provisional.data, "text": text},
                     actor=current_user):
            flash(_("The schedule of %(year)s is loaded.", year=form.year.data), "success")
            return redirect(url_for("calendar.admin"))
    return _page(file_form=form, status=422)
