"""Forms of the bid page (the sealed bid itself is prepared by the page's script, never posted as a form)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class SecurityForm(FlaskForm):
    payer_account = StringField(_l("Account the security was paid from"), validators=[DataRequired(), Length(max=64)])
    payer_name = StringField(_l("Account holder"), validators=[DataRequired(), Length(max=200)])


class WithdrawForm(FlaskForm):
    pass
