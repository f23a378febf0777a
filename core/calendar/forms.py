"""Forms of the working-day calendar page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, RadioField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange


class CalendarDayForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date."))])
    is_workday = RadioField(_l("This day is"), choices=[("0", _l("A holiday")), ("1", _l("A working day"))],
                            validators=[InputRequired(_l("Choose whether it is a holiday or a working day."))])
    note = StringField(_l("Note"), validators=[DataRequired(_l("Say why (for example the State Council notice).")),
                                              Length(max=200)])


class CalendarYearForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[DataRequired(_l("Enter the year.")), NumberRange(2000, 2100)])
    source = StringField(_l("Source of the schedule"), validators=[DataRequired(_l("Name the source of the schedule.")),
                                                                   Length(max=300)])
    provisional = BooleanField(_l("Provisional: not yet the official published schedule"))


class ScheduleFileForm(CalendarYearForm):
    file = FileField(_l("Schedule file (CSV: date,kind,note)"))
